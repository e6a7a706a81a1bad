import { isIP } from 'node:net';
import { blockOf } from './address-ranges.js';

/** Addresses an operator lets outbound requests reach although they are not public (OUTBOUND_ALLOW_CIDRS). */
export interface AllowList {
  readonly cidrs: readonly string[];
  allows(address: string): boolean;
}

/**
 * Reads CIDRs (`127.0.0.0/8`, `fd00::/8`; a bare address is itself alone). Throws an Error that
 * names the first entry that is not one, and how to write it.
 */
export function parseAllowList(cidrs: readonly string[]): AllowList {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const entry of cidrs) {
    const [address = '', bits, extra] = entry.trim().split('/');
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (family === 0 || extra !== undefined || !(prefix >= 0 && prefix <= max)) {
      throw new Error(`has "${entry}", which is not a CIDR: write an address and a prefix length, e.g. 127.0.0.0/8 or ::1/128`);
    }
    (family === 4 ? v4 : v6).push(`${address}/${prefix}`);
  }
  const list4 = blockOf(v4, 'ipv4');
  const list6 = blockOf(v6, 'ipv6');
  return {
    cidrs: [...v4, ...v6],
    // An address of one family is never matched against the other's ranges (BlockList would
    // match ::ffff:127.0.0.1 against 127.0.0.0/8: an IPv4-mapped address stays refused).
    allows: (address) => (isIP(address) === 4 ? list4.check(address, 'ipv4') : isIP(address) === 6 && list6.check(address, 'ipv6')),
  };
}
