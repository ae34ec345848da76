import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { createOutboundPolicy } from '../../lib/outbound-policy.js';

/**
 * Health checks may reach internal hosts (that is their job) but never a cloud metadata address or
 * name, in any spelling: the outbound policy with every private range allowed still refuses those
 * (metadata is only ever allowed when listed exactly). Names are resolved once and the socket is
 * handed the address that was judged (no second resolution).
 */
const policy = createOutboundPolicy(['*']);

export class TargetRefused extends Error {}

/** Why `host` (a name or a literal address) may not be checked, or null. */
export function hostRefusal(host: string): string | null {
  const bare = host.replace(/^\[|\]$/g, '');
  return isIP(bare) ? policy.refusal(bare, bare) : policy.nameRefusal(bare);
}

/** For `net` / `http` `lookup` options: resolves, then refuses a metadata address. */
export function guardedLookup(resolve: typeof dnsLookup = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    const named = policy.nameRefusal(hostname);
    if (named) return callback(new TargetRefused(named) as NodeJS.ErrnoException, '', 0);
    resolve(hostname, { all: true, family: options.family ?? 0 }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.map((a) => policy.refusal(a.address, hostname)).find((r) => r !== null);
      if (refused || addresses.length === 0) return callback(new TargetRefused(refused ?? `'${hostname}' has no address`) as NodeJS.ErrnoException, '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** The one address to connect to for `host`, judged; throws TargetRefused or the DNS error. */
export function resolveTarget(host: string): Promise<string> {
  const why = hostRefusal(host);
  if (why) return Promise.reject(new TargetRefused(why));
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return Promise.resolve(bare);
  return new Promise((resolve, reject) => guardedLookup()(bare, {}, (err, address) => (err ? reject(err) : resolve(address as string))));
}
