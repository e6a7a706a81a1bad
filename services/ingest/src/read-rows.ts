import { CsvError, parse, type Parser } from 'csv-parse';
import type { JobRef, RowBatch } from '@leadflow/proto';
import { jobFailure, LeadflowError, type JobFailureCode } from '@leadflow/pipeline';
import { decodeText } from './decode-text.js';

export interface ReadRowsOptions {
  job: JobRef;
  /** Rows per batch. @default 500 */
  batchSize?: number;
  /** Longest record accepted, in characters; a longer one fails the job. @default 1 MiB */
  maxRecordChars?: number;
}

type Failure = NonNullable<RowBatch['failure']>;

/** An error that carries a job failure as it is, for an upload that failed before ingest read it. */
export function uploadFailed(failure: Failure): Error {
  return Object.assign(new Error(failure.message), { jobFailure: failure });
}

/**
 * Reads a delimited file as it streams in and yields its data rows in batches, never the
 * whole file in memory. The first record is the header; row numbers count data rows from 1.
 * The last batch says how many rows there were and, when the file could not be read to its
 * end, why: the rows read before that point are kept.
 */
export async function* readRows(source: AsyncIterable<Uint8Array>, opts: ReadRowsOptions): AsyncGenerator<RowBatch> {
  const batchSize = opts.batchSize ?? 500;
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: opts.maxRecordChars ?? 1024 * 1024,
  });
  const records = new RecordQueue(parser, batchSize * 2);
  const feeding = (async () => {
    try {
      for await (const text of decodeText(source)) {
        if (records.closed) return;
        await records.room();
        parser.write(text);
      }
      parser.end();
    } catch (err) {
      parser.destroy(err as Error);
    }
  })();

  let header: string[] | undefined;
  let seq = 0;
  let rowNumber = 0;
  let rows: RowBatch['rows'] = [];
  let failure: Failure | undefined;
  try {
    for (let record = await records.next(); record; record = await records.next()) {
      if (!header) {
        header = record.map((h) => h.trim());
        if (header.every((h) => h === '')) throw new LeadflowError('NO_HEADER', 'the first line is blank', false);
        continue;
      }
      rows.push({ rowNumber: ++rowNumber, cells: record });
      if (rows.length >= batchSize) {
        yield { job: opts.job, seq: seq++, header, rows, last: false, totalRows: 0, failure: undefined };
        rows = [];
      }
    }
  } catch (err) {
    failure = toFailure(err, rowNumber);
  } finally {
    records.close();
    await feeding;
  }
  yield { job: opts.job, seq, header: header ?? [], rows, last: true, totalRows: rowNumber, failure };
}

/**
 * The parser's records, taken as it emits them so that none is lost when a later part of
 * the file is malformed (a stream iterator drops what it buffered when the stream errors).
 * The writer waits for `room()` so that at most `limit` records wait here.
 */
class RecordQueue {
  private items: string[][] = [];
  private head = 0;
  private ended = false;
  private error: unknown;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;
  closed = false;

  constructor(parser: Parser, private readonly limit: number) {
    parser.on('data', (record: string[]) => {
      this.items.push(record);
      this.notifyReader();
    });
    parser.on('error', (err) => {
      this.error ??= err;
      this.ended = true;
      this.notifyReader();
    });
    parser.on('end', () => {
      this.ended = true;
      this.notifyReader();
    });
  }

  private get size() {
    return this.items.length - this.head;
  }

  private notifyReader() {
    const wake = this.wakeReader;
    this.wakeReader = undefined;
    wake?.();
  }

  async room(): Promise<void> {
    while (this.size >= this.limit && !this.closed) await new Promise<void>((r) => (this.wakeWriter = r));
  }

  async next(): Promise<string[] | undefined> {
    for (;;) {
      if (this.size > 0) {
        const record = this.items[this.head++]!;
        if (this.head > 1024) {
          this.items = this.items.slice(this.head);
          this.head = 0;
        }
        if (this.size < this.limit) {
          const wake = this.wakeWriter;
          this.wakeWriter = undefined;
          wake?.();
        }
        return record;
      }
      if (this.ended) {
        if (this.error) throw this.error;
        return undefined;
      }
      await new Promise<void>((r) => (this.wakeReader = r));
    }
  }

  close() {
    this.closed = true;
    const wake = this.wakeWriter;
    this.wakeWriter = undefined;
    wake?.();
  }
}

function toFailure(err: unknown, rowsRead: number): Failure {
  const carried = (err as { jobFailure?: Failure }).jobFailure;
  if (carried) return carried;
  if (err instanceof LeadflowError) return jobFailure(err.code as JobFailureCode, err.message);
  if (err instanceof CsvError) {
    const line = (err as CsvError & { lines?: number }).lines;
    const where = `${rowsRead} data rows read${line ? `, stopped at line ${line}` : ''}`;
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') return jobFailure('CSV_UNCLOSED_QUOTE', where);
    return jobFailure('CSV_MALFORMED', `${err.message.split(':')[0]}, ${where}`);
  }
  throw err;
}
