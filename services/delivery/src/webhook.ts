/**
 * The most of a receiver's answer that is read: the status decides, the body is read only so the
 * connection can be reused. A bigger body (a failing receiver once answered 1 GiB) is cut off
 * instead of held in memory.
 */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** Reads at most MAX_ANSWER_BYTES of the answer's body, then lets the rest go (the connection closes). */
export async function readAnswerBody(res: Response): Promise<void> {
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
export const refused = (err: unknown) => (err as FetchError).cause?.code === 'OUTBOUND_FORBIDDEN';

/** Why a request failed: fetch says "fetch failed" for every network error, its cause says which. */
export function failureOf(err: unknown): string {
  const e = err as FetchError;
  if (e.name === 'TimeoutError') return 'timed out';
  if (refused(err)) return `WEBHOOK_URL_FORBIDDEN: ${e.cause!.message}`;
  const why = e.cause?.code ?? e.cause?.message;
  return why ? `${e.message} (${why})` : e.message;
}

/** A POST without fetch's overhead (@leadflow/outbound's `post`): used when the fetch given has one. */
export type AttemptPost = (
  url: string,
  opts: { headers: Record<string, string>; body: string; signal?: AbortSignal; maxAnswerBytes: number },
) => Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>;

export interface AttemptRequest {
  url: string;
  /**
   * Makes every connection, and refuses one to an address that is not public (@leadflow/outbound);
   * its `post`, when it has one, makes the request (the same connections, less work per request).
   */
  fetch: ((url: string, init: RequestInit) => Promise<Response>) & { post?: AttemptPost };
  headers: Record<string, string>;
  body: string;
  /** @default 10000 */
  timeoutMs?: number;
  /** Aborts the request (the dispatcher stops): the attempt then throws the signal's reason. */
  signal?: AbortSignal;
}

/** What one attempt came to. */
export interface AttemptResult {
  ok: boolean;
  status?: number;
  /** "HTTP 503", "timed out", "fetch failed (ECONNREFUSED)", "WEBHOOK_URL_FORBIDDEN: ..." */
  error?: string;
  /** The answer's Retry-After header, as sent. */
  retryAfter?: string;
  /** The outbound guard refused the address: trying again gets the same answer. */
  forbidden?: boolean;
}

/** One POST of an event: no retry here (the dispatcher schedules them, docs/delivery.md). */
export async function attemptWebhook(req: AttemptRequest): Promise<AttemptResult> {
  if (req.fetch.post) return attemptPost(req, req.fetch.post);
  const timeout = AbortSignal.timeout(req.timeoutMs ?? 10_000);
  try {
    const res = await req.fetch(req.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      redirect: 'manual',
      signal: req.signal ? AbortSignal.any([timeout, req.signal]) : timeout,
    });
    await readAnswerBody(res);
    if (res.ok) return { ok: true, status: res.status };
    const retryAfter = res.headers.get('retry-after');
    return { ok: false, status: res.status, error: `HTTP ${res.status}`, ...(retryAfter ? { retryAfter } : {}) };
  } catch (err) {
    req.signal?.throwIfAborted();
    return { ok: false, error: failureOf(err), ...(refused(err) ? { forbidden: true } : {}) };
  }
}

/** The same attempt through `post`: one timer and one controller per request, no stream of the answer. */
async function attemptPost(req: AttemptRequest, post: AttemptPost): Promise<AttemptResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), req.timeoutMs ?? 10_000);
  const stop = () => controller.abort(req.signal!.reason);
  req.signal?.addEventListener('abort', stop, { once: true });
  try {
    req.signal?.throwIfAborted();
    const res = await post(req.url, { headers: req.headers, body: req.body, signal: controller.signal, maxAnswerBytes: MAX_ANSWER_BYTES });
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    const header = res.headers['retry-after'];
    const retryAfter = Array.isArray(header) ? header[0] : header;
    return { ok: false, status: res.status, error: `HTTP ${res.status}`, ...(retryAfter ? { retryAfter } : {}) };
  } catch (err) {
    req.signal?.throwIfAborted();
    return { ok: false, error: failureOf(err), ...(refused(err) ? { forbidden: true } : {}) };
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', stop);
  }
}
