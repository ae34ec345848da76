import type { Kysely } from 'kysely';

/** Secrets (metadata) and their versions (envelope-encrypted values); see src/secrets/secret.table.ts. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('secrets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('current_version', 'integer', (c) => c.notNull())
    .addColumn('max_versions', 'integer')
    .addColumn('deleted_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('last_rotated_at', 'text')
    .addColumn('rotation_reason', 'text')
    .execute();

  await db.schema
    .createTable('secret_versions')
    .addColumn('secret_id', 'text', (c) => c.notNull().references('secrets.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('kek_version', 'text', (c) => c.notNull())
    .addColumn('wrapped_dek', 'text')
    .addColumn('nonce', 'text')
    .addColumn('tag', 'text')
    .addColumn('ciphertext', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('destroyed_at', 'text')
    .addColumn('expires_at', 'text')
    .addPrimaryKeyConstraint('secret_versions_pk', ['secret_id', 'version'])
    .execute();
  // `mcps secrets rewrap` looks for versions under an older master key.
  await db.schema.createIndex('secret_versions_kek_version').on('secret_versions').column('kek_version').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('secret_versions').execute();
  await db.schema.dropTable('secrets').execute();
}
