import { readFileSync } from 'node:fs';
import { get, request } from 'node:http';
import { bearer } from './api-keys.js';

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
}

/**
 * POSTs `file` to `/v1/jobs` as multipart on a connection of its own, streamed in 64 KiB writes
 * that respect back-pressure, and stops writing once the server answers (as curl does). Fails if
 * no answer arrives within the timeout: an upload the server leaves waiting.
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
    const req = request({
      host: '127.0.0.1', port, method: 'POST', path: '/v1/jobs', agent: false,
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': head.length + file.length + tail.length,
        ...(opts.apiKey ? bearer(opts.apiKey) : {}),
      },
    });
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as UploadAnswer['body'] }));
    });
    // Writes after the server closed fail; only a request that got no answer failed.
    req.on('error', (err) => (opts.abortAfter !== undefined ? resolve('aborted') : answered || reject(err)));
    req.setTimeout(opts.timeoutMs ?? 120_000, () => req.destroy(new Error(`no answer to the upload within ${opts.timeoutMs ?? 120_000} ms`)));
    (async () => {
      req.write(head);
      for (let at = 0; at < file.length && !answered; at += 64 * 1024) {
        if (opts.abortAfter !== undefined && at >= opts.abortAfter) {
          // Let the server take what was sent before the client goes away.
          await new Promise((r) => setTimeout(r, 500));
          req.destroy();
          return;
        }
        if (!req.write(file.subarray(at, at + 64 * 1024))) {
          await new Promise<void>((resolve) => {
            const go = () => {
              req.off('drain', go).off('close', go);
              resolve();
            };
            req.on('drain', go).on('close', go);
          });
        }
        if (req.destroyed) return;
      }
      if (!answered) req.end(tail);
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
