import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { OutboundRefusal } from './outbound-refusal.js';
import type { OutboundRules } from './outbound-rules.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address of a host name, as the system resolver answers (tests inject their own). */
export type Resolve = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolve: Resolve = (hostname) => lookup(hostname, { all: true });

export interface OutboundTarget {
  /** The URL as the WHATWG parser normalized it (`http://0x7f.1/` is `http://127.0.0.1/`). */
  url: URL;
  /** The host without IPv6 brackets. */
  hostname: string;
  /** The host when it is an IP address; null for a name, whose addresses are checked when resolved. */
  address: string | null;
}

/**
 * Checks what can be checked without DNS: the scheme, and the address when the host is one. The
 * WHATWG parser reads every spelling of an IPv4 address (decimal, hex, octal, shortened) as
 * dotted decimal first, so none of them slips past as a "name".
 */
export function outboundTarget(raw: string, rules: OutboundRules): OutboundTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRefusal('it is not a URL', null);
  }
  if (url.protocol === 'http:' && !rules.allowHttp) {
    throw new OutboundRefusal('plain http is not allowed (leads would travel unencrypted): use https', 'OUTBOUND_ALLOW_HTTP');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new OutboundRefusal(`${url.protocol} URLs are not allowed: use https`, null);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!isIP(hostname)) return { url, hostname, address: null };
  const why = rules.refusalOf(hostname);
  if (why) throw new OutboundRefusal(why);
  return { url, hostname, address: hostname };
}

/** Refuses a host whose answers hold one address that may not be reached: any one of them could be used. */
export function checkAnswers(hostname: string, answers: readonly ResolvedAddress[], rules: OutboundRules): void {
  for (const { address } of answers) {
    const why = rules.refusalOf(address);
    if (why) throw new OutboundRefusal(`${hostname} resolves to a forbidden address: ${why}`);
  }
}

/**
 * The check when a URL is saved: `outboundTarget`, then the host name's addresses. A name that
 * does not resolve now is let through (DNS can fail for a while); every connection checks again
 * (guardedLookup), and that check is the one that holds.
 */
export async function checkOutboundUrl(raw: string, rules: OutboundRules, resolve: Resolve = systemResolve): Promise<OutboundTarget> {
  const target = outboundTarget(raw, rules);
  if (target.address) return target;
  let answers: readonly ResolvedAddress[];
  try {
    answers = await resolve(target.hostname);
  } catch {
    return target;
  }
  checkAnswers(target.hostname, answers, rules);
  return target;
}
