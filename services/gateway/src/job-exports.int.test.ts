import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlMappingStore, migrations as mappingMigrations } from '@leadflow/mapping';
import { createSqlLeadStore, decidePossibleDuplicate, leadMerges, migrations as persistenceMigrations, revertMerge } from '@leadflow/persistence';
import { emptyLead, leadIdFor, reason } from '@leadflow/pipeline';
import { Disposition, type Lead, type LeadBatch, type LeadRow } from '@leadflow/proto';
import { createPostgres, migrate, type SqlClient } from '@leadflow/stores';
import { infraEnv, uniqueName } from '@leadflow/testkit';
import { EXPORT_KINDS, exportCsv, migrations } from './index.js';

const HEADER = ['First Name', 'Last Name', 'Email', 'Company', 'Notes'];

type Row = Omit<Partial<LeadRow>, 'lead'> & { lead?: Partial<Lead> };

function batch(jobId: string, tenantId: string, rows: Row[]): LeadBatch {
  return {
    job: { jobId, tenantId, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0, header: HEADER, mapping: [], last: true, totalRows: rows.length, failure: undefined,
    rows: rows.map((r, i) => ({
      disposition: Disposition.DISPOSITION_ACCEPTED, reasons: [], tags: [], qualityScore: 0, match: undefined, raw: [], ...r,
      rowNumber: i + 1, leadId: leadIdFor(jobId, i + 1), lead: { ...emptyLead(), ...r.lead },
    })),
  };
}

describe("a job's exports", () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    for (const m of [migrations, mappingMigrations, persistenceMigrations]) await migrate(db, m);
  });
  afterAll(() => db.close());

  const exportsOf = async (jobId: string, tenantId: string) => {
    const files: Record<string, string> = {};
    for (const kind of EXPORT_KINDS) {
      files[kind] = '';
      for await (const line of exportCsv(db, kind, jobId, tenantId)) files[kind] += line;
    }
    return files;
  };

  it('show its rows as the job filed them, byte for byte, after later jobs merge into its leads and reviews change them', async () => {
    const tenant = uniqueName('tenant');
    const [jobA, jobB] = [uniqueName('job'), uniqueName('job')];
    const leadA1 = leadIdFor(jobA, 1);
    const leadA2 = leadIdFor(jobA, 2);
    await createSqlMappingStore(db).saveJobMapping({ jobId: jobA, tenantId: tenant, supplier: '' }, {
      status: 'automatic', preview: [],
      columns: [['First Name', 'first_name'], ['Last Name', 'last_name'], ['Email', 'email'], ['Company', 'company'], ['Notes', 'extra']].map(
        ([header, field]) => ({ header: header!, field: field as 'extra', confidence: 0.9, evidence: [] }),
      ),
    });
    const store = createSqlLeadStore(db);
    await store.storeBatch(batch(jobA, tenant, [
      { lead: { firstName: 'Ann', lastName: 'Lee', email: 'ann@acme.com', emailKey: 'ann@acme.com', company: 'Acme', extra: { Notes: 'met at the fair' } } },
      {
        lead: { firstName: 'Anne', lastName: 'Lee', email: 'anne@lee.family', emailKey: 'anne@lee.family' },
        tags: ['possible_duplicate'], reasons: [reason('POSSIBLE_DUPLICATE', '', `kept, flagged for review: lead ${leadA1}, score 0.6000`)],
        match: { matchedJobId: jobA, matchedRow: 1, matchedLeadId: leadA1, matchType: 'possible', score: 0.6 },
      },
      { disposition: Disposition.DISPOSITION_INVALID, raw: ['Cy', 'Ng', 'not-an-email', 'Initech', ''], reasons: [reason('NO_CONTACT')] },
    ]));
    const before = await exportsOf(jobA, tenant);
    expect(before.leads!.split('\r\n')[1]).toMatch(/^1,,[0-9a-f-]{36},Ann,Lee,,ann@acme\.com,.*,Acme,,.*,met at the fair$/);

    // A later job's row is the same person at another employer, with a domain and a phone: merged into the lead.
    await store.storeBatch(batch(jobB, tenant, [{
      disposition: Disposition.DISPOSITION_DUPLICATE, reasons: [reason('DUP_EXACT_EMAIL')],
      lead: { firstName: 'Ann', lastName: 'Lee', email: 'ann@acme.com', emailKey: 'ann@acme.com', company: 'Globex', domain: 'globex.com', phone: '+12015550123' },
      match: { matchedJobId: jobA, matchedRow: 0, matchedLeadId: leadA1, matchType: 'exact_email', score: 1 },
    }]));
    // A person decides the flagged lead is another person: its tag goes.
    expect(await decidePossibleDuplicate(db, leadA2, tenant, 'distinct')).toMatchObject({ status: 'decided' });

    // The lead's current state is one lead_id away...
    const current = async (id: string) =>
      (await db.query<{ company: string; domain: string; phone: string; tags: string[] }>('SELECT company, domain, phone, tags FROM leads WHERE id = $1', [id])).rows[0];
    expect(await current(leadA1)).toEqual({ company: 'Globex', domain: 'globex.com', phone: '+12015550123', tags: [] });
    expect((await current(leadA2))!.tags).toEqual([]);
    // ...and the first job's exports are what they were.
    expect(await exportsOf(jobA, tenant)).toEqual(before);

    // Leads changed before the column of their values as filed existed get it from the merges recorded and the reviews.
    await db.query('UPDATE leads SET filed = NULL WHERE id = ANY($1::uuid[])', [[leadA1, leadA2]]);
    const migration = fileURLToPath(new URL('../../persistence/migrations/011_filed.sql', import.meta.url));
    await db.exec(readFileSync(migration, 'utf8'));
    expect(await exportsOf(jobA, tenant)).toEqual(before);

    // Undoing the merge changes the lead back, and the export not at all.
    const [merge] = await leadMerges(db, leadA1, tenant);
    expect(await revertMerge(db, merge!.id, tenant)).toMatchObject({ status: 'reverted' });
    expect(await current(leadA1)).toMatchObject({ company: 'Acme', domain: null, phone: null });
    expect(await exportsOf(jobA, tenant)).toEqual(before);
  });

  it("show a lead's alternates as the job filed them, those a later duplicate brings only on the lead", async () => {
    const tenant = uniqueName('tenant');
    const [jobA, jobB] = [uniqueName('job'), uniqueName('job')];
    const lead = leadIdFor(jobA, 1);
    const store = createSqlLeadStore(db);
    await store.storeBatch(batch(jobA, tenant, [{
      lead: { firstName: 'Ann', email: 'ann@acme.com', emailKey: 'ann@acme.com', phone: '+12015550123', alternatePhones: [{ value: '+12015550124', header: 'Mobile' }] },
    }]));
    await store.storeBatch(batch(jobB, tenant, [{
      disposition: Disposition.DISPOSITION_DUPLICATE, reasons: [reason('DUP_EXACT_EMAIL')],
      lead: { firstName: 'Ann', email: 'ann@acme.com', emailKey: 'ann@acme.com', alternatePhones: [{ value: '+12015550125', header: 'Handy' }] },
      match: { matchedJobId: jobA, matchedRow: 0, matchedLeadId: lead, matchType: 'exact_email', score: 1 },
    }]));
    const cells = async (jobId: string, kind: 'leads' | 'duplicates') => {
      const [header, row] = (await exportsOf(jobId, tenant))[kind]!.split('\r\n');
      const names = header!.split(',');
      const values = row!.split(',');
      return [values[names.indexOf('alternate_emails')], values[names.indexOf('alternate_phones')]];
    };
    expect(await cells(jobA, 'leads')).toEqual(['', '+12015550124']);
    expect(await cells(jobB, 'duplicates')).toEqual(['', '+12015550125']);
    expect((await db.query('SELECT alternates FROM leads WHERE id = $1', [lead])).rows[0]).toEqual({
      alternates: { emails: [], phones: ['+12015550124', '+12015550125'] },
    });
  });
});
