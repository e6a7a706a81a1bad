import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** When its body had arrived (Date.now()), for tests that measure a rate at the receiver. */
  at: number;
}

/** What the receiver answers to a request. */
export interface Answer {
  status: number;
  /**
   * Streams a body of this many bytes instead of `{}`, as fast as the client reads it (never
   * buffered), for tests of a receiver whose answer is huge.
   */
  bodyBytes?: number;
  /** Answers only after this many milliseconds: a slow receiver, which delivery waits for. */
  delayMs?: number;
  /** Extra answer headers (a throttling receiver's Retry-After). */
  headers?: Record<string, string>;
}

/** An answer for every request, or one chosen per request (`index` counts from 0). */
export type Responder = number | Answer | ((request: ReceivedRequest, index: number) => number | Answer);

export interface WebhookReceiver {
  /** http://127.0.0.1:PORT/hook */
  url: string;
  requests: ReceivedRequest[];
  /** What the next requests are answered, for failure tests. @default 200 */
  respondWith(responder: Responder): void;
  /** Body bytes the receiver has written in its answers so far. */
  readonly bytesSent: number;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024, 'x');

/** Writes `bytes` bytes of body, waiting whenever the client is behind; stops when the client goes away. */
function stream(res: ServerResponse, bytes: number, sent: (n: number) => void): void {
  let left = bytes;
  const more = () => {
    while (left > 0 && !res.destroyed) {
      const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= chunk.length;
      sent(chunk.length);
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end();
  };
  more();
}

/** A real HTTP server on loopback that records every request it gets. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  let responder: Responder = 200;
  let bytesSent = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const index = requests.push(request) - 1;
      const chosen = typeof responder === 'function' ? responder(request, index) : responder;
      const answer: Answer = typeof chosen === 'number' ? { status: chosen } : chosen;
      if (answer.delayMs) {
        setTimeout(() => reply(res, answer), answer.delayMs);
        return;
      }
      reply(res, answer);
    });
  });
  const reply = (res: ServerResponse, answer: Answer) => {
    // A delayed answer may find its client gone, or the receiver closed.
    if (res.destroyed) return;
    if (answer.bodyBytes === undefined) {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end('{}');
      return;
    }
    res.on('error', () => {});
    res.writeHead(answer.status, { 'content-type': 'text/plain', 'content-length': String(answer.bodyBytes) });
    stream(res, answer.bodyBytes, (n) => (bytesSent += n));
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    respondWith: (r) => void (responder = r),
    get bytesSent() {
      return bytesSent;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
