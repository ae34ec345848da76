import type { Kysely } from 'kysely';
import { withSerialId } from './dialect-helpers.js';

/** Users, API keys, login attempts, and the three log tables of the seed (system, operation, MCP). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .addColumn('password_changed_at', 'text', (c) => c.notNull())
    .addColumn('last_login_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_keys_user_id').on('api_keys').column('user_id').execute();

  await withSerialId(db, db.schema.createTable('login_attempts'))
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('succeeded', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('login_attempts_username_time')
    .on('login_attempts')
    .columns(['username', 'created_at'])
    .execute();

  await withSerialId(db, db.schema.createTable('system_logs'))
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('level_num', 'integer', (c) => c.notNull())
    .addColumn('msg', 'text', (c) => c.notNull())
    .addColumn('context', 'text')
    .addColumn('request_id', 'text')
    .execute();
  await db.schema.createIndex('system_logs_time').on('system_logs').column('time').execute();

  await withSerialId(db, db.schema.createTable('operation_logs'))
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('ip', 'text')
    .addColumn('request_id', 'text')
    .addColumn('details', 'text')
    .execute();
  await db.schema.createIndex('operation_logs_time').on('operation_logs').column('time').execute();

  await withSerialId(db, db.schema.createTable('mcp_logs'))
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('server', 'text', (c) => c.notNull())
    .addColumn('caller', 'text')
    .addColumn('session_id', 'text')
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('method', 'text')
    .addColumn('jsonrpc_id', 'text')
    .addColumn('duration_ms', 'integer')
    .addColumn('outcome', 'text')
    .addColumn('error_code', 'integer')
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('payload', 'text')
    .execute();
  await db.schema.createIndex('mcp_logs_time').on('mcp_logs').column('time').execute();
  await db.schema.createIndex('mcp_logs_server_time').on('mcp_logs').columns(['server', 'time']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['mcp_logs', 'operation_logs', 'system_logs', 'login_attempts', 'api_keys', 'users']) {
    await db.schema.dropTable(t).execute();
  }
}
