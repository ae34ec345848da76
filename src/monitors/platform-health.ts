import { statfs } from 'node:fs/promises';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { pingRedis } from '../system/redis-ping.js';

export interface PlatformCheck {
  name: 'database' | 'redis' | 'servers' | 'disk' | 'backups';
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  latency_ms: number | null;
}

export interface PlatformHealthDeps {
  db: Kysely<Database>;
  redisUrl: string | undefined;
  /** The managed servers' states (supervisor.list()). */
  serverStates(): { state: string }[];
  dataDir: string;
  /** Newest backup's creation time (ISO), or null. */
  newestBackup(): Promise<string | null>;
  /** Cron of automatic backups, or null when off. */
  backupSchedule: string | null;
  diskMinFreePercent: number;
  backupMaxAgeHours: number;
  startedAt: number;
  now: () => number;
}

/**
 * The platform's own health as a set of built-in checks: the database answers, Redis answers (when
 * configured), no managed server is crash-looping, DATA_DIR has free space, and the last automatic
 * backup is recent. Details name counts, not servers or paths: /system/health is public.
 */
export function createPlatformHealth(deps: PlatformHealthDeps) {
  const timed = async (name: PlatformCheck['name'], run: () => Promise<Omit<PlatformCheck, 'name' | 'latency_ms'>>): Promise<PlatformCheck> => {
    const started = performance.now();
    try {
      const r = await run();
      return { name, ...r, latency_ms: Math.round((performance.now() - started) * 100) / 100 };
    } catch (err) {
      return { name, status: 'fail', detail: (err as Error).message.slice(0, 300), latency_ms: null };
    }
  };

  return async function platformChecks(): Promise<PlatformCheck[]> {
    const checks: Promise<PlatformCheck>[] = [
      timed('database', async () => {
        await sql`select 1`.execute(deps.db);
        return { status: 'ok', detail: 'select 1 answered' };
      }),
      timed('servers', async () => {
        const states = deps.serverStates();
        const failing = states.filter((s) => s.state === 'fatal' || s.state === 'backoff').length;
        const running = states.filter((s) => s.state === 'running').length;
        return { status: failing ? 'fail' : 'ok', detail: `${running} of ${states.length} managed servers running${failing ? `, ${failing} failing (fatal or backoff)` : ''}` };
      }),
      timed('disk', async () => {
        const s = await statfs(deps.dataDir);
        const free = s.blocks > 0 ? (s.bavail / s.blocks) * 100 : 100;
        const freeGb = (s.bavail * s.bsize) / 1024 ** 3;
        const detail = `${free.toFixed(1)}% free (${freeGb.toFixed(1)} GB) in DATA_DIR`;
        return { status: free < deps.diskMinFreePercent ? 'fail' : free < deps.diskMinFreePercent * 2 ? 'warn' : 'ok', detail };
      }),
      timed('backups', async () => {
        if (!deps.backupSchedule) return { status: 'ok', detail: 'automatic backups are off (BACKUP_SCHEDULE=off)' };
        const newest = await deps.newestBackup();
        const maxMs = deps.backupMaxAgeHours * 3_600_000;
        if (!newest) return deps.now() - deps.startedAt > maxMs ? { status: 'warn', detail: `no backup yet, ${deps.backupMaxAgeHours} h after start` } : { status: 'ok', detail: 'no backup yet (the schedule has not come round)' };
        const ageH = (deps.now() - Date.parse(newest)) / 3_600_000;
        return { status: ageH > deps.backupMaxAgeHours ? 'warn' : 'ok', detail: `last backup ${ageH.toFixed(1)} h ago` };
      }),
    ];
    if (deps.redisUrl) {
      const url = deps.redisUrl;
      checks.push(timed('redis', async () => {
        const r = await pingRedis(url);
        return r.reachable ? { status: 'ok', detail: 'PING answered' } : { status: 'fail', detail: `Redis: ${r.error}` };
      }));
    }
    return Promise.all(checks);
  };
}

export type PlatformHealth = ReturnType<typeof createPlatformHealth>;
