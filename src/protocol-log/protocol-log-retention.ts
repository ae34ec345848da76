import type { Logger } from 'pino';
import type { SettingsService } from '../system/settings.service.js';
import type { TrafficRepository } from './protocol-log.repository.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionPolicy {
  /** Rows older than this are deleted (0 or absent: keep). */
  maxAgeMs?: number | undefined;
  /** At most this many rows are kept, the newest (0 or absent: no limit). */
  maxRows?: number | undefined;
}

/** Without runtime settings: 30 days, 1,000,000 rows. */
export const DEFAULT_RETENTION: RetentionPolicy = { maxAgeMs: 30 * DAY_MS, maxRows: 1_000_000 };

/** The protocol log's policy from the runtime settings (`logs.mcp.retention_days`, `logs.mcp.max_rows`). */
export function protocolLogRetention(settings: Pick<SettingsService, 'get'>): RetentionPolicy {
  return { maxAgeMs: settings.get('logs.mcp.retention_days') * DAY_MS, maxRows: settings.get('logs.mcp.max_rows') };
}

/** Applies the protocol log's retention: by age, then by size (oldest rows first). Call periodically. */
export async function applyTrafficRetention(
  repo: Pick<TrafficRepository, 'deleteOlderThan' | 'keepNewest'>,
  policy: RetentionPolicy,
  now: number = Date.now(),
): Promise<{ byAge: number; bySize: number }> {
  const byAge = policy.maxAgeMs ? await repo.deleteOlderThan(new Date(now - policy.maxAgeMs).toISOString()) : 0;
  const bySize = policy.maxRows ? await repo.keepNewest(policy.maxRows) : 0;
  return { byAge, bySize };
}

/** The hourly pass: the policy is read at each run (a function follows the runtime settings). */
export function startHourlyRetention(deps: {
  repo: Pick<TrafficRepository, 'deleteOlderThan' | 'keepNewest'>;
  policy?: RetentionPolicy | (() => RetentionPolicy) | undefined;
  log: Pick<Logger, 'info' | 'error'>;
}): () => void {
  const timer = setInterval(() => {
    const policy = typeof deps.policy === 'function' ? deps.policy() : deps.policy;
    applyTrafficRetention(deps.repo, policy ?? DEFAULT_RETENTION)
      .then((r) => r.byAge + r.bySize > 0 && deps.log.info(r, 'protocol log retention applied'))
      .catch((err: unknown) => deps.log.error({ err }, 'protocol log retention failed'));
  }, 60 * 60 * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
