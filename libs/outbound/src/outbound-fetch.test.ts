import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkOutboundUrl, type Resolve } from './check-url.js';
import { guardedLookup } from './guarded-lookup.js';
import { createOutboundFetch, type OutboundFetch } from './outbound-fetch.js';
import { createOutboundRules } from './outbound-rules.js';

/** A real HTTP server on one loopback address that counts what reaches it. */
async function receiver(host: string, port = 0): Promise<{ server: Server; port: number; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    // Each request on a connection of its own: a second request looks the name up again.
    res.setHeader('connection', 'close').end('ok');
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

/** A resolver that gives each look-up its own answer, the last one from then on, and counts them. */
function scripted(...steps: string[]): Resolve & { calls: number } {
  const resolve = Object.assign(
    async () => {
      const address = steps[Math.min(resolve.calls++, steps.length - 1)]!;
      return [{ address, family: address.includes(':') ? 6 : 4 }];
    },
    { calls: 0 },
  );
  return resolve;
}

/** The message of a refused request: fetch reports "fetch failed", its cause says why. */
async function refusedWith(pending: Promise<Response>): Promise<string> {
  const err = (await pending.then(() => null, (e: unknown) => e)) as (Error & { cause?: Error & { code?: string } }) | null;
  expect(err).not.toBeNull();
  expect(err!.cause?.code).toBe('OUTBOUND_FORBIDDEN');
  return err!.cause!.message;
}

const post = { method: 'POST', body: '{}', redirect: 'manual' } as const;

describe('createOutboundFetch', () => {
  const open: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const item of open.splice(0)) await item.close();
  });
  const track = <T extends { close(): unknown }>(item: T): T => (open.push(item), item);
  const serve = async (host: string, port?: number) => {
    const r = await receiver(host, port);
    track({ close: () => new Promise((resolve) => r.server.close(resolve)) });
    return r;
  };

  it('refuses a loopback receiver without OUTBOUND_ALLOW_CIDRS, and reaches it with 127.0.0.0/8 allowed', async () => {
    const r = await serve('127.0.0.1');
    const url = `http://127.0.0.1:${r.port}/hook`;
    const strict = track(createOutboundFetch(createOutboundRules({ allowHttp: true })));
    expect(await refusedWith(strict(url, post))).toBe('127.0.0.1 is a loopback address');
    // Every spelling of the address is the address.
    expect(await refusedWith(strict(`http://2130706433:${r.port}/hook`, post))).toBe('127.0.0.1 is a loopback address');
    expect(await refusedWith(strict(`http://0x7f.1:${r.port}/hook`, post))).toBe('127.0.0.1 is a loopback address');
    expect(await refusedWith(strict(`http://0177.0.0.1:${r.port}/hook`, post))).toBe('127.0.0.1 is a loopback address');
    expect(await refusedWith(strict(`http://127.1:${r.port}/hook`, post))).toBe('127.0.0.1 is a loopback address');
    expect(r.hits).toEqual([]);

    const allowed = track(createOutboundFetch(createOutboundRules({ allowHttp: true, allowCidrs: ['127.0.0.0/8'] })));
    const res = await allowed(url, post);
    expect([res.status, await res.text()]).toEqual([200, 'ok']);
    expect(r.hits).toEqual(['POST /hook']);
  });

  it('refuses plain http unless a setting allows it, before connecting', async () => {
    const r = await serve('127.0.0.1');
    const https = track(createOutboundFetch(createOutboundRules({ allowCidrs: ['127.0.0.0/8'] })));
    expect(await refusedWith(https(`http://127.0.0.1:${r.port}/hook`, post))).toBe('plain http is not allowed (leads would travel unencrypted): use https');
    expect(r.hits).toEqual([]);
  });

  it('refuses a name whose answer at connect is 127.0.0.1, though it resolved to a public address when saved', async () => {
    const r = await serve('127.0.0.1');
    const rules = createOutboundRules({ allowHttp: true });
    const resolve = scripted('93.184.215.14', '127.0.0.1');
    const url = `http://rebind.test:${r.port}/hook`;
    expect((await checkOutboundUrl(url, rules, resolve)).hostname).toBe('rebind.test');
    const guarded = track(createOutboundFetch(rules, { resolve }));
    expect(await refusedWith(guarded(url, post))).toBe('rebind.test resolves to a forbidden address: 127.0.0.1 is a loopback address');
    expect(resolve.calls).toBe(2);
    expect(r.hits).toEqual([]);
  });

  it('connects to the address it checked, never to the one a second answer gives', async () => {
    // 127.0.0.2 stands in for a public address (allowed): the traffic stays on loopback.
    const checked = await serve('127.0.0.2');
    const other = await serve('127.0.0.1', checked.port);
    const rules = createOutboundRules({ allowHttp: true, allowCidrs: ['127.0.0.2/32'] });
    const resolve = scripted('127.0.0.2', '127.0.0.1');
    const guarded = track(createOutboundFetch(rules, { resolve }));
    const url = `http://rebind.test:${checked.port}/hook`;
    const first = await guarded(url, post);
    expect([first.status, await first.text()]).toEqual([200, 'ok']);
    expect(resolve.calls).toBe(1);
    // The next connection looks the name up again: the second answer is refused, not followed.
    expect(await refusedWith(guarded(url, post))).toBe('rebind.test resolves to a forbidden address: 127.0.0.1 is a loopback address');
    expect(resolve.calls).toBe(2);
    expect(checked.hits).toEqual(['POST /hook']);
    expect(other.hits).toEqual([]);
  });
});

describe('guardedLookup', () => {
  const lookupOnce = (lookup: ReturnType<typeof guardedLookup>, options: { all?: boolean; family?: number }) =>
    new Promise<{ err: Error | null; address: unknown; family?: number }>((resolve) =>
      lookup('rebind.test', options, (err, address, family) => resolve({ err, address, family })),
    );

  it('hands the socket the public answer it checked, then refuses the second answer, 127.0.0.1', async () => {
    const lookup = guardedLookup(createOutboundRules(), scripted('93.184.215.14', '127.0.0.1'));
    expect(await lookupOnce(lookup, {})).toEqual({ err: null, address: '93.184.215.14', family: 4 });
    const second = await lookupOnce(lookup, { all: true });
    expect(second.err?.message).toBe('rebind.test resolves to a forbidden address: 127.0.0.1 is a loopback address');
    expect(second.address).toBe('');
  });

  it('answers every checked address when asked for all (Happy Eyeballs), and only the family asked for', async () => {
    const resolve: Resolve = async () => [
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
      { address: '93.184.215.14', family: 4 },
    ];
    const lookup = guardedLookup(createOutboundRules(), resolve);
    expect((await lookupOnce(lookup, { all: true })).address).toEqual([
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
      { address: '93.184.215.14', family: 4 },
    ]);
    expect(await lookupOnce(lookup, { family: 4 })).toEqual({ err: null, address: '93.184.215.14', family: 4 });
  });
});
