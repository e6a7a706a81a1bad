import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@leadflow/logger';
import { jobFailure, LeadflowError, type CancelledJobs } from '@leadflow/pipeline';
import type { JobRef, RowBatch, UploadChunk } from '@leadflow/proto';
import type { ReadLimits } from './limits.js';
import type { RowSpoolOptions } from './row-spool.js';
import { openUploadReader, type UploadReader } from './upload-reader.js';

interface OpenUpload {
  /** The partition it arrived on: a number, or "topic/partition" where a consumer reads several topics. */
  partition: number | string;
  /** Offset of the upload's first chunk: nothing at or after it may be committed until the upload is read. */
  firstOffset: bigint;
  reader: UploadReader;
  /** Sends the upload's batches on, once they are released; resolves when the last is sent. */
  sending: Promise<void>;
  /** Dropped in a rebalance: its remaining batches are not sent. */
  aborted: boolean;
  /** The file of the upload its chunks are of now (several files, one job: docs/several-files.md). */
  fileIndex: number;
}

export interface UploadAssemblerOptions {
  batchSize: number;
  limits?: Partial<ReadLimits>;
  spool?: RowSpoolOptions;
  emit: (batch: RowBatch) => Promise<void>;
  /** What sees each batch of an upload as it is read, before the upload is whole (its job's rows read). */
  reads?: (job: JobRef) => (batch: RowBatch) => void;
  logger: Logger;
  /**
   * How long the message with an upload's last chunk waits for the upload's batches to be sent
   * before the consumer goes on (they are then sent meanwhile, and the upload's offsets
   * committed with a later message): kept well below the consumer's session timeout.
   * @default 10000
   */
  sendWaitMs?: number;
  /** A cancelled job's file is read no further: its reader is dropped at the next batch (docs/job-cancel.md). */
  cancelled?: CancelledJobs;
}

/**
 * Kafka-mode ingest: turns each job's ordered upload chunks into row batches as they arrive,
 * several jobs interleaved on one partition. The batches are held until the upload's last
 * chunk arrived, and dropped if the gateway failed the upload (see openUploadReader). An
 * upload's offsets are committed only once its batches are sent, so after a crash the whole
 * file is read again from its first chunk and yields the same batches, which every later stage
 * treats idempotently.
 */
export function createUploadAssembler(opts: UploadAssemblerOptions) {
  const open = new Map<string, OpenUpload>();
  const sendWaitMs = opts.sendWaitMs ?? 10_000;

  function start(chunk: UploadChunk, partition: number | string, offset: string): OpenUpload {
    const job = chunk.job!;
    const reader = openUploadReader(job, { batchSize: opts.batchSize, limits: opts.limits, spool: opts.spool, onRead: opts.reads?.(job) });
    const upload: OpenUpload = { partition, firstOffset: BigInt(offset), reader, sending: Promise.resolve(), aborted: false, fileIndex: 0 };
    upload.sending = (async () => {
      let seq = 0;
      let rows = 0;
      try {
        for await (const batch of reader.batches) {
          if (upload.aborted) return;
          if (await opts.cancelled?.isCancelled(job.jobId)) {
            upload.aborted = true;
            reader.abort(new LeadflowError('JOB_CANCELLED', 'the job was cancelled', false));
            opts.logger.info({ jobId: job.jobId, rows }, 'job cancelled: its file is read no further');
            break;
          }
          await opts.emit(batch);
          seq = batch.seq + 1;
          rows += batch.rows.length;
        }
      } catch (err) {
        if (upload.aborted) return;
        // A bug in reading: the job ends failed with what was sent, rather than waiting for rows that will not come.
        opts.logger.error({ err, jobId: job.jobId }, 'upload could not be read: its job fails');
        const failure = jobFailure('INTERNAL', `ingest stopped after ${rows} rows`);
        await opts.emit({ job, seq, header: [], rows: [], last: true, totalRows: rows, failure, decision: undefined });
      }
      if (open.get(job.jobId) === upload) open.delete(job.jobId);
    })();
    // Not sent (Kafka kept failing): the upload stays open, its offsets uncommitted, and is read again after a restart.
    upload.sending.catch((err) => opts.logger.error({ err, jobId: job.jobId }, 'upload batches could not be sent'));
    return upload;
  }

  async function push(chunk: UploadChunk, partition: number | string, offset: string): Promise<void> {
    const jobId = chunk.job?.jobId ?? '';
    let upload = open.get(jobId);
    if (!upload) {
      if (chunk.seq !== 0) {
        // The upload's first chunk lies before the committed offset: it was read to its end already.
        opts.logger.debug({ jobId, seq: chunk.seq }, 'chunk of an upload already read: skipped');
        return;
      }
      open.set(jobId, (upload = start(chunk, partition, offset)));
    }
    // A chunk of the next file (its first, maybe empty, starts it); a refusal reaches the job through the batches.
    const fileIndex = chunk.job?.fileIndex ?? 0;
    if (fileIndex > upload.fileIndex && !chunk.failure) {
      upload.fileIndex = fileIndex;
      await upload.reader.nextFile(chunk.job!.fileName).catch(() => {});
    }
    // A refusal (the file cannot be read) reaches the job through the batches; the chunk is done with.
    if (chunk.data.length > 0) await upload.reader.write(chunk.data).catch(() => {});
    if (chunk.failure) upload.reader.fail(chunk.failure);
    else if (chunk.last) upload.reader.end(chunk.job).catch(() => {});
    if (chunk.last || chunk.failure) await Promise.race([upload.sending.catch(() => {}), sleep(sendWaitMs)]);
  }

  /** The offset that is safe to commit on a partition after handling the message before `nextOffset`. */
  function safeOffset(partition: number | string, nextOffset: string): string {
    let safe = BigInt(nextOffset);
    for (const u of open.values()) if (u.partition === partition && u.firstOffset < safe) safe = u.firstOffset;
    return safe.toString();
  }

  /** Partitions were taken away: drop every upload not sent yet; whoever gets them reads them again. */
  function reset(): void {
    for (const u of open.values()) {
      u.aborted = true;
      u.reader.abort(new LeadflowError('UPLOAD_ABORTED', 'partition reassigned', false));
    }
    open.clear();
  }

  return { push, safeOffset, reset, get openUploads() { return open.size; } };
}
