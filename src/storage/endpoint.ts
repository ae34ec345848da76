import type { StorageProfileRow } from './storage.table.js';

/** The endpoint a profile's requests go to: COS's regional one, the given one, or AWS's. */
export function endpointOf(profile: Pick<StorageProfileRow, 'provider' | 'region' | 'endpoint'>): string {
  if (profile.provider === 'cos') return `https://cos.${profile.region}.myqcloud.com`;
  return profile.endpoint ?? `https://s3.${profile.region}.amazonaws.com`;
}
