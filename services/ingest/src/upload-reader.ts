import { MAX_FILE_ROWS, nextFileLabel } from '@leadflow/pipeline';
import type { JobFailure, JobRef, RowBatch } from '@leadflow/proto';
import { ChunkChannel } from './chunk-channel.js';
import type { ReadLimits } from './limits.js';
import { readRows, uploadFailed } from './read-rows.js';
import { RowSpool, type RowSpoolOptions } from './row-spool.js';

export interface UploadReaderOptions {
  /** Rows per batch. @default 500 */
  batchSize?: number;
  limits?: Partial<ReadLimits>;
  /** Where the batches wait until the upload is whole. */
  spool?: RowSpoolOptions;
  /** Sees each batch as it is read, before it waits for the upload to be whole (the job's rows read). */
  onRead?: (batch: RowBatch) => void;
}

export interface UploadReader {
  /**
   * Hands on the next chunk; resolves once the reader took it. Rejects with the job failure
   * (an error with `jobFailure`, see uploadFailed) once the file is found unreadable.
   */
  write(chunk: Uint8Array): Promise<void>;
  /**
   * The chunks after this are the next file's, named `fileName` (several files, one job:
   * docs/several-files.md). Rejects as write does once the upload is refused.
   */
  nextFile(fileName: string): Promise<void>;
  /**
   * The upload arrived whole; `job`, when given, replaces the job it was opened with (fields a
   * form sent after the file). Its rows are released. Resolves once the file has been read to
   * its end (rejects with the job failure when it could not be), or sooner if its rows come
   * faster than the stages after ingest take them.
   */
  end(job?: JobRef): Promise<void>;
  /** The upload itself failed (refused, cut off): nothing of it goes on but its job's failure. */
  fail(failure: JobFailure): void;
  /** Stops reading (the pipeline failed, the partition went away); writes reject with `reason`. */
  abort(reason: Error): void;
  /** The job's row batches for the next stage, once the upload is whole (or its failure alone). */
  readonly batches: AsyncIterable<RowBatch>;
}

type Release = { kind: 'rows' } | { kind: 'failure'; failure: JobFailure } | { kind: 'error'; error: Error };

/**
 * One upload as ingest reads it, in `leadflow serve` and in the ingest service alike. Its chunks
 * are read into row batches as they arrive, so a file that cannot be read is refused at once:
 * the writer's next write (or its end) rejects with the job failure, and the channel never
 * leaves a writer waiting on a reader that stopped. The batches wait in a spool (bounded
 * memory, then a temporary file) and go on only once the upload arrived whole, so an upload
 * refused or cut off half way leaves nothing in the stages after ingest: its job gets its
 * failure and no rows. A file found unreadable part way releases the rows before that point,
 * with its failure, as a file read to the end would (README: the rows before it are kept).
 */
