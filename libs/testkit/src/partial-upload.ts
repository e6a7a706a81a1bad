import { Agent, request, type ClientRequest } from 'node:http';
import { bearer } from './api-keys.js';
import type { UploadAnswer } from './stream-upload.js';

/** A file part of a multipart upload. */
export interface UploadPart {
  name: string;
  bytes: Buffer;
}

/** An upload a test drives as a partner would: the headers and some of the body, the answer read, then the rest. */
export interface PartialUpload {
  /** The server's answer (status and JSON), as soon as it arrives: the request may still be being sent. */
  readonly answer: Promise<UploadAnswer>;
  /** Sends more of the body (respecting back-pressure): up to `bytes` more of the form, or all of it. */
  send(bytes?: number): Promise<void>;
  /** Bytes of the whole body sent so far, and its length. */
  readonly sent: number;
  readonly length: number;
  /** Sends what is left and ends the request. */
  finish(): Promise<void>;
  /** Breaks off: destroys the socket, as a client that crashed or lost its network. */
  abort(): void;
}

const BOUNDARY = 'leadflow-partial-upload';

/** A multipart body: the fields, then the files, each in a part named `file`, then the fields sent after them. */
export function multipartBody(files: readonly UploadPart[], fields: Record<string, string> = {}, after: Record<string, string> = {}): Buffer {
  const field = ([k, v]: [string, string]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  return Buffer.concat([
    Buffer.from(Object.entries(fields).map(field).join('')),
    ...files.flatMap((f) => [
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\nContent-Type: text/csv\r\n\r\n`),
      f.bytes,
      Buffer.from('\r\n'),
    ]),
    Buffer.from(Object.entries(after).map(field).join('') + `--${BOUNDARY}--\r\n`),
  ]);
}

/**
 * Opens `POST /v1/jobs` with a Content-Length for the whole of `body` (multipartBody) on a
 * connection of its own and sends nothing of the body until told: the test decides how much goes
 * before it reads the answer, and whether the rest ever does.
 */
export function startPartialUpload(port: number, body: Buffer, opts: { apiKey?: string } = {}): PartialUpload {
  // A connection kept alive (as curl's, a browser's or undici's): one that asks to be closed is
  // closed by the client itself once answered, which cuts off the rest of the body.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const req: ClientRequest = request({
    host: '127.0.0.1', port, method: 'POST', path: '/v1/jobs', agent,
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': body.length, ...(opts.apiKey ? bearer(opts.apiKey) : {}) },
  });
  let sent = 0;
  const answer = new Promise<UploadAnswer>((resolve, reject) => {
    req.on('response', (res) => {
      // An upload's answer (202 and its job) is sent at once but ends only once the request has
      // been read: it is taken as soon as its JSON is whole.
      let text = '';
      const take = () => {
        try {
          resolve({ status: res.statusCode!, body: JSON.parse(text) as UploadAnswer['body'] });
          return true;
        } catch {
          return false;
        }
      };
      res.on('data', (d: Buffer) => {
        text += d;
        take();
      });
      res.on('end', () => {
        if (!take()) reject(new Error(`the answer (${res.statusCode}) is not JSON: ${text.slice(0, 200)}`));
      });
    });
    req.on('error', reject);
    req.on('close', () => agent.destroy());
  });
  answer.catch(() => {});
  req.flushHeaders();

  async function send(bytes = body.length - sent) {
    const end = Math.min(body.length, sent + bytes);
    while (sent < end && !req.destroyed) {
      const piece = body.subarray(sent, Math.min(end, sent + 64 * 1024));
      sent += piece.length;
      if (!req.write(piece)) await drained(req);
    }
  }
  return {
    answer,
    send,
    get sent() {
      return sent;
    },
    length: body.length,
    async finish() {
      await send();
      await new Promise<void>((resolve) => req.end(resolve));
    },
    abort: () => req.destroy(),
  };
}

/**
 * Waits until the request can take more. Once its answer has ended, Node's ClientRequest no
 * longer emits 'drain' (Node 20), though its socket does: both are watched.
 */
export function drained(req: ClientRequest): Promise<void> {
  const socket = req.socket;
  return new Promise<void>((resolve) => {
    const go = () => {
      req.off('drain', go).off('close', go);
      socket?.off('drain', go);
      resolve();
    };
    req.on('drain', go).on('close', go);
    socket?.on('drain', go);
  });
}
