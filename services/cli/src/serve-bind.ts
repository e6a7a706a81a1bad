import { BlockList, isIP, isIPv6 } from 'node:net';
import { CommandError } from './command-error.js';

/**
 * Where `leadflow serve` listens unless HTTP_HOST says otherwise: this machine only. A data
 * folder on a laptop holds other people's personal data; opening it to the network is a
 * choice an operator makes, with an admin key made first (issue 11).
 */
export const LOOPBACK_HOST = '127.0.0.1';

const CREATE_ADMIN_KEY = 'npx leadflow keys create --tenant NAME --role admin';

// Node's BlockList also matches an IPv4-mapped IPv6 address (::ffff:127.0.0.1) against an IPv4 range.
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether an IP address is one only this machine can reach (127.0.0.0/8, ::1). */
export function isLoopback(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** HTTP_HOST as config reads it: an IP address literal, so that what is checked is what is bound. */
export function readHost(raw: string): string {
  if (isIP(raw) === 0) {
    throw new Error(`must be an IP address to listen on (${LOOPBACK_HOST} for this machine only, 0.0.0.0 or :: for every interface), got "${raw}"`);
  }
  return raw;
}

/** An address as it goes before `:port`. */
export const hostForUrl = (host: string) => (isIPv6(host) ? `[${host}]` : host);

/**
 * The rule of `leadflow serve`: an address other than loopback only once an admin key exists.
 * Throws the one line that says how to get one; answers whether one exists, for the start line.
 */
export async function checkBind(host: string, keys: { hasAdminKey(): Promise<boolean> }): Promise<{ adminKey: boolean }> {
  const adminKey = await keys.hasAdminKey();
  if (!adminKey && !isLoopback(host)) {
    throw new CommandError(
      `HTTP_HOST=${host} would open REST and gRPC to other machines, which needs an admin key, and there is none: ` +
        `make one with ${CREATE_ADMIN_KEY}, or unset HTTP_HOST to listen on ${LOOPBACK_HOST} only`,
    );
  }
  return { adminKey };
}

/** What serve says after its address line when it listens on loopback only, and why; nothing otherwise. */
export function loopbackNotice(host: string, adminKey: boolean): string | undefined {
  if (!isLoopback(host)) return undefined;
  return adminKey
    ? 'listening on loopback only: set HTTP_HOST (e.g. 0.0.0.0) to open REST and gRPC to other machines'
    : `listening on loopback only, as no admin key exists: to open REST and gRPC to other machines, stop, make one with ${CREATE_ADMIN_KEY}, and start with HTTP_HOST=0.0.0.0`;
}
