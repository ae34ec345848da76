import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { AlertGroupRow, AlertRow } from './alerts.table.js';
import { DEFAULT_TREE, routeNode, type RouteNode } from './route-tree.js';

/** Queries of the routing: the tree, the groups and their timers, the alerts that can still notify. */
export function createAlertGroupsRepository(db: Kysely<Database>) {
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
      return db.selectFrom('alerts').selectAll().where((eb) => eb.or([eb('status', '=', 'firing'), eb('ends_at', '>=', since), eb('last_received_at', '>=', since)])).execute();
    },

    /** Episodes first received since `since` (new alerts: they may start a group): their ids only. */
    async receivedSince(since: string): Promise<Pick<AlertRow, 'id' | 'first_received_at'>[]> {
      return db.selectFrom('alerts').select(['id', 'first_received_at']).where('first_received_at', '>=', since).execute();
    },

    async alertsByIds(ids: string[]): Promise<AlertRow[]> {
      const rows: AlertRow[] = [];
      for (let i = 0; i < ids.length; i += 500) rows.push(...(await db.selectFrom('alerts').selectAll().where('id', 'in', ids.slice(i, i + 500)).execute()));
      return rows;
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

export type AlertGroupsRepository = ReturnType<typeof createAlertGroupsRepository>;
