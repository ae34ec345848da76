import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import type { SecretEvents } from './secret-events.js';

export interface SecretChangeWatcherDeps {
  db: Kysely<Database>;
  events: SecretEvents;
  log: Logger;
  /** How often the table is read (default 5 s). */
  intervalMs?: number;
}

/** Rows changed this long before the last look are read again, for writers whose clocks lag ours. */
const CLOCK_MARGIN_MS = 60_000;

/**
 * Tells this process of secret changes made by another one (`mcps secrets rotate` from the CLI,
 * `mcps log-service`, another instance on the same PostgreSQL): polls the `secrets` table and emits
 * `secret.updated` for each secret whose current version differs from the last one seen, so running
 * servers that use it by reference restart on the new value. Changes made in this process are seen
 * through its own events and never announced twice.
 */
export function createSecretChangeWatcher(deps: SecretChangeWatcherDeps) {
  const { db, events, log } = deps;
  const known = new Map<string, number>();
  let since = '';
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const offs = (['secret.created', 'secret.updated', 'secret.rotated', 'secret.restored'] as const).map((name) =>
    events.on(name, (e) => void known.set(e.name, e.version)),
  );

  const read = async (announce: boolean): Promise<void> => {
    const started = new Date(Date.now() - CLOCK_MARGIN_MS).toISOString();
    let q = db.selectFrom('secrets').select(['name', 'current_version', 'updated_at']).where('deleted_at', 'is', null);
    if (since) q = q.where('updated_at', '>=', since);
    for (const row of await q.execute()) {
      const seen = known.get(row.name);
      if (seen === row.current_version) continue;
      known.set(row.name, row.current_version);
      if (announce && seen !== undefined) {
        log.info({ name: row.name, version: row.current_version }, 'secret changed by another process');
        events.emit('secret.updated', { name: row.name, version: row.current_version });
      }
    }
    since = started;
  };

  const tick = () => {
    running ??= read(true)
      .catch((err: unknown) => log.warn({ err }, 'could not read secrets for changes'))
      .finally(() => (running = null));
  };

  return {
    /** Takes the current versions as known, then polls. */
    async start(): Promise<void> {
      if (timer) return;
      await read(false);
      timer = setInterval(tick, deps.intervalMs ?? 5000);
      timer.unref();
    },
    /** One look now (tests). */
    async poll(): Promise<void> {
      await read(true);
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      for (const off of offs) off();
      await running;
    },
  };
}

export type SecretChangeWatcher = ReturnType<typeof createSecretChangeWatcher>;
