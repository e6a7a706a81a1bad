import { isIP } from 'node:net';
import { Agent, buildConnector, fetch } from 'undici';
import { systemResolve, type Resolve } from './check-url.js';
import { guardedLookup } from './guarded-lookup.js';
import { OutboundRefusal } from './outbound-refusal.js';
import type { OutboundRules } from './outbound-rules.js';

export interface OutboundFetchOptions {
  /** @default the system resolver */
  resolve?: Resolve;
}

export type OutboundFetch = ((url: string, init: RequestInit) => Promise<Response>) & { close(): Promise<void> };

/**
 * fetch whose every connection is checked where it is made: scheme, an IP host against the
 * rules, a name through guardedLookup (net.connect does no lookup for an IP host, so that is
 * checked here first). Redirects are the caller's to refuse (`redirect: 'manual'`).
 */
export function createOutboundFetch(rules: OutboundRules, opts: OutboundFetchOptions = {}): OutboundFetch {
  const connect = buildConnector({ lookup: guardedLookup(rules, opts.resolve ?? systemResolve) });
  const agent = new Agent({
    connect: (options, callback) => {
      if (options.protocol === 'http:' && !rules.allowHttp) {
        return callback(new OutboundRefusal('plain http is not allowed (leads would travel unencrypted): use https', 'OUTBOUND_ALLOW_HTTP'), null);
      }
      const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
      const why = isIP(host) ? rules.refusalOf(host) : null;
      if (why) return callback(new OutboundRefusal(why), null);
      return connect(options, callback);
    },
  });
  const outboundFetch = (url: string, init: RequestInit) =>
    fetch(url, { ...(init as Parameters<typeof fetch>[1]), dispatcher: agent }) as unknown as Promise<Response>;
  return Object.assign(outboundFetch, { close: () => agent.close() });
}
