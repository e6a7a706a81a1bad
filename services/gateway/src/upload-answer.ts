import { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConcurrencyLimit } from './concurrency-limit.js';
import { closeLingering } from './error-reply.js';
import { errors, GatewayError } from './gateway-error.js';
import type { JobService } from './job-service.js';
import { recordFormatOf, refuseQueryBesideForm, startRecordUpload, type RecordQuery } from './record-upload.js';
import { readUploadForm } from './upload-form.js';

/** Room a form takes besides its file: its fields (4 KiB at most each) and the parts' headers. */
const FORM_ROOM = 64 * 1024;

/**
 * POST /v1/jobs: answers 202 with the job as soon as it exists (its file part has begun, or the
 * body of a stream of records: record-upload.ts), and
 * reads the rest of the request after the answer (docs/upload-now.md). The status, headers and
 * job are sent at once; the answer's body ends when the request has been read from the connection,
 * so that no client sees a finished answer while it still sends. The client keeps sending;
 * the job shows the bytes received. The tenant's upload place is held until the upload ends.
 * Once answered, what goes wrong is the job's failure; the rest of the request is then not
 * read, and the connection is closed.
 */
export async function answerUpload(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: { service: JobService; limits: ConcurrencyLimit; tenantId: string; maxUploadBytes: number },
): Promise<FastifyReply> {
  const records = recordFormatOf(req);
  if (!req.isMultipart() && !records) throw errors.notMultipart();
  // A body that says it is larger than any file the limit lets through is refused before its job exists.
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > deps.maxUploadBytes + FORM_ROOM) throw errors.tooLarge(deps.maxUploadBytes);
  const release = deps.limits.acquire(deps.tenantId, 'upload');
  let started: Awaited<ReturnType<JobService['startUpload']>>;
  try {
    started = records ? await startRecordUpload(deps.service, req, deps.tenantId, records) : await startFormUpload(req, deps);
  } catch (err) {
    // Refused before its job existed: answered with the error; the place is free once it is.
    reply.raw.once('close', release);
    throw err;
  }
  const { job, arrived } = started;
  keepOpenUntilRead(req);
  const unwatch = abortWithSocket(req);
  // The job goes out at once; the answer ends once the request has been read from the connection
  // (or given up): a client that has read a whole answer may stop sending its body, as undici's
  // fetch does. Not later: in `leadflow serve` the job may still be reading what arrived.
  const body = new PassThrough();
  body.write(JSON.stringify(job));
  const endAnswer = () => {
    if (!body.writableEnded) body.end();
  };
  if (req.raw.readableEnded) endAnswer();
  else req.raw.once('end', endAnswer);
  arrived.then(
    () => {
      unwatch();
      release();
      endAnswer();
    },
    (err) => {
      unwatch();
      release();
      if (!(err instanceof GatewayError)) req.log.error({ err, jobId: job.id }, 'upload failed after its answer');
      endAnswer();
      stopReading(req, reply);
    },
  );
  return reply.code(202).header('location', `/v1/jobs/${job.id}`).type('application/json; charset=utf-8').send(body);
}

/** A multipart form's upload: its fields before the file make the job; those after it complete it. */
async function startFormUpload(req: FastifyRequest, deps: { service: JobService; tenantId: string }): ReturnType<JobService['startUpload']> {
  refuseQueryBesideForm(req);
  const form = await readUploadForm(req);
  const { fields } = form;
  return deps.service.startUpload(
    {
      tenantId: deps.tenantId,
      supplier: fields.supplier ?? '',
      webhookUrl: fields.webhookUrl ?? '',
      sheet: fields.sheet ?? '',
      review: fields.review ?? false,
      // The form's field, else the query's (record-upload.ts).
      priority: fields.priority ?? (req.query as RecordQuery | undefined)?.priority,
      fileName: form.file.filename ?? '',
    },
    form.bytes,
    form.trailing,
  );
}

/**
 * A client that asked for `connection: close` has its connection closed by Node as soon as the
 * answer is written: here, while the rest of its body is still on its way. It is closed once
 * the request has been read instead (or given up: stopReading).
 */
function keepOpenUntilRead(req: FastifyRequest) {
  const socket = req.raw.socket;
  // (An injected request, in tests, has no real socket.)
  if (!socket || req.raw.complete || typeof socket.destroySoon !== 'function') return;
  const destroySoon = socket.destroySoon.bind(socket);
  socket.destroySoon = () => {
    if (req.raw.complete || socket.destroyed) return destroySoon();
    req.raw.once('end', destroySoon);
  };
}

/**
 * Node stops watching a request for its connection's end once the request is answered: a client
 * that goes away after the 202 would leave its upload waiting for bytes that never come. The
 * request is ended with the socket instead, so that the upload fails with UPLOAD_ABORTED.
 */
function abortWithSocket(req: FastifyRequest): () => void {
  const socket = req.raw.socket;
  const abort = () => {
    if (!req.raw.complete) req.raw.destroy();
  };
  socket?.once('close', abort);
  return () => socket?.off('close', abort);
}

/** The request will not be read to its end: once the answer is out, the connection is closed (lingering, error-reply.ts). */
function stopReading(req: FastifyRequest, reply: FastifyReply) {
  const socket = req.raw.socket;
  // (An injected request, in tests, has no real socket.)
  if (req.raw.complete || !(socket instanceof Socket) || socket.destroyed) return;
  const close = () => {
    req.raw.unpipe();
    closeLingering(socket);
  };
  if (reply.raw.writableFinished) close();
  else reply.raw.once('finish', close);
}
