import { describe, expect, it } from 'vitest';
import { isFanout, reason } from '@leadflow/pipeline';
import { Disposition, type LeadBatch, type RawRow, type RowBatch } from '@leadflow/proto';
import { createMappingStage, createMemoryMappingStore } from './index.js';

const job = { jobId: 'stream', tenantId: 't', supplier: '', webhookUrl: '', fileName: 'records.ndjson', sheet: '', review: false };

const batch = (seq: number, header: string[], rows: RawRow[], last = false): RowBatch => ({
  job, seq, header, rows, last, totalRows: last ? rows.at(-1)!.rowNumber : 0, failure: undefined, decision: undefined,
});
const row = (rowNumber: number, cells: string[]): RawRow => ({ rowNumber, cells });

async function one(stage: ReturnType<typeof createMappingStage>, b: RowBatch): Promise<LeadBatch> {
  const out = await stage(b);
  if (isFanout(out)) throw new Error('expected one batch');
  return out;
}

describe('a stream whose header grows', () => {
  it('maps the keys a later batch brings: an email first met in row 3 is the lead email, an unknown key kept in extra', async () => {
    const store = createMemoryMappingStore();
    const stage = createMappingStage({ store });
    const first = await one(stage, batch(0, ['name', 'phone'], [row(1, ['Ann Lee', '(201) 555-0123']), row(2, ['Bob Roe', '(201) 555-0124'])]));
    expect(first.mapping.map((m) => m.field)).toEqual(['full_name', 'phone']);
    const later = await one(
      stage,
      batch(1, ['name', 'phone', 'email', 'Favourite colour'], [row(3, ['Cy Doe', '', 'cy@example.com', 'blue']), row(4, ['Di Poe', '', 'not-an-email', ''])], true),
    );
    expect(later.mapping.map((m) => [m.header, m.field])).toEqual([
      ['name', 'full_name'],
      ['phone', 'phone'],
      ['email', 'email'],
      ['Favourite colour', 'extra'],
    ]);
    expect(later.rows[0]!.lead).toMatchObject({ email: 'cy@example.com', extra: { 'Favourite colour': 'blue' } });
    expect(later.rows[0]!.disposition).toBe(Disposition.DISPOSITION_ACCEPTED);
    expect(later.rows[1]!.disposition).toBe(Disposition.DISPOSITION_INVALID);
    // Kept for the job's status and exports, whose header is the mapping's.
    expect((await store.jobMapping('stream'))!.columns.map((c) => c.header)).toEqual(['name', 'phone', 'email', 'Favourite colour']);
  });

  it('takes a second email key first met later as an alternate, not in place of the first', async () => {
    const stage = createMappingStage();
    await one(stage, batch(0, ['email'], [row(1, ['a@example.com'])]));
    const later = await one(stage, batch(1, ['email', 'email2'], [row(2, ['b@example.com', 'b2@example.com'])], true));
    expect(later.mapping.map((m) => m.field)).toEqual(['email', 'email']);
    expect(later.rows[0]!.lead).toMatchObject({ email: 'b@example.com', alternateEmails: [{ header: 'email2', value: 'b2@example.com' }] });
  });

  it('grows the mapping of a job in review, and maps its held rows by it once decided', async () => {
    const store = createMemoryMappingStore();
    const stage = createMappingStage({ store });
    const review = { ...job, jobId: 'stream-review', review: true };
    await stage({ ...batch(0, ['phone'], [row(1, ['(201) 555-0123'])]), job: review });
    await stage({ ...batch(1, ['phone', 'mail'], [row(2, ['', 'b@example.com'])], true), job: review });
    const proposed = (await store.jobMapping('stream-review'))!;
    expect(proposed.status).toBe('awaiting_review');
    expect(proposed.columns.map((c) => [c.header, c.field])).toEqual([['phone', 'phone'], ['mail', 'email']]);
    const released = await stage({
      job: review, seq: 2, header: [], rows: [], last: false, totalRows: 0, failure: undefined,
      decision: { columns: proposed.columns.map((c) => ({ header: c.header, field: c.field, confidence: 1, evidence: [] })), fileIndex: 0 },
    });
    if (!isFanout(released)) throw new Error('expected the held batches');
    expect(released.outputs.flatMap((b) => b.rows.map((r) => [r.rowNumber, r.lead!.phone || r.lead!.email]))).toEqual([
      [1, '+12015550123'],
      [2, 'b@example.com'],
    ]);
  });

  it('refuses a row ingest could not read with the reason ingest gave, keeping the rows around it', async () => {
    const stage = createMappingStage();
    const refused: RawRow = { rowNumber: 2, cells: [], refused: reason('NOT_AN_OBJECT', '', 'line 2: an array, not an object') };
    const out = await one(stage, batch(0, ['email'], [row(1, ['a@example.com']), refused, row(3, ['c@example.com'])], true));
    expect(out.rows.map((r) => [r.rowNumber, r.disposition, r.reasons.map((x) => x.code)])).toEqual([
      [1, Disposition.DISPOSITION_ACCEPTED, []],
      [2, Disposition.DISPOSITION_INVALID, ['NOT_AN_OBJECT']],
      [3, Disposition.DISPOSITION_ACCEPTED, []],
    ]);
  });
});
