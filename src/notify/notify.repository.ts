import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { NewNotifyChannelRow, NewNotifyDeliveryRow, NotifyChannelRow, NotifyDeliveryRow, NotifyDeliveryTable } from './notify.table.js';

export interface DeliveryQuery {
  channelId?: string | undefined;
  status?: NotifyDeliveryRow['status'] | undefined;
  /** Rows created before this id (UUIDv7 ids sort by time). */
  before?: string | undefined;
  limit: number;
}

/** The notify tables: channels and the delivery queue / log. */
export function createNotifyRepository(db: Kysely<Database>) {
  return {
    listChannels: (): Promise<NotifyChannelRow[]> => db.selectFrom('notify_channels').selectAll().orderBy('name').execute(),

    findChannel: (idOrName: string): Promise<NotifyChannelRow | undefined> =>
      db.selectFrom('notify_channels').selectAll().where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])).executeTakeFirst(),

    async insertChannel(row: NewNotifyChannelRow): Promise<void> {
      await db.insertInto('notify_channels').values(row).execute();
    },

    async updateChannel(id: string, patch: Partial<NotifyChannelRow>): Promise<void> {
      await db.updateTable('notify_channels').set(patch).where('id', '=', id).execute();
    },

    async deleteChannel(id: string): Promise<void> {
      await db.deleteFrom('notify_deliveries').where('channel_id', '=', id).execute();
      await db.deleteFrom('notify_channels').where('id', '=', id).execute();
    },

    async insertDelivery(row: NewNotifyDeliveryRow): Promise<void> {
      await db.insertInto('notify_deliveries').values(row).execute();
    },

    findDelivery: (id: string): Promise<NotifyDeliveryRow | undefined> => db.selectFrom('notify_deliveries').selectAll().where('id', '=', id).executeTakeFirst(),

    /** Pending rows that are due, and `sending` rows whose claim expired (a worker died mid-send). */
    due: (nowIso: string, limit: number): Promise<NotifyDeliveryRow[]> =>
      db.selectFrom('notify_deliveries').selectAll()
        .where((eb) => eb.or([
          eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', nowIso)]),
          eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<', nowIso)]),
        ]))
        .orderBy('next_attempt_at').orderBy('id').limit(limit).execute(),

    /** Takes the row for one send: true only for the one caller whose conditional update matched. */
    async claim(row: NotifyDeliveryRow, nowIso: string, untilIso: string): Promise<boolean> {
      const res = await db.updateTable('notify_deliveries')
        .set({ status: 'sending', claimed_until: untilIso, attempts: row.attempts + 1, updated_at: nowIso })
        .where('id', '=', row.id).where('status', '=', row.status).where('attempts', '=', row.attempts)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    /** Records the attempt's result on a row this worker claimed. */
    async settle(id: string, patch: Partial<NotifyDeliveryTable>): Promise<void> {
      await db.updateTable('notify_deliveries').set({ ...patch, claimed_until: null }).where('id', '=', id).where('status', '=', 'sending').execute();
    },

    /** Moves a pending row's next attempt (a rate limit), without counting an attempt. */
    async postpone(id: string, atIso: string): Promise<void> {
      await db.updateTable('notify_deliveries').set({ next_attempt_at: atIso }).where('id', '=', id).where('status', '=', 'pending').execute();
    },

    /** Drops delivered and failed rows last changed before `beforeIso` (the log's retention). */
    async pruneFinished(beforeIso: string): Promise<number> {
      const res = await db.deleteFrom('notify_deliveries').where('status', 'in', ['delivered', 'failed']).where('updated_at', '<', beforeIso).executeTakeFirst();
      return Number(res.numDeletedRows);
    },

    listDeliveries(q: DeliveryQuery): Promise<NotifyDeliveryRow[]> {
      let query = db.selectFrom('notify_deliveries').selectAll().orderBy('id', 'desc').limit(q.limit);
      if (q.channelId) query = query.where('channel_id', '=', q.channelId);
      if (q.status) query = query.where('status', '=', q.status);
      if (q.before) query = query.where('id', '<', q.before);
      return query.execute();
    },
  };
}

export type NotifyRepository = ReturnType<typeof createNotifyRepository>;
