import type { BackupManifest } from './backup-format.js';

export interface RetentionPolicy {
  /** Newest backups kept per kind; 0 = no limit by count. */
  keepCount: number;
  /** Largest age in days; 0 = no limit by age. */
  keepDays: number;
}

/** Kinds retention applies to. Manual and uploaded backups stay until someone deletes them. */
const PRUNED_KINDS = new Set(['scheduled', 'safety']);

/** The automatic and safety backups past the count (per kind, newest kept) or older than the age. */
export function pickExpired(all: BackupManifest[], policy: RetentionPolicy, now: Date): BackupManifest[] {
  const cutoff = policy.keepDays > 0 ? now.getTime() - policy.keepDays * 24 * 60 * 60 * 1000 : null;
  const seen = new Map<string, number>();
  const out: BackupManifest[] = [];
  const newestFirst = [...all].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
  for (const m of newestFirst) {
    if (!PRUNED_KINDS.has(m.kind)) continue;
    const rank = (seen.get(m.kind) ?? 0) + 1;
    seen.set(m.kind, rank);
    const tooMany = policy.keepCount > 0 && rank > policy.keepCount;
    const tooOld = cutoff !== null && Date.parse(m.created_at) < cutoff;
    if (tooMany || tooOld) out.push(m);
  }
  return out;
}
