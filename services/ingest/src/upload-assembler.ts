import type { Logger } from '@leadflow/logger';
import { LeadflowError } from '@leadflow/pipeline';
import type { RowBatch, UploadChunk } from '@leadflow/proto';
import { ChunkChannel } from './chunk-channel.js';
import type { ReadLimits } from './limits.js';
import { readRows, uploadFailed } from './read-rows.js';

interface OpenUpload {
  partition: number;
  /** Offset of the upload's first chunk: nothing at or after it may be committed until the upload is read. */
  firstOffset: bigint;
  channel: ChunkChannel;
  reading: Promise<void>;
  /** Dropped in a rebalance: its remaining batches are not sent. */
  aborted: boolean;
}

export interface UploadAssemblerOptions {
  batchSize: number;
  limits?: Partial<ReadLimits>;
  emit: (batch: RowBatch) => Promise<void>;
  logger: Logger;
}

/**
 * Kafka-mode ingest: turns each job's ordered upload chunks into row batches as they arrive,
 * several jobs interleaved on one partition. An upload's offsets are committed only once it
 * has been read to its end, so after a crash the whole file is read again from its first
 * chunk and yields the same batches, which every later stage treats idempotently.
 */
export function createUploadAssembler(opts: UploadAssemblerOptions) {
  const open = new Map<string, OpenUpload>();

  async function push(chunk: UploadChunk, partition: number, offset: string): Promise<void> {
    const jobId = chunk.job?.jobId ?? '';
    let upload = open.get(jobId);
    if (!upload) {
      if (chunk.seq !== 0) {
        // The upload's first chunk lies before the committed offset: it was read to its end already.
        opts.logger.debug({ jobId, seq: chunk.seq }, 'chunk of an upload already read: skipped');
        return;
      }
      const channel = new ChunkChannel();
      const job = chunk.job!;
      const created: OpenUpload = { partition, firstOffset: BigInt(offset), channel, reading: Promise.resolve(), aborted: false };
      created.reading = (async () => {
        for await (const batch of readRows(channel, { ...opts.limits, job, batchSize: opts.batchSize, sheet: job.sheet || undefined })) {
          if (created.aborted) return;
          await opts.emit(batch);
        }
      })();
      open.set(jobId, (upload = created));
    }
    if (chunk.data.length > 0) await upload.channel.push(chunk.data);
    if (chunk.failure) {
      upload.channel.end(uploadFailed(chunk.failure));
    } else if (chunk.last) {
      upload.channel.end();
    }
    if (chunk.last || chunk.failure) {
      try {
        await upload.reading;
      } finally {
        open.delete(jobId);
      }
    }
  }

  /** The offset that is safe to commit on a partition after handling the message before `nextOffset`. */
  function safeOffset(partition: number, nextOffset: string): string {
    let safe = BigInt(nextOffset);
    for (const u of open.values()) if (u.partition === partition && u.firstOffset < safe) safe = u.firstOffset;
    return safe.toString();
  }

  /** Partitions were taken away: drop every half-read upload; whoever gets them reads them again. */
  function reset(): void {
    for (const u of open.values()) {
      u.aborted = true;
      u.channel.end(new LeadflowError('UPLOAD_ABORTED', 'partition reassigned', false));
      u.reading.catch(() => {});
    }
    open.clear();
  }

  return { push, safeOffset, reset, get openUploads() { return open.size; } };
}
