import type { Kysely } from 'kysely';

/**
 * Dashboard capture (src/capture/): saved dashboards (a page URL, or a Grafana base URL + uid, with
 * credentials by `${secret:NAME}` reference) and the screenshots taken (files in DATA_DIR/screenshots).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dashboards')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('uid', 'text')
    .addColumn('panel_id', 'integer')
    .addColumn('mode', 'text', (c) => c.notNull().defaultTo('browser'))
    .addColumn('token', 'text')
    .addColumn('headers', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('cookies', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('time_from', 'text', (c) => c.notNull().defaultTo('now-1h'))
    .addColumn('time_to', 'text', (c) => c.notNull().defaultTo('now'))
    .addColumn('variables', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('theme', 'text')
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('screenshots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dashboard_id', 'text')
    .addColumn('dashboard_name', 'text')
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('time_from', 'text')
    .addColumn('time_to', 'text')
    .addColumn('ms', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('screenshots_created_at').on('screenshots').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('screenshots').execute();
  await db.schema.dropTable('dashboards').execute();
}
