import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CATALOGUE, type ErrorCode } from './error-catalogue.js';
import type { GatewayError } from './gateway-error.js';

/**
 * How long a connection answered before its request body arrived stays open, its bytes read and
 * dropped, before it is closed. Closing a socket with unread bytes makes the kernel reset it, and
 * a client still sending may then lose the answer; a short drain first lets it read the answer
 * (what Go's net/http and nginx's lingering close do).
 */
const LINGER_MS = 1_000;

/** Answers `{ code, message, jobId? }`; before the request body is read whole, closes the connection after the answer. */
export function sendError(req: FastifyRequest, reply: FastifyReply, err: GatewayError): FastifyReply {
  if (!req.raw.complete) closeAfterAnswer(req, reply);
  // RFC 9110: a 401 says which scheme it wants; a 429 when to come back (RFC 6585).
  if (err.code === 'UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer realm="leadflow"');
  const retryAfter = (err as { retryAfterSeconds?: number }).retryAfterSeconds;
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  return reply.code(err.statusCode).send({ code: err.code, message: err.message, ...(err.jobId ? { jobId: err.jobId } : {}) });
}

/**
 * An answer before the end of its request (a refused upload): the rest of the body is not read
 * (it could be a gigabyte), so the connection cannot be used again. Node would close it at
 * once after the answer; instead the writing side is closed (the client sees the answer and
 * its end), what still arrives is dropped, and the socket is destroyed after LINGER_MS.
 */
function closeAfterAnswer(req: FastifyRequest, reply: FastifyReply) {
  reply.header('connection', 'close');
  const socket = req.raw.socket;
  // Node's own close after a `connection: close` answer; replaced by the lingering one below.
  socket.destroySoon = () => {
    req.raw.unpipe();
    closeLingering(socket);
  };
}

/** Ends the writing side (after `last`, when given), drops what still arrives, and destroys the socket after LINGER_MS. */
export function closeLingering(socket: Socket, last?: string) {
  socket.removeAllListeners('data');
  socket.on('data', () => {});
  socket.resume();
  if (last === undefined) socket.end();
  else socket.end(last);
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

/**
 * Requests too broken for fastify to route (malformed HTTP, headers too large, a timeout),
 * answered on the socket with a catalogued code, as fastify's default handler does with its own.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'REQUEST_TIMEOUT' : err.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST';
  const { status, message } = ERROR_CATALOGUE[code];
  const body = JSON.stringify({ code, message });
  if (!socket.writable) {
    socket.destroy(err);
    return;
  }
  // Not destroyed at once: the request's unread bytes would make the kernel reset the connection,
  // and the client could lose the answer (seen on Node 24 with 64 KiB of headers).
  closeLingering(
    socket,
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
