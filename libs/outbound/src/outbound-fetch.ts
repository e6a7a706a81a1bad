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

/** A POST's answer as `post` reads it: the status and the headers (lower-case names). */
export interface OutboundAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

export interface OutboundPostOptions {
  headers: Record<string, string>;
  body: string;
  /** Aborts the request: it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** How much of the answer's body is read (then the connection is let go). */
  maxAnswerBytes: number;
}

/**
 * A POST through the same guarded connections, without fetch's streams and Request objects
 * (webhook delivery makes thousands a second). No redirect is followed. A failure rejects as
 * fetch's would: a TypeError "fetch failed" whose `cause` says why.
 */
export type OutboundPost = (url: string, opts: OutboundPostOptions) => Promise<OutboundAnswer>;

export type OutboundFetch = ((url: string, init: RequestInit) => Promise<Response>) & { close(): Promise<void>; post: OutboundPost };

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
  const post: OutboundPost = async (url, { headers, body, signal, maxAnswerBytes }) => {
    const target = new URL(url);
    let answer;
    try {
      answer = await agent.request({ origin: target.origin, path: `${target.pathname}${target.search}`, method: 'POST', headers, body, signal });
    } catch (err) {
      signal?.throwIfAborted();
      throw Object.assign(new TypeError('fetch failed'), { cause: err });
    }
    // The status decides; the body is read only so that the connection can be reused, up to a limit.
    let read = 0;
    try {
      for await (const chunk of answer.body) {
        read += (chunk as Buffer).byteLength;
        if (read >= maxAnswerBytes) {
          answer.body.destroy();
          break;
        }
      }
    } catch {
      // A body cut short changes nothing: the status was received.
    }
    return { status: answer.statusCode, headers: answer.headers };
  };
  return Object.assign(outboundFetch, { close: () => agent.close(), post });
}
