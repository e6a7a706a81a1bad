import { topicFor, TOPICS, type Bus } from '@leadflow/bus';
import type { JobRef } from '@leadflow/proto';
import type { UploadSink } from './upload-sink.js';

/**
 * Streams an upload into `leadflow.uploads.v1` as chunks of `chunkBytes`, keyed by job id so a
 * job's chunks stay in order on one partition. Each chunk is acknowledged before the next is
 * read from the client, so memory holds one chunk per upload.
 */
export function createKafkaUploadSink(bus: Bus, chunkBytes = 256 * 1024): UploadSink {
  return {
    /** On the job's key in `leadflow.rows.raw.v1`, so the mapping service sees it after the rows before it. */
    async decide(job, decision) {
      await bus.send(topicFor(TOPICS.rowsRaw, job), [
        { key: job.jobId, value: { job, seq: 0, header: [], rows: [], last: false, totalRows: 0, failure: undefined, decision } },
      ]);
    },
    open(job: JobRef) {
      let seq = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const send = async (data: Buffer, last: boolean, failure?: { code: string; message: string }, ref = job) => {
        // On the topic of the job's priority (docs/job-priority.md); the job's chunks all on one.
        await bus.send(topicFor(TOPICS.uploads, job), [{ key: job.jobId, value: { job: ref, seq: seq++, data, last, failure } }]);
      };
      return {
        async write(chunk) {
          pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          pendingBytes += chunk.byteLength;
          while (pendingBytes >= chunkBytes) {
            const all = Buffer.concat(pending, pendingBytes);
            pending = [all.subarray(chunkBytes)];
            pendingBytes = all.length - chunkBytes;
            await send(all.subarray(0, chunkBytes), false);
          }
        },
        // The last chunk carries the job as it stands at the end: ingest releases the rows with it.
        async end(final) {
          const data = Buffer.concat(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
          await send(data, true, undefined, final);
        },
        async fail(failure) {
          pending = [];
          pendingBytes = 0;
          await send(Buffer.alloc(0), true, failure);
        },
      };
    },
  };
}
