import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OutboundFetch } from '@leadflow/outbound';

export interface WebhookOptions {
  url: string;
  /** Makes every connection, and refuses one to an address that is not public (@leadflow/outbound). */
  fetch: OutboundFetch;
  /** HMAC-SHA256 key; the body is signed when set. */
  secret?: string | null;
  /** Same for every retry of one batch, so a receiver can drop a repeat. */
  idempotencyKey: string;
  /** @default 5 */
  maxAttempts?: number;
  /** @default 10000 */
  timeoutMs?: number;
  /** First retry delay, doubled each time. @default 500 */
  backoffMs?: number;
  /** Stops the retries, and a request under way, when it aborts (the batch is another consumer's now). */
  signal?: AbortSignal;
}

export interface WebhookResult {
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`: the receiver recomputes it with the
 * shared secret and rejects old timestamps, which defeats replays.
 */
export function signPayload(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * The most of a receiver's answer that is read: the status decides, the body is read only so the
 * connection can be reused. A bigger body (a failing receiver once answered 1 GiB) is cut off
 * instead of held in memory.
 */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** Reads at most MAX_ANSWER_BYTES of the answer's body, then lets the rest go (the connection closes). */
async function readAnswerBody(res: Response): Promise<void> {
  const reader = res.body?.getReader();
  if (!reader) return;
  let read = 0;
  try {
    while (read < MAX_ANSWER_BYTES) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // A body cut short (timeout, reset) changes nothing: the status was received.
  }
}

type FetchError = Error & { cause?: { code?: string; message?: string } };

/** A connection the outbound guard refused: the same answer every time, so no retry. */
const refused = (err: unknown) => (err as FetchError).cause?.code === 'OUTBOUND_FORBIDDEN';

/** Why a request failed: fetch says "fetch failed" for every network error, its cause says which. */
function failureOf(err: unknown): string {
  const e = err as FetchError;
  if (e.name === 'TimeoutError') return 'timed out';
  if (refused(err)) return `WEBHOOK_URL_FORBIDDEN: ${e.cause!.message}`;
  const why = e.cause?.code ?? e.cause?.message;
  return why ? `${e.message} (${why})` : e.message;
}

/**
 * The longest wait between two attempts, whatever a receiver's Retry-After asks: below the Kafka
 * consumer's session timeout (30 s), as every wait of a batch is.
 */
export const MAX_RETRY_WAIT_MS = 20_000;

/** POSTs a JSON body, retrying network errors, timeouts, 408, 429 (after Retry-After) and 5xx. */
export async function postWebhook(body: string, opts: WebhookOptions): Promise<WebhookResult> {
  const maxAttempts = opts.maxAttempts ?? 5;
  let last: WebhookResult = { ok: false, attempts: 0 };
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'leadflow-delivery/0.1',
      'idempotency-key': opts.idempotencyKey,
    };
    if (opts.secret) headers['leadflow-signature'] = signPayload(opts.secret, body, Math.floor(Date.now() / 1000));
    let wait = (opts.backoffMs ?? 500) * 2 ** (attempt - 1);
    try {
      const res = await opts.fetch(opts.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: opts.signal ? AbortSignal.any([AbortSignal.timeout(opts.timeoutMs ?? 10_000), opts.signal]) : AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      await readAnswerBody(res);
      if (res.ok) return { ok: true, attempts: attempt, status: res.status };
      last = { ok: false, attempts: attempt, status: res.status, error: `HTTP ${res.status}` };
      if (!retryable(res.status)) return last;
      const retryAfter = Number(res.headers.get('retry-after'));
      if (Number.isFinite(retryAfter) && retryAfter > 0) wait = retryAfter * 1000;
    } catch (err) {
      opts.signal?.throwIfAborted();
      last = { ok: false, attempts: attempt, error: failureOf(err) };
      if (refused(err)) return last;
    }
    if (attempt < maxAttempts) {
      await sleep(Math.min(wait, MAX_RETRY_WAIT_MS), undefined, { signal: opts.signal }).catch((err: unknown) => {
        opts.signal?.throwIfAborted();
        throw err;
      });
    }
  }
  return last;
}
