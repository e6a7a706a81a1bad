import type { Logger } from '@leadflow/logger';
import { jobFailure, MAX_FILES, nextFileLabel, throttledSave } from '@leadflow/pipeline';
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

/**
 * What an upload's source yields: its bytes, and where an upload holds several files (several
 * files, one job: docs/several-files.md), the start of each file after the first, by its name.
 */
export type UploadPart = Uint8Array | { nextFile: string };

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
  source: AsyncIterable<UploadPart>,
  trailing?: () => Promise<Partial<UploadFields>>,
): Promise<JobView> {
  const { id, meta } = job;
  const { jobs, maxUploadBytes } = deps;
  const writer = deps.uploads.open({ jobId: id, ...meta, ...supplierRef(job.supplier) });
  /** The upload's files as they arrive, named as the `file` column shows them. */
  const files = [{ name: meta.fileName, bytes: 0 }];
  const received = throttledSave<{ bytes: number; files?: { name: string; bytes: number }[] }>(
    (v) => jobs.setUploaded(id, v.bytes, v.files),
    (err) => deps.logger?.warn({ err, jobId: id }, 'the bytes received of an upload could not be recorded'),
  );
  const progress = (n: number) => ({ bytes: n, files: files.length > 1 ? files.map((f) => ({ ...f })) : undefined });
  let bytes = 0;
  try {
    for await (const part of source) {
      if (!(part instanceof Uint8Array)) {
        if (files.length >= MAX_FILES || !writer.nextFile) throw new GatewayError('TOO_MANY_FILES');
        files.push({ name: nextFileLabel(files.map((f) => f.name), part.nextFile), bytes: 0 });
        received.set(progress(bytes), true);
        await writer.nextFile(part.nextFile);
        continue;
      }
      bytes += part.byteLength;
      if (bytes > maxUploadBytes) throw errors.tooLarge(maxUploadBytes);
      files.at(-1)!.bytes += part.byteLength;
      received.set(progress(bytes));
      await writer.write(part);
    }
    const late = (await trailing?.()) ?? {};
    const final = { ...meta, ...late };
    await deps.checkFields(final);
    let supplier = job.supplier;
    if (final.supplier !== meta.supplier || final.webhookUrl !== meta.webhookUrl) supplier = await jobs.setFields(id, final);
    await writer.end({ jobId: id, ...final, ...supplierRef(supplier) });
  } catch (err) {
    received.set(progress(Math.min(bytes, maxUploadBytes)), true);
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
  received.set(progress(bytes), true);
  await received.flush();
  return (await jobs.get(id, meta.tenantId))!;
}
