import { costGrowth, craftZip, inlineRow, sheetXml, workbookParts } from '@leadflow/testkit';
import { describe, expect, it } from 'vitest';
import { distinctHeaders } from './distinct-headers.js';
import { MixedDecoder } from './mixed-decoder.js';
import { readRows, type ReadRowsOptions } from './read-rows.js';
import { sniff } from './sniff.js';

/**
 * Inputs 8 times larger: linear work costs about the same per character (1), quadratic work
 * 8 times more. 3 leaves room for a loaded machine and stays far below the quadratic factor.
 */
const FACTOR = 8;
const LIMIT = 3;

const job = { jobId: 'j1', tenantId: 't', supplier: 's', webhookUrl: '', fileName: 'f', sheet: '', review: false };

/** Text of about `n` characters: `head` once, then `unit` repeated. */
const repeated = (unit: string, head = '') => (n: number) => head + unit.repeat(Math.ceil((n - head.length) / unit.length));

/** Shapes that made a step of ingest quadratic somewhere, or could: quotes above all. */
const SHAPES: [string, (n: number) => string][] = [
  ['a letter then quotes', repeated('"', 'a')],
  ['quotes', repeated('"')],
  ['quote-letter pairs', repeated('"a')],
  ['letter-quote pairs', repeated('a"')],
  ['space-quote pairs', repeated(' "')],
  ['comma-quote pairs', repeated(',"')],
  ['one quoted field of escaped quotes', repeated('""', '"')],
  ['semicolons', repeated(';')],
  ['line ends', repeated('\n')],
  ['carriage returns', repeated('\r')],
  ['spaces', repeated(' ')],
  ['short records', repeated('a,b\n')],
  ['letters without a line end', repeated('a')],
];

async function readAll(bytes: Buffer, opts: Partial<ReadRowsOptions> = {}): Promise<number> {
  async function* source() {
    for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024);
  }
  let rows = 0;
  for await (const batch of readRows(source(), { job, maxRecordChars: 16 * 1024 * 1024, maxColumns: 1_000_000, ...opts })) rows += batch.rows.length;
  return rows;
}

describe('every step of ingest takes time linear in its input', () => {
  it.each(SHAPES)('sniffs a sample of %s', async (_shape, make) => {
    expect(await costGrowth((n) => sniff(make(n), true), 4096, 4096 * FACTOR)).toBeLessThan(LIMIT);
  });

  it.each(SHAPES)('reads a file of %s', async (_shape, make) => {
    expect(await costGrowth((n) => readAll(Buffer.from(make(n))), 16 * 1024, 16 * 1024 * FACTOR)).toBeLessThan(LIMIT);
  });

  it.each<[string, (n: number) => Buffer]>([
    ['Windows-1252 bytes', (n) => Buffer.alloc(n, 0x80)],
    ['UTF-8 lead bytes never continued', (n) => Buffer.alloc(n, 0xe2)],
    ['cut four-byte sequences', (n) => Buffer.from(repeated('\xf0\x9f')(n), 'latin1')],
    ['accented letters', (n) => Buffer.from(repeated('é')(n / 2))],
  ])('decodes %s, fed a few bytes at a time', async (_shape, make) => {
    const decode = (n: number) => {
      const bytes = make(n);
      const decoder = new MixedDecoder();
      for (let i = 0; i < bytes.length; i += 7) decoder.decode(bytes.subarray(i, i + 7));
      decoder.decode(new Uint8Array(0), true);
    };
    expect(await costGrowth(decode, 16 * 1024, 16 * 1024 * FACTOR)).toBeLessThan(LIMIT);
  });

  it.each<[string, (n: number) => string[]]>([
    ['one name repeated', (n) => Array<string>(n).fill('note')],
    ['names and their numbered copies', (n) => Array.from({ length: n }, (_, i) => (i % 2 ? 'note' : `note (${i})`))],
    ['empty names', (n) => Array<string>(n).fill('')],
  ])('names a header of %s apart', async (_shape, make) => {
    expect(await costGrowth((n) => distinctHeaders(make(n)), 1000, 1000 * FACTOR)).toBeLessThan(LIMIT);
  });

  it.each<[string, (n: number) => Buffer]>([
    ['rows', (n) => craftZip(workbookParts([['S', { data: sheetXml(inlineRow(['email', 'n']) + inlineRow(['a@x.com', '1']).repeat(n / 40)) }]]))],
    ['a shared string of many runs', (n) =>
      craftZip(workbookParts([['S', { data: sheetXml('<row><c t="s"><v>0</v></c><c t="s"><v>0</v></c></row>'.repeat(2)) }]], {
        data: `<sst><si>${'<r><t>a</t></r>'.repeat(n / 15)}</si></sst>`,
      }))],
    ['a cell of entities', (n) => craftZip(workbookParts([['S', { data: sheetXml(inlineRow(['a', 'b']) + inlineRow(['&amp;&lt;'.repeat(n / 9), 'x'])) }]]))],
    ['sheets of many columns, read together', (n) => {
      const sheet = (k: number) => ({ data: sheetXml(inlineRow(Array.from({ length: n / 30 }, (_, i) => `c${k}-${i}`)) + inlineRow(['1', '2'])) });
      return craftZip(workbookParts([['A', sheet(1)], ['B', sheet(2)]]));
    }],
  ])('reads a workbook of %s', async (_shape, make) => {
    expect(await costGrowth((n) => readAll(make(n), { sheet: '*' }), 64 * 1024, 64 * 1024 * FACTOR)).toBeLessThan(LIMIT);
  });
});
