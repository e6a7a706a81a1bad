import type { Logger } from '@leadflow/logger';
import { jobFailure, throttledSave } from '@leadflow/pipeline';
import type { JobFailure } from '@leadflow/proto';
import { errors, GatewayError } from './gateway-error.js';
import type { UploadFields, UploadMeta } from './job-service.js';
import type { JobStore, JobView } from './job-store.js';
import type { JobSupplier } from './job-supplier.js';
import { supplierRef } from './supplier-ref.js';
import type { UploadSink } from './upload-sink.js';

export interface UploadReceiverDeps {
  jobs: JobStore;
  uploads: UploadSink;
  maxUploadBytes: number;
  /** Checks the fields an upload names (its webhook); throws a catalogued error. */
  checkFields(fields: UploadFields): Promise<void>;
  logger?: Logger;
}

/** The job failure of an upload that did not arrive whole: refused by its size or by a bad request, or cut off. */
function uploadFailureOf(err: unknown, bytes: number, limit: number): JobFailure {
  const code = err instanceof GatewayError ? err.code : 'UPLOAD_ABORTED';
  if (code === 'UPLOAD_TOO_LARGE') return jobFailure(code, `limit ${limit} bytes`);
  if (code === 'UPLOAD_ABORTED') return jobFailure(code, `after ${bytes} bytes`);
  // The client may have had its answer long before: the failure says what it would have been told.
  return jobFailure('UPLOAD_REFUSED', `${code}: ${(err as Error).message}`);
}

/**
 * Streams an upload's bytes into the pipeline for a job that exists (its answer may be given
 * already), keeping the bytes received so far in the job (at most every 250 ms) for its status.
 * Resolves with the job once the file is handed on whole and the fields sent after it are
 * applied. Otherwise the job fails, and the promise rejects with an error naming it: with the
 * file's own failure when it cannot be read (its rows before that point kept), else refused or
 * cut off, with nothing of the file kept (the sink drops it: UploadWriter.fail).
 */
export async function receiveUpload(
  deps: UploadReceiverDeps,
  job: { id: string; meta: UploadMeta; supplier: JobSupplier | undefined },
  source: AsyncIterable<Uint8Array>,
  trailing?: () => Promise<Partial<UploadFields>>,
): Promise<JobView> {
  const { id, meta } = job;
  const { jobs, maxUploadBytes } = deps;
  const writer = deps.uploads.open({ jobId: id, ...meta, ...supplierRef(job.supplier) });
  const received = throttledSave<number>(
    (bytes) => jobs.setUploaded(id, bytes),
    (err) => deps.logger?.warn({ err, jobId: id }, 'the bytes received of an upload could not be recorded'),
  );
  let bytes = 0;
  try {
    for await (const chunk of source) {
      bytes += chunk.byteLength;
      if (bytes > maxUploadBytes) throw errors.tooLarge(maxUploadBytes);
      received.set(bytes);
      await writer.write(chunk);
    }
    const late = (await trailing?.()) ?? {};
    const final = { ...meta, ...late };
    await deps.checkFields(final);
    let supplier = job.supplier;
    if (final.supplier !== meta.supplier || final.webhookUrl !== meta.webhookUrl) supplier = await jobs.setFields(id, final);
    await writer.end({ jobId: id, ...final, ...supplierRef(supplier) });
  } catch (err) {
    received.set(Math.min(bytes, maxUploadBytes), true);
    await received.flush();
    const carried = (err as { jobFailure?: JobFailure }).jobFailure;
    if (carried) {
      // The file cannot be read: its job has that failure already (and keeps the rows before it).
      await jobs.failUpload(id, carried);
      throw errors.unreadable(carried, id);
    }
    const failure = uploadFailureOf(err, bytes, maxUploadBytes);
    await jobs.failUpload(id, failure);
    // The job is failed in its table either way; a sink that cannot take the failure
    // (Kafka away, often the very cause) must not hide the error the client gets.
    await writer.fail(failure).catch(() => {});
    throw err instanceof GatewayError ? err.forJob(id) : err;
  }
  received.set(bytes, true);
  await received.flush();
  return (await jobs.get(id, meta.tenantId))!;
}
