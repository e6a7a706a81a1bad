import { CsvError, parse, type Parser } from 'csv-parse';
import type { JobRef, RowBatch } from '@leadflow/proto';
import { jobFailure, jobRowNumber, LeadflowError, type JobFailureCode } from '@leadflow/pipeline';
import { decodeText, peek } from './decode-text.js';
import { distinctHeaders } from './distinct-headers.js';
import { textFormat } from './record-format.js';
import { sniff } from './sniff.js';
import { streamRows, type StreamRows } from './stream-rows.js';
import { isZip, xlsxRecords } from './xlsx/xlsx-records.js';

export interface ReadRowsOptions {
  job: JobRef;
  /** Rows per batch. @default 500 */
  batchSize?: number;
  /**
   * Characters of cells per batch: a batch is cut once its rows hold this many, whatever their
   * number, so that a batch of wide rows stays far below the bus's largest message
   * (docs/ingest-limits.md). @default 256 Ki
   */
  batchChars?: number;
  /** Longest record accepted, in characters; a longer one fails the job. @default 1 MiB */
  maxRecordChars?: number;
  /** Most data rows read; past it the job fails, keeping the rows before. @default unlimited */
  maxRows?: number;
  /** Most columns in the header. @default 1000 */
  maxColumns?: number;
  /** Largest text accepted once decompressed, in bytes (for a workbook: the file, and all the parts read together). @default 4 GiB */
  maxBytes?: number;
  /** For a workbook: the most bytes its table of shared strings may take in memory. @default 256 MiB */
  maxSharedStringsBytes?: number;
  /**
   * For a workbook: a sheet's name or 1-based position, or `*` for every sheet; a function is
   * asked once the workbook arrived whole (a form field may name the sheet after the file).
   * @default the first sheet with data
   */
  sheet?: string | (() => string | undefined);
  /**
   * The file's 0-based position in an upload of several (docs/several-files.md): its rows are
   * numbered jobRowNumber(fileIndex, n). @default 0
   */
  fileIndex?: number;
  /** The seq of the first batch (a later file's batches follow the earlier files'). @default 0 */
  firstSeq?: number;
  /** What TOO_MANY_ROWS says the limit is. @default `the limit is ${maxRows} rows` */
  rowsLimitText?: string;
}

/** Text looked at before the parser starts: enough rows to tell the delimiter and the header. */
const SAMPLE_CHARS = 64 * 1024;

type Failure = NonNullable<RowBatch['failure']>;

/** An error that carries a job failure as it is, for an upload that failed before ingest read it. */
export function uploadFailed(failure: Failure): Error {
  return Object.assign(new Error(failure.message), { jobFailure: failure });
}

/**
 * Reads a delimited file, a workbook or a stream of JSON records (record-format.ts) as it
 * streams in and yields its data rows in batches, never the whole file in memory. The first record is the header, its names made distinct (see
 * distinctHeaders) so that every column keeps its values downstream; row numbers count data rows from 1.
 * The last batch says how many rows there were and, when the file could not be read to its
 * end, why: the rows read before that point are kept.
 */
export async function* readRows(source: AsyncIterable<Uint8Array>, opts: ReadRowsOptions): AsyncGenerator<RowBatch> {
  const batchSize = opts.batchSize ?? 500;
  const batchChars = opts.batchChars ?? 256 * 1024;
  const maxColumns = opts.maxColumns ?? 1000;
  const maxRecordChars = opts.maxRecordChars ?? 1024 * 1024;
  let header: string[] | undefined;
  let seq = opts.firstSeq ?? 0;
  let rowNumber = 0;
  const offset = jobRowNumber(opts.fileIndex ?? 0, 0);
  const tooMany = () => new LeadflowError('TOO_MANY_ROWS', opts.rowsLimitText ?? `the limit is ${opts.maxRows} rows`, false);
  let rows: RowBatch['rows'] = [];
  /** Characters of the cells of `rows`. */
  let chars = 0;
  const full = (cells: readonly string[]) => {
    for (const c of cells) chars += c.length;
    if (rows.length < batchSize && chars < batchChars) return false;
    chars = 0;
    return true;
  };
  let failure: Failure | undefined;
  let records: AsyncGenerator<string[]> | undefined;
  let stream: StreamRows | undefined;
  try {
    const { head, all } = await peek(source);
    if (head && isZip(head)) {
      records = xlsxRecords(all, {
        sheet: opts.sheet,
        maxBytes: opts.maxBytes ?? 4 * 1024 ** 3,
        maxColumns,
        maxRecordChars,
        maxSharedStringsBytes: opts.maxSharedStringsBytes ?? 256 * 1024 ** 2,
      });
    } else {
      const { format, text } = await textFormat(decodeText(all, { maxBytes: opts.maxBytes }), opts.job.fileName);
      if (format === 'delimited') records = delimitedRecords(text, { maxRecordChars }, batchSize);
      else {
        // Records of a stream: their header grows as keys appear (record-columns.ts).
        stream = streamRows(text, format, { maxColumns, maxRecordChars });
        for await (const row of stream) {
          if (opts.maxRows !== undefined && rowNumber >= opts.maxRows) throw tooMany();
          rows.push({ rowNumber: offset + ++rowNumber, cells: row.cells, refused: row.refused });
          if (full(row.cells)) {
            yield { job: opts.job, seq: seq++, header: stream.header(rows), rows, last: false, totalRows: 0, failure: undefined, decision: undefined };
            rows = [];
          }
        }
      }
    }
    for await (const record of records ?? []) {
      if (!header) {
        // Checked before it is kept: a refused header must not travel on with the failure (the
        // mapping stage would score each of 100,000 columns).
        const names = record.map((h) => h.trim());
        if (names.every((h) => h === '')) throw new LeadflowError('NO_HEADER', 'the header row is blank', false);
        if (names.length > maxColumns) {
          throw new LeadflowError('TOO_MANY_COLUMNS', `${names.length} columns, the limit is ${maxColumns}`, false);
        }
        header = distinctHeaders(names);
        continue;
      }
      if (opts.maxRows !== undefined && rowNumber >= opts.maxRows) throw tooMany();
      rows.push({ rowNumber: offset + ++rowNumber, cells: record });
      if (full(record)) {
        yield { job: opts.job, seq: seq++, header, rows, last: false, totalRows: 0, failure: undefined, decision: undefined };
        rows = [];
      }
    }
  } catch (err) {
    failure = toFailure(err, rowNumber, maxRecordChars);
  } finally {
    await records?.return(undefined);
  }
  // A stream's header as it stands when it ended, or broke: the last rows are filled out to it.
  if (stream) header = stream.header(rows);
  yield { job: opts.job, seq, header: header ?? [], rows, last: true, totalRows: rowNumber, failure, decision: undefined };
}

