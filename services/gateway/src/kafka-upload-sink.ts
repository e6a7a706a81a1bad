import { topicFor, TOPICS, type Bus } from '@leadflow/bus';
import { nextFileLabel } from '@leadflow/pipeline';
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
      /** The file the chunks are of: after the first, each chunk names it (ingest starts it on its first chunk). */
      const labels = [job.fileName];
      let file: Pick<JobRef, 'fileIndex' | 'file'> = {};
      let ref: JobRef = job;
      const send = async (data: Buffer, last: boolean, failure?: { code: string; message: string }, as = ref) => {
        // On the topic of the job's priority (docs/job-priority.md); the job's chunks all on one.
        await bus.send(topicFor(TOPICS.uploads, job), [{ key: job.jobId, value: { job: as, seq: seq++, data, last, failure } }]);
      };
      const flush = async () => {
        const data = Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        return data;
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
        async nextFile(fileName) {
          const data = await flush();
          if (data.length > 0) await send(data, false);
          const label = nextFileLabel(labels, fileName);
          file = { fileIndex: labels.length, file: label };
          labels.push(label);
          ref = { ...job, fileName, ...file };
          // The file's start, even if it is empty: ingest opens the next file on it.
          await send(Buffer.alloc(0), false);
        },
        // The last chunk carries the job as it stands at the end: ingest releases the rows with it.
        async end(final) {
          await send(await flush(), true, undefined, { ...final, ...file });
        },
        async fail(failure) {
          await flush();
          await send(Buffer.alloc(0), true, failure, job);
        },
      };
    },
  };
}
