import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@leadflow/config';
import { createOutboundFetch, createOutboundRules, outboundRulesFromConfig, outboundSchema } from '@leadflow/outbound';
import { freePort, startWebhookReceiver, waitUntil, type WebhookReceiver } from '@leadflow/testkit';
import { attemptWebhook, type AttemptRequest } from './webhook.js';

// The receivers are on loopback: the test environment allows it (vitest.config.ts), as an operator would.
const outbound = createOutboundFetch(outboundRulesFromConfig(loadConfig(outboundSchema)));
const attempt = (req: Omit<AttemptRequest, 'fetch' | 'headers' | 'body'> & { body?: string }) =>
  attemptWebhook({ fetch: outbound, headers: { 'content-type': 'application/json' }, body: '{}', ...req });
afterAll(() => outbound.close());

describe('attemptWebhook', () => {
  let receiver: WebhookReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('posts the body and headers as given, and says the answer was a success', async () => {
    receiver = await startWebhookReceiver();
    const result = await attemptWebhook({ fetch: outbound, url: receiver.url, headers: { 'webhook-id': 'msg_1' }, body: '{"a":1}' });
    expect(result).toEqual({ ok: true, status: 200 });
    expect(receiver.requests[0]).toMatchObject({ method: 'POST', body: '{"a":1}', headers: { 'webhook-id': 'msg_1' } });
  });

  it("passes on a throttling receiver's Retry-After", async () => {
    receiver = await startWebhookReceiver();
    receiver.respondWith({ status: 429, headers: { 'retry-after': '7' } });
    expect(await attempt({ url: receiver.url })).toEqual({ ok: false, status: 429, error: 'HTTP 429', retryAfter: '7' });
  });

  it("reads a failing receiver's answer only up to a small limit, however big its body, and reports the failure", async () => {
    receiver = await startWebhookReceiver();
    const GiB = 1024 ** 3;
    receiver.respondWith({ status: 500, bodyBytes: GiB });
    let peakRss = 0;
    const rssBefore = process.memoryUsage.rss();
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
    try {
      expect(await attempt({ url: receiver.url })).toEqual({ ok: false, status: 500, error: 'HTTP 500' });
      expect(await attempt({ url: receiver.url })).toEqual({ ok: false, status: 500, error: 'HTTP 500' });
    } finally {
      clearInterval(sampler);
    }
    expect(receiver.requests).toHaveLength(2);
    // What the receiver got out before the client let go: the limit, plus what socket buffers hold.
    expect(receiver.bytesSent).toBeLessThan(2 * 32 * 1024 * 1024);
    expect(peakRss - rssBefore).toBeLessThan(256 * 1024 * 1024);
  });

  it('says why a request failed when nothing listens', async () => {
    expect(await attempt({ url: `http://127.0.0.1:${await freePort()}/hook` })).toEqual({ ok: false, error: 'fetch failed (ECONNREFUSED)' });
  });

  it('says a request timed out', async () => {
    receiver = await startWebhookReceiver();
    receiver.respondWith({ status: 200, delayMs: 5_000 });
    expect(await attempt({ url: receiver.url, timeoutMs: 100 })).toEqual({ ok: false, error: 'timed out' });
  });

  it('throws the reason when the dispatcher stops it mid-request', async () => {
    receiver = await startWebhookReceiver();
    receiver.respondWith({ status: 200, delayMs: 60_000 });
    const r = receiver;
    const stop = new AbortController();
    const pending = attempt({ url: r.url, signal: stop.signal });
    await waitUntil('the request', () => (r.requests.length >= 1 ? true : undefined), { intervalMs: 5 });
    const reason = new Error('stopping');
    stop.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('refuses a receiver on loopback where nothing allows it, and says it is forbidden', async () => {
    receiver = await startWebhookReceiver();
    const strict = createOutboundFetch(createOutboundRules({ allowHttp: true }));
    try {
      const result = await attemptWebhook({ fetch: strict, url: receiver.url, headers: {}, body: '{}' });
      expect(result).toEqual({ ok: false, error: 'WEBHOOK_URL_FORBIDDEN: 127.0.0.1 is a loopback address', forbidden: true });
      expect(receiver.requests).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });
});
