import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { RowBatch } from '@leadflow/proto';
import { readRows, type ReadRowsOptions } from './read-rows.js';

const job = { jobId: 'j1', tenantId: 't', supplier: 's', webhookUrl: '', fileName: '', sheet: '', review: false };

async function read(chunks: (string | Uint8Array)[], opts: Partial<ReadRowsOptions> & { fileName?: string } = {}): Promise<RowBatch[]> {
  async function* source() {
    for (const c of chunks) yield typeof c === 'string' ? Buffer.from(c) : c;
  }
  const out: RowBatch[] = [];
  const { fileName = '', ...rest } = opts;
  for await (const b of readRows(source(), { batchSize: 2, ...rest, job: { ...job, fileName } })) out.push(b);
  return out;
}

/** Every byte a chunk of its own: a record, a string, an escape split anywhere. */
const bytewise = (text: string) => [...Buffer.from(text)].map((b) => Uint8Array.of(b));

const rowsOf = (batches: RowBatch[]) => batches.flatMap((b) => b.rows.map((r) => ({ row: r.rowNumber, cells: r.cells, reasons: r.refused ? [`${r.refused.code} ${r.refused.detail}`] : [] })));

describe('reading a stream of JSON records', () => {
  it('reads NDJSON split at every byte: keys are columns in order of first appearance, rows filled out to the header', async () => {
    const text = '{"email":"ann@x.com","name":"Ann \\"A\\" Smith"}\r\n\n{"name":"Bob","phone":"+1 201 555 0123"}\n{"city":"Zürich"}';
    const batches = await read(bytewise(text));
    expect(batches.map((b) => [b.seq, b.last, b.totalRows, b.header])).toEqual([
      [0, false, 0, ['email', 'name', 'phone']],
      [1, true, 3, ['email', 'name', 'phone', 'city']],
    ]);
    expect(rowsOf(batches)).toEqual([
      { row: 1, cells: ['ann@x.com', 'Ann "A" Smith', ''], reasons: [] },
      { row: 2, cells: ['', 'Bob', '+1 201 555 0123'], reasons: [] },
      { row: 3, cells: ['', '', '', 'Zürich'], reasons: [] },
    ]);
    expect(batches.at(-1)!.failure).toBeUndefined();
  });

  it('keeps the rows around a line that is not JSON or not an object, which are rows refused with the reason', async () => {
    const text = ['{"email":"a@x.com"}', '{"email": b@x.com}', '[1,2]', '"text"', 'null', '{"email":"c@x.com"}'].join('\n');
    const batches = await read([text], { batchSize: 10 });
    expect(rowsOf(batches)).toEqual([
      { row: 1, cells: ['a@x.com'], reasons: [] },
      { row: 2, cells: [], reasons: [expect.stringMatching(/^NOT_JSON line 2(, character \d+)?: not valid JSON$/)] },
      { row: 3, cells: [], reasons: ['NOT_AN_OBJECT line 3: an array, not an object'] },
      { row: 4, cells: [], reasons: ['NOT_AN_OBJECT line 4: a string, not an object'] },
      { row: 5, cells: [], reasons: ['NOT_AN_OBJECT line 5: null, not an object'] },
      { row: 6, cells: ['c@x.com'], reasons: [] },
    ]);
    // The refusal names the place, never the record's text (personal data).
    expect(JSON.stringify(batches)).not.toContain('b@x.com');
    expect(batches.at(-1)).toMatchObject({ last: true, totalRows: 6, failure: undefined });
  });

  it('reads a JSON array split at every byte, its elements as records, brackets and commas inside strings kept', async () => {
    const text = '\uFEFF [\n {"email": "a@x.com", "note": "[x], {y}"},\n {"email": "b@x.com", "tags": ["vip", "new"]},\n 7\n]\n';
    const batches = await read(bytewise(text));
    expect(batches.at(-1)!.header).toEqual(['email', 'note', 'tags.1', 'tags.2']);
    expect(rowsOf(batches)).toEqual([
      { row: 1, cells: ['a@x.com', '[x], {y}', '', ''], reasons: [] },
      { row: 2, cells: ['b@x.com', '', 'vip', 'new'], reasons: [] },
      { row: 3, cells: [], reasons: ['NOT_AN_OBJECT line 4: a number, not an object'] },
    ]);
    expect(batches.at(-1)).toMatchObject({ totalRows: 3, failure: undefined });
  });

  it('flattens nested objects with dotted names and writes numbers, booleans and null as cells', async () => {
    const batches = await read(['[{"name":{"first":"Ann","last":"Lee"},"address":{"city":"Oslo","zip":null},"age":41.5,"optIn":true}]']);
    expect(batches.at(-1)!.header).toEqual(['name.first', 'name.last', 'address.city', 'address.zip', 'age', 'optIn']);
    expect(rowsOf(batches)[0]!.cells).toEqual(['Ann', 'Lee', 'Oslo', '', '41.5', 'true']);
  });

  it('refuses a malformed element of an array and reads on; an array never closed fails the job keeping the rows before', async () => {
    const batches = await read(['[{"email":"a@x.com"}, {"email":,}, {"email":"c@x.com"}, {"email":"d@x.com"'], { batchSize: 10 });
    expect(rowsOf(batches).map((r) => [r.row, r.cells, r.reasons.map((x) => x.split(' ')[0])])).toEqual([
      [1, ['a@x.com'], []],
      [2, [], ['NOT_JSON']],
      [3, ['c@x.com'], []],
    ]);
    expect(batches.at(-1)!.failure?.code).toBe('JSON_MALFORMED');
    expect(batches.at(-1)!.failure?.message).toContain('3 records read');
    // The rows kept are under their header, as those of a stream read to its end.
    expect(batches.at(-1)!.header).toEqual(['email']);
  });

  it('fails text after the closing bracket with JSON_MALFORMED, keeping the records', async () => {
    const batches = await read(['[{"email":"a@x.com"}] {"email":"b@x.com"}']);
    expect(rowsOf(batches)).toHaveLength(1);
    expect(batches.at(-1)!.failure?.code).toBe('JSON_MALFORMED');
  });

  it('refuses a record past the longest allowed and a record past the column limit, reading on after each', async () => {
    const long = JSON.stringify({ email: 'a@x.com', note: 'x'.repeat(3000) });
    const wide = JSON.stringify({ a: '1', b: '2', c: '3' });
    const batches = await read([`${long}\n{"email":"b@x.com"}\n${wide}\n{"email":"c@x.com","name":"C"}\n`], {
      batchSize: 10, maxRecordChars: 2048, maxColumns: 2,
    });
    expect(rowsOf(batches)).toEqual([
      { row: 1, cells: [], reasons: ['RECORD_TOO_LONG line 1: the limit is 2048 characters'] },
      { row: 2, cells: ['b@x.com', ''], reasons: [] },
      { row: 3, cells: [], reasons: ['TOO_MANY_KEYS line 3: 3 new keys would make 4 columns, the limit is 2'] },
      { row: 4, cells: ['c@x.com', 'C'], reasons: [] },
    ]);
  });

  it('chooses the format by name (.ndjson, .jsonl, .json) before the first characters, and reads gzip', async () => {
    // A first line that is no JSON would not tell NDJSON by its characters: the name does.
    const ndjson = await read([gzipSync('oops\n{"email":"a@x.com"}\n')], { fileName: 'Leads.NDJSON' });
    expect(rowsOf(ndjson).map((r) => [r.cells, r.reasons.length])).toEqual([[[], 1], [['a@x.com'], 0]]);
    const jsonl = await read(['{"email":"a@x.com"}'], { fileName: 'x.jsonl' });
    expect(rowsOf(jsonl)[0]!.cells).toEqual(['a@x.com']);
    const json = await read(['{"email":"a@x.com"}\n{"email":"b@x.com"}'], { fileName: 'x.json' });
    expect(rowsOf(json).map((r) => r.cells)).toEqual([['a@x.com'], ['b@x.com']]);
  });

  it('leaves a CSV whose header starts with a bracket or brace a CSV', async () => {
    const batches = await read(['[Name],[Email]\nAnn,a@x.com\n']);
    expect(batches.at(-1)!.header).toEqual(['[Name]', '[Email]']);
    const braces = await read(['{Name};{Email}\nAnn;a@x.com\n']);
    expect(braces.at(-1)!.header).toEqual(['{Name}', '{Email}']);
  });

  it('reads an empty array as a job of no rows', async () => {
    const batches = await read(['[ ]']);
    expect(batches).toEqual([expect.objectContaining({ last: true, totalRows: 0, rows: [], failure: undefined })]);
  });

  it('stops at the row limit with TOO_MANY_ROWS, keeping the rows before', async () => {
    const batches = await read(['{"a":"1"}\n{"a":"2"}\n{"a":"3"}\n'], { maxRows: 2 });
    expect(rowsOf(batches)).toHaveLength(2);
    expect(batches.at(-1)!.failure?.code).toBe('TOO_MANY_ROWS');
  });
});
