import { describe, expect, it } from 'vitest';
import type { RowBatch } from '@leadflow/proto';
import { readRows } from './read-rows.js';

const job = { jobId: 'j1', tenantId: 't', supplier: 's', webhookUrl: '', fileName: 'f.csv', sheet: '', review: false };

async function read(chunks: (string | Uint8Array)[], batchSize = 2): Promise<RowBatch[]> {
  async function* source() {
    for (const c of chunks) yield typeof c === 'string' ? Buffer.from(c) : c;
  }
  const out: RowBatch[] = [];
  for await (const b of readRows(source(), { job, batchSize })) out.push(b);
  return out;
}

describe('readRows', () => {
  it('reads a CSV split at any byte into numbered rows in batches, the last with the total', async () => {
    const text = '\uFEFFName,Email\r\n"Smith, Ann",ann@x.com\r\nBob,"b\r\nob@x.com"\r\n\r\nCé,c@x.com\r\n';
    const bytes = Buffer.from(text);
    const chunks = [bytes.subarray(0, 7), bytes.subarray(7, 30), bytes.subarray(30)];
    const batches = await read(chunks);
    expect(batches.map((b) => [b.seq, b.last, b.totalRows])).toEqual([
      [0, false, 0],
      [1, true, 3],
    ]);
    expect(batches[0]!.header).toEqual(['Name', 'Email']);
    expect(batches.flatMap((b) => b.rows)).toEqual([
      { rowNumber: 1, cells: ['Smith, Ann', 'ann@x.com'] },
      { rowNumber: 2, cells: ['Bob', 'b\r\nob@x.com'] },
      { rowNumber: 3, cells: ['Cé', 'c@x.com'] },
    ]);
    expect(batches.at(-1)!.failure).toBeUndefined();
  });

  it('cuts a batch of wide rows by its characters, so that it stays far below the largest message the bus takes', async () => {
    const wide = 'w'.repeat(100 * 1024);
    const text = 'email,notes\n' + Array.from({ length: 7 }, (_, i) => `r${i}@x.com,${wide}\n`).join('');
    const batches: RowBatch[] = [];
    async function* source() {
      yield Buffer.from(text);
    }
    for await (const b of readRows(source(), { job, batchSize: 500 })) batches.push(b);
    // 256 Ki characters a batch: three rows of 100 Ki reach it.
    expect(batches.map((b) => b.rows.map((r) => r.rowNumber))).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(batches.at(-1)!.totalRows).toBe(7);
  });

  it('fails an empty file with FILE_EMPTY', async () => {
    const [last] = await read([]);
    expect(last!.failure?.code).toBe('FILE_EMPTY');
    expect(last!.totalRows).toBe(0);
  });

  it('fails a binary file with FILE_BINARY, naming what its bytes say it is, and a cut-off workbook as damaged', async () => {
    const [zip] = await read([Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00])]);
    expect(zip!.failure).toEqual({
      code: 'FILE_CORRUPT',
      message: 'the file is damaged: send it again (no ZIP end-of-directory record: the workbook is cut short or not a ZIP file)',
    });
    const [pdf] = await read([Buffer.from('%PDF-1.7\n%\u00e2\u00e3')]);
    expect(pdf!.failure?.message).toBe('the file is not text: send a CSV file (comma, semicolon, tab or pipe separated) or an Excel workbook (.xlsx) (its bytes say it is a PDF document)');
    const [other] = await read([Uint8Array.from([0x01, 0x00, 0x07, 0x00, 0x00, 0x00, 0x02, 0x9f, 0x00])]);
    expect(other!.failure?.message).toMatch(/NUL bytes/);
  });

  it('reads semicolon-separated Windows-1252 text under title lines, with CR line ends', async () => {
    const cp1252 = Buffer.from('Export du 3 mars\r\rNom;Prénom;Email\rDupré;Renée;r@x.fr\rMüller;Zoë;z@x.de\r', 'latin1');
    const batches = await read([cp1252]);
    expect(batches[0]!.header).toEqual(['Nom', 'Prénom', 'Email']);
    expect(batches.flatMap((b) => b.rows)).toEqual([
      { rowNumber: 1, cells: ['Dupré', 'Renée', 'r@x.fr'] },
      { rowNumber: 2, cells: ['Müller', 'Zoë', 'z@x.de'] },
    ]);
  });

  it('reads a gzip-compressed upload, and refuses one that inflates past the limit', async () => {
    const { gzipSync } = await import('node:zlib');
    const batches = await read([gzipSync('email|name\na@x.com|Ann\n')]);
    expect(batches.flatMap((b) => b.rows)).toEqual([{ rowNumber: 1, cells: ['a@x.com', 'Ann'] }]);
    const bomb = gzipSync(Buffer.alloc(50_000_000, 'a'));
    expect(bomb.length).toBeLessThan(100_000);
    async function* source() {
      yield bomb;
    }
    const out: RowBatch[] = [];
    for await (const b of readRows(source(), { job, maxBytes: 1_000_000 })) out.push(b);
    expect(out.at(-1)!.failure?.code).toBe('FILE_TOO_LARGE');
  });

  it('fails a file past the row limit, keeping the rows within it', async () => {
    const out: RowBatch[] = [];
    async function* source() {
      yield Buffer.from('email\na@x.com\nb@x.com\nc@x.com\n');
    }
    for await (const b of readRows(source(), { job, maxRows: 2 })) out.push(b);
    expect(out.flatMap((b) => b.rows).map((r) => r.rowNumber)).toEqual([1, 2]);
    expect(out.at(-1)!.failure).toMatchObject({ code: 'TOO_MANY_ROWS' });
  });

  it('keeps the rows before an unterminated quote and fails the job naming where', async () => {
    const batches = await read(['a,b\n1,2\n3,4\n5,"6\n7,8\n'], 10);
    const last = batches.at(-1)!;
    expect(last.rows.map((r) => r.rowNumber)).toEqual([1, 2]);
    expect(last.totalRows).toBe(2);
    expect(last.failure?.code).toBe('CSV_UNCLOSED_QUOTE');
    expect(last.failure?.message).toMatch(/quoted field is never closed.*\(2 data rows read, stopped at line \d+\)/);
  });

  it('reads UTF-16 without a byte-order mark, and does not take a few NUL bytes for it', async () => {
    const batches = await read([Buffer.from('email\r\nann@x.com\r\n', 'utf16le')]);
    expect(batches.flatMap((b) => b.rows)).toEqual([{ rowNumber: 1, cells: ['ann@x.com'] }]);
    const [binary] = await read([Buffer.from('\u0000\u0001PK\u0003\u0004\u0000')]);
    expect(binary!.failure?.code).toBe('FILE_BINARY');
  });

  it('keeps every column of a repeated or empty header, named apart', async () => {
    const batches = await read(['note,email,note,,note\nfirst,a@x.com,second,third,fourth\n']);
    expect(batches[0]!.header).toEqual(['note', 'email', 'note (2)', 'column 4', 'note (3)']);
    expect(batches.flatMap((b) => b.rows)).toEqual([{ rowNumber: 1, cells: ['first', 'a@x.com', 'second', 'third', 'fourth'] }]);
  });

  it('fails a row longer than the limit with ROW_TOO_LONG, keeping the rows before it', async () => {
    const out: RowBatch[] = [];
    async function* source() {
      yield Buffer.from(`email,note\na@x.com,short\nb@x.com,${'x'.repeat(3000)}\nc@x.com,short\n`);
    }
    for await (const b of readRows(source(), { job, maxRecordChars: 2048 })) out.push(b);
    expect(out.flatMap((b) => b.rows).map((r) => r.rowNumber)).toEqual([1]);
    expect(out.at(-1)!.failure).toEqual({
      code: 'ROW_TOO_LONG',
      message: 'a row is longer than the limit: check for a quote that is never closed, or shorten its longest cells (the limit is 2048 characters, 1 data rows read, stopped at line 3)',
    });
  });

  it('reads a file whose first line is longer than the sample, ending its lines with CR', async () => {
    const header = Array.from({ length: 800 }, (_, i) => `column ${i} ${'x'.repeat(80)}`).join(';');
    expect(header.length).toBeGreaterThan(64 * 1024);
    const batches = await read([`${header}\r1;2\r3;4\r`]);
    expect(batches[0]!.header).toHaveLength(800);
    expect(batches.flatMap((b) => b.rows.map((r) => r.cells.slice(0, 2)))).toEqual([['1', '2'], ['3', '4']]);
  });

  it('reads UTF-16 with a byte-order mark', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('email\nann@x.com\n', 'utf16le')]);
    const batches = await read([utf16]);
    expect(batches.flatMap((b) => b.rows)).toEqual([{ rowNumber: 1, cells: ['ann@x.com'] }]);
  });
});
