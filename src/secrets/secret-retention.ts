import type { SecretVersionMeta } from './secret.table.js';

export interface RetentionPlan {
  /** Versions whose overlap window has ended: wipe their ciphertext. */
  destroy: number[];
  /** Versions beyond the limit: delete their rows. */
  delete: number[];
}

/**
 * Which versions to drop after a write. The newest `maxVersions` versions are kept (the current one
 * always); older ones are deleted unless still inside a rotation's overlap window. A version whose
 * overlap window has ended is destroyed even when within the limit, so a rotated-out value does not
 * outlive its window. Times are ISO strings, compared as text.
 */
export function planRetention(versions: readonly SecretVersionMeta[], opts: { current: number; maxVersions: number; now: string }): RetentionPlan {
  const inWindow = (v: SecretVersionMeta) => v.expires_at !== null && v.expires_at > opts.now;
  const newestFirst = [...versions].sort((a, b) => b.version - a.version);
  const plan: RetentionPlan = { destroy: [], delete: [] };
  newestFirst.forEach((v, i) => {
    if (v.version === opts.current) return;
    if (i >= opts.maxVersions && !inWindow(v)) plan.delete.push(v.version);
    else if (v.destroyed_at === null && v.expires_at !== null && !inWindow(v)) plan.destroy.push(v.version);
  });
  return plan;
}
