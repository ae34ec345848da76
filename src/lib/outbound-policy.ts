import { BlockList, isIP } from 'node:net';

/**
 * Which addresses the platform may connect to on a user's behalf (remote MCP servers, publication
 * endpoints). Public addresses: yes. Private, loopback, link-local, shared, multicast and reserved
 * ranges: only when listed in MCPS_OUTBOUND_ALLOW (an address, a CIDR, a host name, or `*` for all of
 * them). Cloud metadata addresses: only when listed by exact address, never through `*`.
 */
export interface OutboundPolicy {
  /** Why `address` (an IP) is refused, or null when it may be used. `host` is the name it came from. */
  refusal(address: string, host: string): string | null;
}

const PRIVATE_V4 = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4'];
const PRIVATE_V6 = ['::/128', '::1/128', '64:ff9b:1::/48', '100::/64', '2001:db8::/32', 'fc00::/7', 'fe80::/10', 'ff00::/8'];
const METADATA = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254']);

const privateRanges = new BlockList();
for (const cidr of PRIVATE_V4) addCidr(privateRanges, cidr);
for (const cidr of PRIVATE_V6) addCidr(privateRanges, cidr);

export function createOutboundPolicy(allow: readonly string[]): OutboundPolicy {
  const allowAll = allow.includes('*');
  const allowedRanges = new BlockList();
  const allowedAddresses = new Set<string>();
  const allowedHosts = new Set<string>();
  for (const entry of allow) {
    if (entry === '*') continue;
    if (entry.includes('/')) addCidr(allowedRanges, entry);
    else if (isIP(unbracket(entry))) allowedAddresses.add(normalize(unbracket(entry)));
    else allowedHosts.add(entry.toLowerCase());
  }
  return {
    refusal(address, host) {
      const ip = normalize(unbracket(address));
      const family = isIP(ip);
      if (family === 0) return `'${address}' is not an IP address`;
      if (METADATA.has(ip)) return allowedAddresses.has(ip) ? null : `${ip} is a cloud metadata address`;
      if (!isPrivate(ip, family)) return null;
      if (allowAll || allowedAddresses.has(ip) || allowedHosts.has(host.toLowerCase()) || allowedRanges.check(ip, family === 6 ? 'ipv6' : 'ipv4')) return null;
      return `${ip} is a private, loopback or reserved address`;
    },
  };
}

function isPrivate(ip: string, family: number): boolean {
  if (family === 4) return privateRanges.check(ip, 'ipv4');
  // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is judged as the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return privateRanges.check(mapped[1]!, 'ipv4');
  return privateRanges.check(ip, 'ipv6');
}

function addCidr(list: BlockList, cidr: string): void {
  const [net, bits] = cidr.split('/');
  const family = isIP(net ?? '');
  const prefix = Number(bits);
  if (family === 0 || !Number.isInteger(prefix)) throw new Error(`'${cidr}' is not a CIDR range`);
  list.addSubnet(net!, prefix, family === 6 ? 'ipv6' : 'ipv4');
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function normalize(ip: string): string {
  return ip.toLowerCase();
}
