import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { DrainState } from './drain.js';

export function createTemplateModelsRepository(db: Kysely<Database>) {
  return {
    async get(source: string): Promise<DrainState | null> {
      const row = await db.selectFrom('analyzer_template_models').select('model').where('source', '=', source).executeTakeFirst();
      return row ? (JSON.parse(row.model) as DrainState) : null;
    },
    async save(source: string, state: DrainState, by: string | null): Promise<void> {
      const values = { model: JSON.stringify(state), templates: state.templates.length, updated_at: new Date().toISOString(), updated_by: by };
      await db
        .insertInto('analyzer_template_models')
        .values({ source, ...values })
        .onConflict((oc) => oc.column('source').doUpdateSet(values))
        .execute();
    },
    async remove(source: string): Promise<boolean> {
      const r = await db.deleteFrom('analyzer_template_models').where('source', '=', source).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export type TemplateModelsRepository = ReturnType<typeof createTemplateModelsRepository>;
