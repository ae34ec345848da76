import type { Kysely } from 'kysely';

/** Template models of the log analyzer, one per source name (src/analyzer/template-model.table.ts). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('analyzer_template_models')
    .addColumn('source', 'text', (c) => c.primaryKey())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('templates', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('analyzer_template_models').execute();
}
