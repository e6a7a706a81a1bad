import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyLead, leadIdFor, reason } from '@leadflow/pipeline';
import { Disposition, type LeadBatch, type LeadRow } from '@leadflow/proto';
import { createPostgres, migrate, type SqlClient } from '@leadflow/stores';
import { infraEnv, uniqueName } from '@leadflow/testkit';
import { createSqlLeadStore, migrations } from './index.js';

const lead = (email: string): LeadRow['lead'] => ({ ...emptyLead(), firstName: 'Ann', email, extra: { Notes: 'vip' } });

function row(jobId: string, n: number, disposition: Disposition, extra: Partial<LeadRow> = {}): LeadRow {
  return {
    rowNumber: n, lead: lead(`r${n}@x.test`), disposition, reasons: [], tags: ['email:business'], qualityScore: 0,
    match: undefined, raw: [`r${n}@x.test`, 'Ann'], leadId: leadIdFor(jobId, n), ...extra,
  };
}

describe('persistence on PostgreSQL', () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    await migrate(db, migrations);
  });
  afterAll(async () => db.close());

  const count = async (table: string, jobId: string) =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE job_id = $1`, [jobId])).rows[0]!.n;

  it('files each row in its table once, however often the batch is delivered, and completes the job by count', async () => {
    const jobId = uniqueName('job');
    const job = { jobId, tenantId: 't', supplier: 'acme', webhookUrl: '', fileName: '', sheet: '', review: false };
    const first: LeadBatch = {
      job, seq: 0, header: ['email', 'name'], mapping: [], last: false, totalRows: 0, failure: undefined,
      rows: [
        row(jobId, 1, Disposition.DISPOSITION_ACCEPTED),
        row(jobId, 2, Disposition.DISPOSITION_INVALID, { reasons: [reason('NO_CONTACT')] }),
      ],
    };
    const second: LeadBatch = {
      ...first, seq: 1, last: true, totalRows: 4,
      rows: [
        row(jobId, 3, Disposition.DISPOSITION_DUPLICATE, {
          match: { matchedJobId: jobId, matchedRow: 1, matchedLeadId: '', matchType: 'exact_email', score: 1 },
          reasons: [reason('DUP_EXACT_EMAIL')],
        }),
        row(jobId, 4, Disposition.DISPOSITION_SUPPRESSED, { reasons: [reason('DNC_NATIONAL')] }),
      ],
    };
    const store = createSqlLeadStore(db);
    expect((await store.storeBatch(first)).finished).toBeUndefined();
    expect(await store.storeBatch(first)).toEqual({ inserted: { accepted: 0, invalid: 0, duplicate: 0, suppressed: 0 }, finished: undefined });
    expect((await store.storeBatch(second)).finished).toBe('completed');
    expect((await store.storeBatch(second)).finished).toBeUndefined();

    expect([await count('leads', jobId), await count('rejected_rows', jobId), await count('duplicate_leads', jobId), await count('suppressed_leads', jobId)]).toEqual([1, 1, 1, 1]);
    const progress = (await db.query('SELECT total_rows, stored, accepted, invalid, duplicate, suppressed, completed_at IS NOT NULL AS done FROM job_progress WHERE job_id = $1', [jobId])).rows[0];
    expect(progress).toEqual({ total_rows: 4, stored: 4, accepted: 1, invalid: 1, duplicate: 1, suppressed: 1, done: true });

    const stored = (await db.query('SELECT id, email, extra, tags, supplier FROM leads WHERE job_id = $1', [jobId])).rows[0];
    expect(stored).toEqual({ id: leadIdFor(jobId, 1), email: 'r1@x.test', extra: { Notes: 'vip' }, tags: ['email:business'], supplier: 'acme' });
    const rejected = (await db.query('SELECT raw, reasons FROM rejected_rows WHERE job_id = $1', [jobId])).rows[0];
    expect(rejected).toEqual({ raw: { email: 'r2@x.test', name: 'Ann' }, reasons: [{ code: 'NO_CONTACT', field: '', detail: '' }] });
  });

  it("stores a row's alternate emails and phones with its lead, its duplicate and its suppressed row", async () => {
    const jobId = uniqueName('job');
    const withAlternates = (n: number, disposition: Disposition, extra: Partial<LeadRow> = {}) => {
      const r = row(jobId, n, disposition, extra);
      r.lead = {
        ...r.lead!, phone: `+1512555010${n}`,
        alternateEmails: [{ value: `ann${n}@home.net`, header: 'Email 2' }], alternatePhones: [{ value: `+1512555020${n}`, header: 'Mobile' }],
      };
      return r;
    };
    await createSqlLeadStore(db).storeBatch({
      job: { jobId, tenantId: 't', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
      seq: 0, header: ['email'], mapping: [], last: true, totalRows: 3, failure: undefined,
      rows: [
        withAlternates(1, Disposition.DISPOSITION_ACCEPTED),
        withAlternates(2, Disposition.DISPOSITION_DUPLICATE, {
          match: { matchedJobId: jobId, matchedRow: 1, matchedLeadId: '', matchType: 'exact_phone', score: 1 }, reasons: [reason('DUP_EXACT_PHONE')],
        }),
        withAlternates(3, Disposition.DISPOSITION_SUPPRESSED, { reasons: [reason('DNC_NATIONAL', 'alternate_phones', '+15125550203 (column "Mobile")')] }),
      ],
    });
    const stored = (await db.query('SELECT alternates FROM leads WHERE job_id = $1', [jobId])).rows[0];
    // The duplicate's alternates were merged into its lead beside the lead's own, and all are looked up as dedup's keys.
    expect(stored).toEqual({
      alternates: { emails: ['ann1@home.net', 'r2@x.test', 'ann2@home.net'], phones: ['+15125550201', '+15125550102', '+15125550202'] },
    });
    const keys = (await db.query<{ key: string }>('SELECT key FROM lead_alternate_keys WHERE lead_id = $1 ORDER BY key', [leadIdFor(jobId, 1)])).rows;
    expect(keys.map((k) => k.key)).toEqual([
      'email:ann1@home.net', 'email:ann2@home.net', 'email:r2@x.test', 'phone:+15125550102', 'phone:+15125550201', 'phone:+15125550202',
    ]);
    const copies = (await db.query("SELECT lead->'alternates' AS alternates FROM duplicate_leads WHERE job_id = $1 UNION ALL SELECT lead->'alternates' FROM suppressed_leads WHERE job_id = $1", [jobId])).rows;
    expect(copies).toEqual([
      { alternates: { emails: ['ann2@home.net'], phones: ['+15125550202'] } },
      { alternates: { emails: ['ann3@home.net'], phones: ['+15125550203'] } },
    ]);
  });

  it('fails the job when a batch carries a failure, keeping the rows stored before it', async () => {
    const jobId = uniqueName('job');
    const store = createSqlLeadStore(db);
    const result = await store.storeBatch({
      job: { jobId, tenantId: 't', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
      seq: 0, header: ['email'], mapping: [], last: true, totalRows: 1,
      failure: { code: 'CSV_UNCLOSED_QUOTE', message: 'a quoted field is never closed' },
      rows: [row(jobId, 1, Disposition.DISPOSITION_ACCEPTED)],
    });
    expect(result.finished).toBe('failed');
    expect(await count('leads', jobId)).toBe(1);
  });
});
