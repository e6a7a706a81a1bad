import { readFileSync } from 'node:fs';
import { Agent, get, request } from 'node:http';
import { bearer } from './api-keys.js';
import { drained } from './partial-upload.js';

export interface UploadAnswer {
  status: number;
  body: { code?: string; message?: string; jobId?: string; id?: string; status?: string };
}

export interface StreamUploadOptions {
  /** Form fields sent before the file. */
  fields?: Record<string, string>;
  /** The client goes away after sending this many bytes of the file: resolves 'aborted'. */
  abortAfter?: number;
  /** @default 120000 */
  timeoutMs?: number;
  /** The API key sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** Sent chunked, with no Content-Length (as a client streaming a file of unknown length does). */
  chunked?: boolean;
}

/**
 * POSTs `file` to `/v1/jobs` as multipart on a connection of its own, streamed in 64 KiB writes
 * that respect back-pressure. As curl does, it goes on sending after an answer of 2xx (the upload
 * is answered as soon as its job exists) and stops once the server answers an error. Resolves
 * with the answer once the whole request is sent (or stopped) and the answer's JSON is whole. Fails if no answer arrives within
 * the timeout: an upload the server leaves waiting.
 */
export function streamUpload(port: number, file: Buffer, opts: StreamUploadOptions = {}): Promise<UploadAnswer | 'aborted'> {
  const boundary = 'leadflow-stream-upload';
  const head = Buffer.from(
    Object.entries(opts.fields ?? {}).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="upload.csv"\r\nContent-Type: text/csv\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    let answered = false;
    let refused = false;
    let answer: UploadAnswer | undefined;
    let sent = false;
    /** The answer has ended: the server has read the request, or gave up on it. */
    let over = false;
    const settle = () => {
      if (!answer || !sent) return;
      resolve(answer);
      // Its own connection, closed once done (tests count the server's open connections), but not
      // before the server has read what was sent: closing it earlier would cut the upload off.
      if (over || refused) agent.destroy();
    };
    // Kept alive, as curl's: a connection that asks to be closed is closed by the client once answered, body or not.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const req = request({
      host: '127.0.0.1', port, method: 'POST', path: '/v1/jobs', agent,
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        ...(opts.chunked ? {} : { 'content-length': head.length + file.length + tail.length }),
        ...(opts.apiKey ? bearer(opts.apiKey) : {}),
      },
    });
    req.on('response', (res) => {
      answered = true;
      refused = res.statusCode! >= 300;
      // An upload's 202 and job come at once, its end only once the server has read the request:
      // the answer is taken as soon as its JSON is whole.
      let text = '';
      const take = () => {
        if (answer) return;
        try {
          answer = { status: res.statusCode!, body: JSON.parse(text) as UploadAnswer['body'] };
        } catch {
          return;
        }
        if (refused) sent = true;
        settle();
      };
      res.on('data', (d: Buffer) => {
        text += d;
        take();
      });
      res.on('end', () => {
        over = true;
        if (answer && sent) agent.destroy();
        take();
        if (!answer) reject(new Error(`the answer (${res.statusCode}) is not JSON: ${text.slice(0, 200)}`));
      });
    });
    // Writes after the server closed fail; only a request that got no answer failed.
    req.on('error', (err) => {
      if (!answered) agent.destroy();
      if (opts.abortAfter !== undefined) return resolve('aborted');
      if (!answered) return reject(err);
      // The server closed the connection after its answer (the upload failed after it).
      sent = true;
      settle();
    });
    req.setTimeout(opts.timeoutMs ?? 120_000, () => req.destroy(new Error(`no answer to the upload within ${opts.timeoutMs ?? 120_000} ms`)));
    (async () => {
      req.write(head);
      for (let at = 0; at < file.length && !refused; at += 64 * 1024) {
        if (opts.abortAfter !== undefined && at >= opts.abortAfter) {
          // Let the server take what was sent before the client goes away.
          await new Promise((r) => setTimeout(r, 500));
          req.destroy();
          resolve('aborted');
          return;
        }
        if (!req.write(file.subarray(at, at + 64 * 1024))) await drained(req);
        if (req.destroyed) return;
      }
      if (!refused) req.end(tail, () => {
        sent = true;
        settle();
      });
    })().catch(reject);
  });
}

/** GETs JSON on a connection of its own, closed after (a kept-alive one would count as open). */
export function getJson<T>(port: number, path: string, apiKey?: string): Promise<T> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false, headers: apiKey ? bearer(apiKey) : {} }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => resolve(JSON.parse(text) as T));
    }).on('error', reject);
  });
}

/**
 * The TCP connections of a server on `port` (this host, Linux): its sockets that are neither
 * listening nor in TIME_WAIT (the kernel's, once the server closed them).
 */
export function openServerSockets(port: number): number {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let open = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (local?.endsWith(hex) && state !== '0A' && state !== '06') open++;
    }
  }
  return open;
}
