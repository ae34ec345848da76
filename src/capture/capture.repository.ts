import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { DashboardRow, NewDashboardRow, ScreenshotRow } from './capture.table.js';

/** The capture tables: saved dashboards and the screenshots taken. */
export function createCaptureRepository(db: Kysely<Database>) {
  return {
    listDashboards: (): Promise<DashboardRow[]> => db.selectFrom('dashboards').selectAll().orderBy('name').execute(),

    findDashboard: (idOrName: string): Promise<DashboardRow | undefined> =>
      db.selectFrom('dashboards').selectAll().where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])).executeTakeFirst(),

    async insertDashboard(row: NewDashboardRow): Promise<void> {
      await db.insertInto('dashboards').values(row).execute();
    },

    async updateDashboard(id: string, patch: Partial<NewDashboardRow>): Promise<void> {
      await db.updateTable('dashboards').set(patch).where('id', '=', id).execute();
    },

    async deleteDashboard(id: string): Promise<void> {
      await db.deleteFrom('dashboards').where('id', '=', id).execute();
    },

    /** The URLs of every saved dashboard (their hosts may be captured). */
    dashboardUrls: async (): Promise<string[]> => (await db.selectFrom('dashboards').select('url').execute()).map((r) => r.url),

    async insertScreenshot(row: ScreenshotRow): Promise<void> {
      await db.insertInto('screenshots').values(row).execute();
    },

    findScreenshot: (id: string): Promise<ScreenshotRow | undefined> => db.selectFrom('screenshots').selectAll().where('id', '=', id).executeTakeFirst(),

    /** Newest first. */
    listScreenshots: (opts: { dashboardId?: string | undefined; limit: number; offset: number }): Promise<ScreenshotRow[]> => {
      let q = db.selectFrom('screenshots').selectAll();
      if (opts.dashboardId) q = q.where('dashboard_id', '=', opts.dashboardId);
      return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).offset(opts.offset).execute();
    },

    countScreenshots: async (dashboardId?: string): Promise<number> => {
      let q = db.selectFrom('screenshots').select((eb) => eb.fn.countAll<string | number>().as('n'));
      if (dashboardId) q = q.where('dashboard_id', '=', dashboardId);
      return Number((await q.executeTakeFirstOrThrow()).n);
    },

    /** Screenshots past the retention: older than `before`, or beyond the newest `keep`. */
    async expiredScreenshots(keep: number, before: string | null): Promise<ScreenshotRow[]> {
      const old = before ? await db.selectFrom('screenshots').selectAll().where('created_at', '<', before).execute() : [];
      const surplus = keep > 0 ? await db.selectFrom('screenshots').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').offset(keep).limit(1_000_000).execute() : [];
      const seen = new Set<string>();
      return [...old, ...surplus].filter((r) => !seen.has(r.id) && seen.add(r.id));
    },

    async deleteScreenshot(id: string): Promise<void> {
      await db.deleteFrom('screenshots').where('id', '=', id).execute();
    },
  };
}

export type CaptureRepository = ReturnType<typeof createCaptureRepository>;
