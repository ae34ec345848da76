import { sql, type Expression, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { isPostgres } from '../db/migrations/dialect-helpers.js';
import type { Database } from '../db/database.js';
import type { AlertGroupRow, AlertRow } from './alerts.table.js';
import type { LabelSet } from './label-matchers.js';
import { DEFAULT_TREE, routeNode, type RouteNode } from './route-tree.js';

/** Queries of the routing: the tree, the groups and their timers, the alerts that can still notify. */
export function createAlertGroupsRepository(db: Kysely<Database>) {
  const pg = isPostgres(db);
  /** The value of one label in the JSON `labels` column (null when absent). */
  /** Where `needle` is in the JSON text of `labels` (0: absent). Labels are stored as JSON.stringify writes them. */
  const contains = (needle: string) => (pg ? sql<number>`strpos(labels, ${needle})` : sql<number>`instr(labels, ${needle})`);
  const labelValue = (name: string) => (pg ? sql<string | null>`(labels::jsonb ->> ${name})` : sql<string | null>`json_extract(labels, ${`$."${name}"`})`);

  return {
    async tree(): Promise<RouteNode> {
      const row = await db.selectFrom('alert_routing').select('tree').where('id', '=', 'root').executeTakeFirst();
      return row ? routeNode.parse(JSON.parse(row.tree)) : DEFAULT_TREE;
    },

    async saveTree(tree: RouteNode, now: string): Promise<void> {
      const values = { id: 'root', tree: JSON.stringify(tree), updated_at: now };
      await db.insertInto('alert_routing').values(values).onConflict((oc) => oc.column('id').doUpdateSet({ tree: values.tree, updated_at: now })).execute();
    },

    /** Firing alerts, and alerts resolved since `since` (a group may still owe their resolve). */
    async liveAlerts(since: string): Promise<AlertRow[]> {
      return paged((after) => db.selectFrom('alerts').selectAll().where((eb) => eb.or([eb('status', '=', 'firing'), eb('ends_at', '>=', since), eb('last_received_at', '>=', since)])).where('id', '>', after));
    },

    /** Episodes first received since `since` (new alerts: they may start a group): their ids only (read from the index). */
    async receivedSince(since: string): Promise<Pick<AlertRow, 'id' | 'first_received_at'>[]> {
      return db.selectFrom('alerts').select(['id', 'first_received_at']).where('first_received_at', '>=', since).execute();
    },

    async labelsByIds(ids: string[]): Promise<Pick<AlertRow, 'id' | 'labels'>[]> {
      const rows: Pick<AlertRow, 'id' | 'labels'>[] = [];
      for (let i = 0; i < ids.length; i += 500) rows.push(...(await db.selectFrom('alerts').select(['id', 'labels']).where('id', 'in', ids.slice(i, i + 500)).execute()));
      return rows;
    },

    async alertsByIds(ids: string[]): Promise<AlertRow[]> {
      const rows: AlertRow[] = [];
      for (let i = 0; i < ids.length; i += 500) rows.push(...(await db.selectFrom('alerts').selectAll().where('id', 'in', ids.slice(i, i + 500)).execute()));
      return rows;
    },

    /**
     * The live alerts (as `liveAlerts`) that can belong to one of these groups: those carrying each
     * group's label values. A superset (the route's matchers are checked by the caller); a group
     * with no labels, or a label name a JSON path cannot hold, filters less.
     */
    async liveAlertsOfGroups(since: string, groups: LabelSet[]): Promise<AlertRow[]> {
      return paged((after) => db
        .selectFrom('alerts')
        .where('id', '>', after)
        .selectAll()
        .where((eb) => eb.or([eb('status', '=', 'firing'), eb('ends_at', '>=', since), eb('last_received_at', '>=', since)]))
        .where((eb) => {
          const each: Expression<SqlBool>[] = [];
          for (const labels of groups) {
            const names = Object.keys(labels).filter((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n));
            if (names.length === 0) return eb.lit(true);
            // The JSON text holding `"name":"value"` first (a plain substring search), then the exact
            // value: parsing every row's labels per due group was the costliest query of a flush.
            each.push(eb.and(names.flatMap((n) => [eb(contains(`${JSON.stringify(n)}:${JSON.stringify(labels[n])}`), '>', 0), eb(labelValue(n), '=', labels[n]!)])));
          }
          return eb.or(each);
        }));
    },

    async groups(): Promise<AlertGroupRow[]> {
      return db.selectFrom('alert_groups').selectAll().execute();
    },

    async insertGroup(row: AlertGroupRow): Promise<void> {
      await db.insertInto('alert_groups').values(row).onConflict((oc) => oc.column('key').doNothing()).execute();
    },

    async updateGroup(key: string, set: Partial<AlertGroupRow>): Promise<void> {
      await db.updateTable('alert_groups').set(set).where('key', '=', key).execute();
    },

    async deleteGroup(key: string): Promise<void> {
      await db.deleteFrom('alert_groups').where('key', '=', key).execute();
    },
  };
}

/** Rows per read of `paged`. */
const PAGE = 1000;

/**
 * A large read in pages (by id), letting other work run in between: on SQLite a query holds the event
 * loop, and reading the tens of thousands of live alerts at once held webhook posts for half a second.
 */
async function paged(page: (afterId: string) => SelectQueryBuilder<Database, 'alerts', AlertRow>): Promise<AlertRow[]> {
  const rows: AlertRow[] = [];
  for (let after = '';;) {
    const some = await page(after).orderBy('id').limit(PAGE).execute();
    rows.push(...some);
    if (some.length < PAGE) return rows;
    after = some.at(-1)!.id;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export type AlertGroupsRepository = ReturnType<typeof createAlertGroupsRepository>;
