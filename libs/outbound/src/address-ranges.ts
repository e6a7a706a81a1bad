import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * The addresses no outbound request may reach, each with what it is (IANA's IPv4 and IPv6
 * special-purpose registries). The first range that holds an address names it, so a narrow
 * range goes before a wide one that holds it.
 */
const IPV4_RANGES: readonly (readonly [cidr: string, kind: string])[] = [
  ['0.0.0.0/32', 'an unspecified address'],
  ['0.0.0.0/8', 'a reserved ("this network") address'],
  ['10.0.0.0/8', 'a private address'],
  ['100.64.0.0/10', 'a shared (CGNAT) address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.0.0/16', 'a link-local address'],
  ['172.16.0.0/12', 'a private address'],
  ['192.0.0.0/24', 'a reserved (IETF protocol) address'],
  ['192.0.2.0/24', 'a reserved (documentation) address'],
  ['192.88.99.0/24', 'a reserved (6to4 relay) address'],
  ['192.168.0.0/16', 'a private address'],
  ['198.18.0.0/15', 'a reserved (benchmarking) address'],
  ['198.51.100.0/24', 'a reserved (documentation) address'],
  ['203.0.113.0/24', 'a reserved (documentation) address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['255.255.255.255/32', 'the broadcast address'],
  ['240.0.0.0/4', 'a reserved address'],
];

const IPV6_RANGES: readonly (readonly [cidr: string, kind: string])[] = [
  ['::/128', 'an unspecified address'],
  ['::1/128', 'a loopback address'],
  ['::ffff:0:0/96', 'an IPv4-mapped IPv6 address'],
  ['64:ff9b:1::/48', 'a local-use NAT64 address'],
  ['100::/64', 'a reserved (discard-only) address'],
  ['2001:db8::/32', 'a reserved (documentation) address'],
  ['2001::/23', 'a reserved (IETF protocol) address'],
  ['3fff::/20', 'a reserved (documentation) address'],
  ['fc00::/7', 'a unique-local address'],
  ['fe80::/10', 'a link-local address'],
  ['fec0::/10', 'a site-local address'],
  ['ff00::/8', 'a multicast address'],
];

type Family = 'ipv4' | 'ipv6';

function rangesOf(family: Family, ranges: readonly (readonly [string, string])[]) {
  return ranges.map(([cidr, kind]) => ({ kind, list: blockOf([cidr], family) }));
}

/** A BlockList of CIDRs of one family; throws on a CIDR that is not one. */
export function blockOf(cidrs: readonly string[], family: Family): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net, bits] = cidr.split('/') as [string, string];
    list.addSubnet(net, Number(bits), family);
  }
  return list;
}

const V4 = rangesOf('ipv4', IPV4_RANGES);
const V6 = rangesOf('ipv6', IPV6_RANGES);
const GLOBAL_UNICAST_V6 = blockOf(['2000::/3'], 'ipv6');
const NAT64 = blockOf(['64:ff9b::/96'], 'ipv6');
const SIX_TO_FOUR = blockOf(['2002::/16'], 'ipv6');

/** The 16 bytes of a valid IPv6 address (`::` expanded, a trailing dotted quad read). */
export function ipv6Bytes(address: string): Uint8Array {
  let text = address;
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

const dotted = (b: Uint8Array, at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;

function ipv4Kind(address: string): string | null {
  return V4.find((r) => r.list.check(address, 'ipv4'))?.kind ?? null;
}

/** NAT64 and 6to4 addresses carry an IPv4 address, which must be public too. */
function embeddedKind(address: string): string | null {
  const form = NAT64.check(address, 'ipv6') ? 'NAT64' : SIX_TO_FOUR.check(address, 'ipv6') ? '6to4' : null;
  if (!form) return null;
  const bytes = ipv6Bytes(address);
  const v4 = dotted(bytes, form === 'NAT64' ? 12 : 2);
  const kind = ipv4Kind(v4);
  return kind ? `a ${form} form of ${v4}, ${kind}` : null;
}

/**
 * Why an outbound request may not go to this IP address ("127.0.0.1 is a loopback address"),
 * or null when it is a public address. Anything that is not an IP address is refused too.
 */
export function forbiddenReason(address: string): string | null {
  if (isIPv4(address)) {
    const kind = ipv4Kind(address);
    return kind ? `${address} is ${kind}` : null;
  }
  if (!isIPv6(address)) return `${address} is not an IP address`;
  const kind = V6.find((r) => r.list.check(address, 'ipv6'))?.kind ?? embeddedKind(address);
  if (kind) return `${address} is ${kind}`;
  // Only 2000::/3 is global unicast; NAT64 of a public IPv4 address is the one public form outside it.
  if (!GLOBAL_UNICAST_V6.check(address, 'ipv6') && !NAT64.check(address, 'ipv6')) return `${address} is a reserved address`;
  return null;
}