export function openUploadReader(job: JobRef, opts: UploadReaderOptions): UploadReader {
  let current = job;
  const spool = new RowSpool(opts.spool);
  let release!: (how: Release) => void;
  let released: Release | undefined;
  const decided = new Promise<Release>((resolve) => (release = resolve));
  const decide = (how: Release) => {
    if (released) return;
    released = how;
    release(how);
    if (how.kind === 'rows') spool.release();
    else void spool.discard();
  };

  /** The upload's files as they begin: each one's chunks go to its own channel, read in turn. */
  const files: { name: string; label: string; channel: ChunkChannel }[] = [{ name: job.fileName, label: job.fileName, channel: new ChunkChannel() }];
  let writing = files[0]!.channel;
  /** Set once no further file can begin (the upload ended, failed or was refused). */
  let closed = false;
  let wakeReader: (() => void) | undefined;
  const wake = () => {
    const w = wakeReader;
    wakeReader = undefined;
    w?.();
  };
  /** The next file once it begins; undefined when the upload ended without one. */
  async function fileAfter(k: number) {
    while (!files[k + 1] && !closed) await new Promise<void>((r) => (wakeReader = r));
    return files[k + 1];
  }

  const reading = (async () => {
    let last: RowBatch | undefined;
    let k = 0;
    let seq = 0;
    let total = 0;
    const maxRows = opts.limits?.maxRows;
    try {
      // The sheet is asked once a workbook is whole: a form may name it after the file.
      const sheet = () => current.sheet || undefined;
      for (;;) {
        const file = files[k]!;
        const remaining = maxRows === undefined ? undefined : maxRows - total;
        const capped = k > 0 && (remaining === undefined || remaining > MAX_FILE_ROWS);
        const fileJob: JobRef = { ...job, fileName: file.name, fileIndex: k, file: file.label };
        const rows = readRows(file.channel, {
          ...opts.limits,
          job: fileJob,
          batchSize: opts.batchSize,
          sheet,
          fileIndex: k,
          firstSeq: seq,
          maxRows: capped ? MAX_FILE_ROWS : remaining,
          rowsLimitText: capped ? `a file after the first holds at most ${MAX_FILE_ROWS} rows` : `the limit is ${maxRows} rows an upload`,
        });
        let fileLast: RowBatch | undefined;
        for await (const batch of rows) {
          if (batch.last) {
            fileLast = batch;
            break;
          }
          opts.onRead?.(batch);
          await spool.append(batch);
        }
        const end = fileLast!;
        total += end.totalRows;
        seq = end.seq + 1;
        const next = end.failure ? undefined : await fileAfter(k);
        if (end.failure && (k > 0 || files.length > 1)) {
          // Which file of several could not be read: the job's failure names it.
          end.failure = { ...end.failure, message: `${file.label}: ${end.failure.message}` };
        }
        if (next) {
          // Not the job's last batch: it ends a file, whose rows it counts.
          const ended: RowBatch = { ...end, last: false, totalRows: 0, job: { ...end.job!, fileRows: end.totalRows } };
          opts.onRead?.(ended);
          await spool.append(ended);
          k++;
          continue;
        }
        last = { ...end, totalRows: total };
        opts.onRead?.(last);
        await spool.append(last);
        break;
      }
    } catch (err) {
      writing.close(err as Error);
      decide({ kind: 'error', error: err as Error });
      throw err;
    } finally {
      spool.finish();
    }
    if (last?.failure && released?.kind !== 'failure') {
      // The file's own failure: refuse the rest of the upload, keep the rows before it.
      closed = true;
      writing.close(uploadFailed(last.failure));
      decide({ kind: 'rows' });
    } else {
      writing.close();
    }
    return last;
  })();
  reading.catch(() => {});

  async function* batches(): AsyncGenerator<RowBatch> {
    const how = await decided;
    if (how.kind === 'error') throw how.error;
    if (how.kind === 'failure') {
      yield { job: current, seq: 0, header: [], rows: [], last: true, totalRows: 0, failure: how.failure, decision: undefined };
      return;
    }
    // A job of one file keeps the job as it always was; several carry each batch's file.
    const several = files.length > 1;
    for await (const batch of spool.drain()) {
      const own = batch.job;
      yield { ...batch, job: several ? { ...current, fileIndex: own?.fileIndex, file: own?.file, fileRows: own?.fileRows } : current };
    }
    await reading;
  }

  return {
    write: (chunk) => writing.push(chunk),
    async nextFile(fileName) {
      if (closed) return;
      const channel = new ChunkChannel();
      const label = nextFileLabel(files.map((f) => f.label), fileName);
      writing.end();
      files.push({ name: fileName, label, channel });
      writing = channel;
      wake();
    },
    async end(final) {
      if (final) current = final;
      decide({ kind: 'rows' });
      closed = true;
      wake();
      writing.end();
      // The file read to its end, or its rows flowing faster than the stages take them (a
      // workbook is read only once whole): a failure found after that reaches the job, not the answer.
      const last = await Promise.race([reading, spool.full.then(() => undefined)]);
      if (last?.failure) throw uploadFailed(last.failure);
    },
    fail(failure) {
      decide({ kind: 'failure', failure });
      closed = true;
      wake();
      writing.end(uploadFailed(failure));
    },
    abort(reason) {
      decide({ kind: 'error', error: reason });
      closed = true;
      wake();
      writing.close(reason);
      void spool.discard();
    },
    batches: { [Symbol.asyncIterator]: batches },
  };
}