/**
 * The records of a delimited text file: decoded, its delimiter and header row sniffed from
 * the first 64 KiB, then parsed by csv-parse as the rest streams in. The header comes first.
 */
async function* delimitedRecords(source: AsyncIterable<string>, opts: { maxRecordChars: number }, batchSize: number): AsyncGenerator<string[]> {
  const text = source[Symbol.asyncIterator]();
  let parser: Parser | undefined;
  let feeding: Promise<void> | undefined;
  let queue: RecordQueue | undefined;
  try {
    let sample = '';
    let complete = false;
    while (sample.length < SAMPLE_CHARS) {
      const next = await text.next();
      if (next.done) {
        complete = true;
        break;
      }
      sample += next.value;
    }
    const { delimiter, headerLine, lineEnd } = sniff(sample, complete);
    const p = (parser = parse({
      bom: true,
      delimiter,
      // Named rather than discovered: csv-parse's discovery costs more with every character of
      // a first line without a line end (1 MiB took 0.9 s, 4 MiB 13 s).
      record_delimiter: lineEnd ?? ['\r\n', '\n', '\r'],
      from_line: headerLine,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      max_record_size: opts.maxRecordChars,
    }));
    const q = (queue = new RecordQueue(p, batchSize * 2));
    feeding = (async () => {
      try {
        for (let chunk: string | undefined = sample; chunk !== undefined; ) {
          // A parser that failed takes no more, and the rest of the upload is not read (it is refused).
          // `errored` is set at once; the error event waits for a tick that a source with chunks
          // ready (only promise continuations) would not give before the whole file was read.
          if (q.closed || p.errored || p.destroyed) return;
          await q.room();
          p.write(chunk);
          const next = await text.next();
          chunk = next.done ? undefined : next.value;
        }
        p.end();
      } catch (err) {
        p.destroy(err as Error);
      }
    })();
    for (let record = await q.next(); record; record = await q.next()) yield record;
  } finally {
    queue?.close();
    if (parser && !parser.destroyed && !parser.writableEnded) parser.destroy();
    await feeding;
    await text.return?.(undefined);
  }
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
        // Drop the records taken once they are most of the array: one parser write can
        // queue many thousands of records, and compacting more often would copy them again and again.
        if (this.head > 1024 && this.head * 2 > this.items.length) {
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

function toFailure(err: unknown, rowsRead: number, maxRecordChars: number): Failure {
  const carried = (err as { jobFailure?: Failure }).jobFailure;
  if (carried) return carried;
  if (err instanceof LeadflowError) return jobFailure(err.code as JobFailureCode, err.message);
  if (err instanceof CsvError) {
    const line = (err as CsvError & { lines?: number }).lines;
    const where = `${rowsRead} data rows read${line ? `, stopped at line ${line}` : ''}`;
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') return jobFailure('CSV_UNCLOSED_QUOTE', where);
    if (err.code === 'CSV_MAX_RECORD_SIZE') return jobFailure('ROW_TOO_LONG', `the limit is ${maxRecordChars} characters, ${where}`);
    return jobFailure('CSV_MALFORMED', `${err.message.split(':')[0]}, ${where}`);
  }
  throw err;
}
