import { embeddedIpv4, inRange, isIpv4Compatible, isLocalNat64, parseAddress, parseRange, type IpAddress } from './outbound-address.js';

/**
 * Which addresses the platform may connect to on a user's behalf (remote MCP servers, publication
 * endpoints). Every address is normalised first: an IPv4-mapped address is its IPv4 address, and an
 * IPv6 address that carries an IPv4 address (IPv4-compatible, NAT64, 6to4, Teredo) is judged by it
 * too. Public addresses: yes. Private, loopback, link-local, shared (CGNAT), unique- and site-local,
 * multicast and reserved ranges: only when listed in MCPS_OUTBOUND_ALLOW (an address, a CIDR, a
 * host name, or `*` for all of them). Cloud metadata addresses and names, in any spelling: only when
 * listed exactly, never through `*` or a range.
 */
export interface OutboundPolicy {
  /** Why `address` (an IP) is refused, or null when it may be used. `host` is the name it came from. */
  refusal(address: string, host: string): string | null;
  /** Why a host name is refused before it is even resolved (a cloud metadata name), or null. */
  nameRefusal(host: string): string | null;
}

/** ipaddr.js range names that are ordinary public destinations (the rest are refused by default). */
const PUBLIC_V4 = new Set(['unicast', 'amt', 'as112']);
const PUBLIC_V6 = new Set(['unicast', 'amt', 'as112v6', 'rfc6052', 'rfc6145', '6to4', 'teredo']);
const METADATA = new Set(['169.254.169.254', '169.254.170.2', '169.254.170.23', '100.100.100.200', '192.0.0.192', 'fd00:ec2::254', 'fd00:ec2::23']);
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

export function createOutboundPolicy(allow: readonly string[]): OutboundPolicy {
  const allowAll = allow.includes('*');
  const ranges: [IpAddress, number][] = [];
  const addresses = new Set<string>();
  const hosts = new Set<string>();
  for (const entry of allow) {
    if (entry === '*') continue;
    const address = parseAddress(entry);
    if (entry.includes('/')) ranges.push(parseRange(entry));
    else if (address) addresses.add(address.toString());
    else hosts.add(hostKey(entry));
  }
  return {
    refusal(text, host) {
      const address = parseAddress(text);
      if (!address) return `'${text}' is not an IP address`;
      const ip = address.toString();
      const carried = embeddedIpv4(address);
      const via = (inner: IpAddress) => (inner === address ? '' : ` (it carries ${inner.toString()})`);
      const metadata = [address, ...carried].find((a) => METADATA.has(a.toString()));
      if (metadata) return addresses.has(ip) ? null : `${ip} is a cloud metadata address${via(metadata)}`;
      const special = [...carried, address].find(isSpecial);
      if (!special) return null;
      if (allowAll || addresses.has(ip) || hosts.has(hostKey(host)) || ranges.some((r) => inRange(address, r))) return null;
      return `${ip} is a private, loopback or reserved address${via(special)}`;
    },
    nameRefusal(host) {
      const key = hostKey(host);
      return METADATA_NAMES.has(key) && !hosts.has(key) ? `'${host}' is a cloud metadata host name` : null;
    },
  };
}

function isSpecial(address: IpAddress): boolean {
  if (address.kind() === 'ipv4') return !PUBLIC_V4.has(address.range());
  return !PUBLIC_V6.has(address.range()) || isLocalNat64(address) || isIpv4Compatible(address);
}

/** Host names compare without case and without the root's trailing dot (`Metadata.` is `metadata`). */
function hostKey(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}
