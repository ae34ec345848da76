import { describe, expect, it } from 'vitest';
import { planRetention } from './secret-retention.js';
import type { SecretVersionMeta } from './secret.table.js';

const NOW = '2026-01-10T00:00:00.000Z';
const v = (version: number, extra: Partial<SecretVersionMeta> = {}): SecretVersionMeta => ({
  secret_id: 's',
  version,
  kek_version: 'v1',
  created_at: '2026-01-01T00:00:00.000Z',
  created_by: null,
  destroyed_at: null,
  expires_at: null,
  ...extra,
});

describe('planRetention', () => {
  it('keeps the newest N versions and deletes the rest', () => {
    expect(planRetention([v(1), v(2), v(3), v(4), v(5)], { current: 5, maxVersions: 3, now: NOW })).toEqual({ destroy: [], delete: [2, 1] });
  });

  it('keeps versions beyond the limit while their overlap window is open', () => {
    const versions = [v(1), v(2, { expires_at: '2026-01-11T00:00:00.000Z' }), v(3)];
    expect(planRetention(versions, { current: 3, maxVersions: 1, now: NOW })).toEqual({ destroy: [], delete: [1] });
  });

  it('destroys a version whose overlap window ended, even within the limit; never the current one', () => {
    const versions = [v(1, { expires_at: NOW }), v(2, { expires_at: '2026-01-09T00:00:00.000Z', destroyed_at: '2026-01-09T00:00:00.000Z' }), v(3)];
    expect(planRetention(versions, { current: 3, maxVersions: 10, now: NOW })).toEqual({ destroy: [1], delete: [] });
    expect(planRetention([v(1)], { current: 1, maxVersions: 1, now: NOW })).toEqual({ destroy: [], delete: [] });
  });
});
