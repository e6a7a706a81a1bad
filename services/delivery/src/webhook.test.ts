import { createHmac } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@leadflow/config';
import { createOutboundFetch, createOutboundRules, outboundRulesFromConfig, outboundSchema } from '@leadflow/outbound';
import { freePort, startWebhookReceiver, waitUntil, type WebhookReceiver } from '@leadflow/testkit';
import { postWebhook as postWith, signPayload, type WebhookOptions } from './index.js';

// The receivers are on loopback: the test environment allows it (vitest.config.ts), as an operator would.
const outbound = createOutboundFetch(outboundRulesFromConfig(loadConfig(outboundSchema)));
const postWebhook = (body: string, opts: Omit<WebhookOptions, 'fetch'>) => postWith(body, { fetch: outbound, ...opts });
afterAll(() => outbound.close());

describe('postWebhook', () => {
  let receiver: WebhookReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('signs the body so that a receiver with the secret can check it', async () => {
    receiver = await startWebhookReceiver();
    const body = JSON.stringify({ leads: [{ row: 1 }] });
    const result = await postWebhook(body, { url: receiver.url, secret: 's3cret', idempotencyKey: 'job:0' });
    expect(result).toEqual({ ok: true, attempts: 1, status: 200 });
    const req = receiver.requests[0]!;
    expect(req.body).toBe(body);
    expect(req.headers['idempotency-key']).toBe('job:0');
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['leadflow-signature']))!;
    expect(v1).toBe(createHmac('sha256', 's3cret').update(`${t}.${body}`).digest('hex'));
    expect(signPayload('s3cret', body, Number(t))).toBe(req.headers['leadflow-signature']);
  });

  it('retries a server error with the same idempotency key, then succeeds', async () => {
    receiver = await startWebhookReceiver();
    receiver.respondWith(503);
    const r = receiver;
    const pending = postWebhook('{}', { url: r.url, idempotencyKey: 'k', backoffMs: 20, maxAttempts: 5 });
    await waitUntil('two failed attempts', () => (r.requests.length >= 2 ? true : undefined), { intervalMs: 5 });
    r.respondWith(200);
    const result = await pending;
    expect(result.ok).toBe(true);
    expect(result.attempts).toBeGreaterThanOrEqual(3);
    expect(new Set(r.requests.map((q) => q.headers['idempotency-key']))).toEqual(new Set(['k']));
  });

  it('does not retry a request the receiver refuses (4xx), and says why', async () => {
    receiver = await startWebhookReceiver();
    receiver.respondWith(422);
    const result = await postWebhook('{}', { url: receiver.url, idempotencyKey: 'k', backoffMs: 1 });
    expect(result).toEqual({ ok: false, attempts: 1, status: 422, error: 'HTTP 422' });
    expect(receiver.requests).toHaveLength(1);
  });

  it("reads a failing receiver's answer only up to a small limit, however big its body, and reports the failure", async () => {
    receiver = await startWebhookReceiver();
    const GiB = 1024 ** 3;
    receiver.respondWith({ status: 500, bodyBytes: GiB });
    let peakRss = 0;
    const rssBefore = process.memoryUsage.rss();
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
    try {
      const result = await postWebhook('{}', { url: receiver.url, idempotencyKey: 'k', backoffMs: 1, maxAttempts: 2 });
      expect(result).toEqual({ ok: false, attempts: 2, status: 500, error: 'HTTP 500' });
    } finally {
      clearInterval(sampler);
    }
    expect(receiver.requests).toHaveLength(2);
    // What the receiver got out before the client let go: the limit, plus what socket buffers hold.
    expect(receiver.bytesSent).toBeLessThan(2 * 32 * 1024 * 1024);
    expect(peakRss - rssBefore).toBeLessThan(256 * 1024 * 1024);
  });

  it('says why a request failed when nothing listens', async () => {
    const result = await postWebhook('{}', { url: `http://127.0.0.1:${await freePort()}/hook`, idempotencyKey: 'k', backoffMs: 1, maxAttempts: 1 });
    expect(result).toEqual({ ok: false, attempts: 1, error: 'fetch failed (ECONNREFUSED)' });
  });

  it('gives up after its attempts when nothing listens', async () => {
    const result = await postWebhook('{}', { url: 'http://127.0.0.1:9/hook', idempotencyKey: 'k', backoffMs: 1, maxAttempts: 2 });
    expect(result.ok).toBe(false);
    expect(result.attempts).toBe(2);
    expect(result.error).toMatch(/fetch failed|ECONNREFUSED/);
  });

  it('stops retrying as soon as its batch is taken away (the signal aborts), without another request', async () => {
    receiver = await startWebhookReceiver();
    receiver.respondWith(503);
    const r = receiver;
    const taken = new AbortController();
    const pending = postWebhook('{}', { url: r.url, idempotencyKey: 'k', backoffMs: 60_000, maxAttempts: 3, signal: taken.signal });
    await waitUntil('the first attempt', () => (r.requests.length >= 1 ? true : undefined), { intervalMs: 5 });
    const reason = new Error('the partition went to another consumer');
    taken.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(r.requests).toHaveLength(1);
  });

  it('refuses a receiver on loopback where nothing allows it, at once and without retrying', async () => {
    receiver = await startWebhookReceiver();
    const strict = createOutboundFetch(createOutboundRules({ allowHttp: true }));
    try {
      const result = await postWith('{}', { fetch: strict, url: receiver.url, idempotencyKey: 'k', backoffMs: 1, maxAttempts: 5 });
      expect(result).toEqual({ ok: false, attempts: 1, error: 'WEBHOOK_URL_FORBIDDEN: 127.0.0.1 is a loopback address' });
      expect(receiver.requests).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });
});
