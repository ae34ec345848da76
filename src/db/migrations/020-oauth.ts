import type { Kysely } from 'kysely';

/**
 * oauth_store: what the embedded authorization server (oidc-provider, src/auth/oauth/) keeps: clients
 * registered dynamically, grants, authorization codes, access and refresh tokens, interactions and
 * sessions, one row per object (`model`, `id`), its payload as JSON. The signing keys are not here: they
 * are a secret (`mcps.oauth.signing-keys`), so rewraps and backups treat them like any other.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('oauth_store')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('user_code', 'text')
    .addColumn('uid', 'text')
    // Milliseconds since the epoch; null: never expires.
    .addColumn('expires_at', 'bigint')
    .addColumn('consumed_at', 'bigint')
    .addPrimaryKeyConstraint('oauth_store_pk', ['model', 'id'])
    .execute();
  await db.schema.createIndex('oauth_store_grant').on('oauth_store').column('grant_id').execute();
  await db.schema.createIndex('oauth_store_uid').on('oauth_store').column('uid').execute();
  await db.schema.createIndex('oauth_store_expires').on('oauth_store').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('oauth_store').execute();
}
