import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * The address `text` names, or null when it is not an IP address (brackets allowed). An
 * IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is the IPv4 address itself: a dual-stack socket
 * connects to exactly that.
 */
export function parseAddress(text: string): IpAddress | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIP(bare) === 0) return null;
  return ipaddr.process(bare);
}

/**
 * The IPv4 addresses an IPv6 address carries, to which a translator or a tunnel delivers it:
 * IPv4-compatible `::a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::/96` and the
 * local-use `64:ff9b:1::/48` (every RFC 6052 position: its prefix length is the network's choice),
 * 6to4 `2002:AABB:CCDD::/48`, and Teredo `2001:0:SERVER::CLIENT` (client bits inverted).
 */
export function embeddedIpv4(address: IpAddress): ipaddr.IPv4[] {
  if (address.kind() === 'ipv4') return [];
  const b = address.toByteArray();
  const at = (...i: number[]) => new ipaddr.IPv4(i.map((k) => b[k]!));
  if (isIpv4Compatible(address)) return [at(12, 13, 14, 15)];
  switch (address.range() as string) {
    case 'rfc6145':
      return [at(12, 13, 14, 15)];
    case 'rfc6052':
      return (address as ipaddr.IPv6).match(LOCAL_NAT64, 48)
        ? [at(6, 7, 9, 10), at(7, 9, 10, 11), at(9, 10, 11, 12), at(12, 13, 14, 15)]
        : [at(12, 13, 14, 15)];
    case '6to4':
      return [at(2, 3, 4, 5)];
    case 'teredo': {
      const client = new ipaddr.IPv4([12, 13, 14, 15].map((k) => b[k]! ^ 0xff));
      return [at(4, 5, 6, 7), client];
    }
    default:
      return [];
  }
}

/** The local-use NAT64 prefix (RFC 8215): a network of one's own, never a public destination. */
export function isLocalNat64(address: IpAddress): boolean {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).match(LOCAL_NAT64, 48);
}

/** Deprecated (RFC 4291) and routed nowhere: the whole `::/96` except what it embeds is suspect. */
export function isIpv4Compatible(address: IpAddress): boolean {
  return address.kind() === 'ipv6' && address.toByteArray().slice(0, 12).every((x) => x === 0);
}

/** A CIDR range `net/bits`, or an Error naming it. */
export function parseRange(cidr: string): [IpAddress, number] {
  const bad = new Error(`'${cidr}' is not a CIDR range`);
  // ipaddr.js also reads `10/8` as 0.0.0.10/8: only a plain address may stand before the slash.
  if (isIP(cidr.slice(0, cidr.indexOf('/'))) === 0) throw bad;
  try {
    return ipaddr.parseCIDR(cidr);
  } catch {
    throw bad;
  }
}

/** Whether `address` lies in `range` (same family only). */
export function inRange(address: IpAddress, [net, bits]: [IpAddress, number]): boolean {
  return address.kind() === net.kind() && address.match(net as never, bits);
}

const LOCAL_NAT64 = ipaddr.IPv6.parse('64:ff9b:1::');
