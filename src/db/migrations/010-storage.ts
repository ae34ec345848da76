import type { Kysely } from 'kysely';

/**
 * Object storage (src/storage/): storage profiles (a bucket, how to reach it, credentials as
 * `${secret:NAME}` references) and the files downloaded from them (to skip unchanged ones and evict
 * the oldest when the download budget is exceeded).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('storage_profiles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text')
    .addColumn('path_style', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('access_key_id', 'text', (c) => c.notNull())
    .addColumn('secret_access_key', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('date_pattern', 'text')
    .addColumn('timeout_ms', 'integer', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('storage_files')
    .addColumn('profile_id', 'text', (c) => c.notNull().references('storage_profiles.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('etag', 'text', (c) => c.notNull())
    .addColumn('object_size', 'bigint', (c) => c.notNull())
    .addColumn('local_path', 'text', (c) => c.notNull())
    .addColumn('local_size', 'bigint', (c) => c.notNull())
    .addColumn('gunzipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('downloaded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('storage_files_pk', ['profile_id', 'key', 'gunzipped'])
    .execute();
  await db.schema.createIndex('storage_files_downloaded_at').on('storage_files').column('downloaded_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('storage_files').execute();
  await db.schema.dropTable('storage_profiles').execute();
}
