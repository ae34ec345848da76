import type { TrafficRepository } from './traffic.repository.js';

export interface RetentionPolicy {
  /** Rows older than this are deleted (0 or absent: keep). */
  maxAgeMs?: number | undefined;
  /** At most this many rows are kept, the newest (0 or absent: no limit). */
  maxRows?: number | undefined;
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
