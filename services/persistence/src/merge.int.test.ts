import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type Lead, type LeadBatch, type LeadRow } from '@leadflow/proto';
import { createPostgres, migrate, type SqlClient } from '@leadflow/stores';
import { infraEnv, uniqueName } from '@leadflow/testkit';
import { createSqlLeadStore, leadMerges, migrations, revertMerge } from './index.js';

const EMPTY: Lead = emptyLead();

function batch(jobId: string, tenantId: string, rows: { lead: Partial<Lead>; match?: LeadRow['match'] }[]): LeadBatch {
  return {
    job: { jobId, tenantId, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0, header: [], mapping: [], last: false, totalRows: 0, failure: undefined,
    rows: rows.map((r, i) => ({
      rowNumber: i + 1, lead: { ...EMPTY, ...r.lead }, disposition: r.match ? Disposition.DISPOSITION_DUPLICATE : Disposition.DISPOSITION_ACCEPTED,
      reasons: [], tags: [], qualityScore: 0, match: r.match, raw: [], leadId: leadIdFor(jobId, i + 1),
    })),
  };
}

describe('merging duplicates into their leads', () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    await migrate(db, migrations);
  });
  afterAll(() => db.close());

  const leadRow = async (id: string) =>
    (await db.query<Record<string, unknown>>('SELECT email, phone, job_title, company, street, city, state, postal_code, alternates FROM leads WHERE id = $1', [id])).rows[0];

  it('fills what the lead lacks, keeps other emails as alternates, records the merge, and undoes it', async () => {
    const tenant = uniqueName('tenant');
    const [jobA, jobB] = [uniqueName('job'), uniqueName('job')];
    const store = createSqlLeadStore(db);
    await store.storeBatch(batch(jobA, tenant, [{ lead: { firstName: 'Ann', lastName: 'Lee', email: 'ann@acme.com', emailKey: 'ann@acme.com', jobTitle: 'Engineer', street: '9 Elm Road', city: 'Austin' } }]));
    const leadId = leadIdFor(jobA, 1);
    const dup = batch(jobB, tenant, [{
      lead: {
        firstName: 'Ann', lastName: 'Lee', email: 'ann.lee@gmail.com', emailKey: 'annlee@gmail.com', phone: '+15125550123', jobTitle: 'CTO',
        street: '9 Elm Rd', city: 'Austin', state: 'TX', postalCode: '78701',
      },
      match: { matchedJobId: jobA, matchedRow: 0, matchedLeadId: leadId, matchType: 'fuzzy', score: 0.99 },
    }]);
    await store.storeBatch(dup);
    await store.storeBatch(dup); // redelivered: merged once
    expect(await leadRow(leadId)).toEqual({
      email: 'ann@acme.com', phone: '+15125550123', job_title: 'CTO', company: null, street: '9 Elm Rd', city: 'Austin', state: 'TX', postal_code: '78701',
      alternates: { emails: ['ann.lee@gmail.com'], phones: [] },
    });
    const merges = await leadMerges(db, leadId, tenant);
    expect(merges).toHaveLength(1);
    expect(merges[0]).toMatchObject({
      jobId: jobB, rowNumber: 1, revertedAt: null,
      changes: {
        phone: { before: '', after: '+15125550123' }, job_title: { before: 'Engineer', after: 'CTO' },
        street: { before: '9 Elm Road', after: '9 Elm Rd' }, state: { before: '', after: 'TX' }, postal_code: { before: '', after: '78701' },
      },
      alternates: { emails: ['ann.lee@gmail.com'], phones: [] },
    });

    // Someone corrects the title by hand; undoing the merge restores the rest and keeps the correction.
    await db.query("UPDATE leads SET job_title = 'VP Engineering' WHERE id = $1", [leadId]);
    const undone = await revertMerge(db, merges[0]!.id, tenant);
    expect(undone).toMatchObject({ status: 'reverted', restored: ['phone', 'street', 'state', 'postal_code'], kept: ['job_title'] });
    expect(await leadRow(leadId)).toEqual({
      email: 'ann@acme.com', phone: null, job_title: 'VP Engineering', company: null, street: '9 Elm Road', city: 'Austin', state: null, postal_code: null,
      alternates: { emails: [], phones: [] },
    });
    expect(await revertMerge(db, merges[0]!.id, tenant)).toMatchObject({ status: 'already_reverted' });
    expect(await revertMerge(db, merges[0]!.id, 'another-tenant')).toEqual({ status: 'not_found' });
  });

  it("keeps a lead's own alternates and adds its duplicate's, each once, and undoes only what the merge added", async () => {
    const tenant = uniqueName('tenant');
    const [jobA, jobB] = [uniqueName('job'), uniqueName('job')];
    const store = createSqlLeadStore(db);
    await store.storeBatch(batch(jobA, tenant, [{
      lead: { firstName: 'Ann', lastName: 'Lee', email: 'ann@acme.com', emailKey: 'ann@acme.com', phone: '+15125550100', alternatePhones: [{ value: '+15125550101', header: 'Mobile' }] },
    }]));
    const leadId = leadIdFor(jobA, 1);
    const keys = async () => (await db.query<{ key: string }>('SELECT key FROM lead_alternate_keys WHERE lead_id = $1 ORDER BY key', [leadId])).rows.map((r) => r.key);
    expect((await leadRow(leadId))!.alternates).toEqual({ emails: [], phones: ['+15125550101'] });
    expect(await keys()).toEqual(['phone:+15125550101']);

    await store.storeBatch(batch(jobB, tenant, [{
      lead: {
        firstName: 'Ann', lastName: 'Lee', email: 'Ann.Lee@gmail.com', emailKey: 'annlee@gmail.com', phone: '+15125550102',
        alternateEmails: [{ value: 'ann@home.net', header: 'Email 2' }],
        alternatePhones: [{ value: '+15125550101', header: 'Handy' }, { value: '+15125550103', header: 'Fax' }],
      },
      match: { matchedJobId: jobA, matchedRow: 0, matchedLeadId: leadId, matchType: 'exact_phone', score: 1 },
    }]));
    expect((await leadRow(leadId))!.alternates).toEqual({
      emails: ['Ann.Lee@gmail.com', 'ann@home.net'], phones: ['+15125550101', '+15125550102', '+15125550103'],
    });
    expect(await keys()).toEqual(['email:ann@home.net', 'email:annlee@gmail.com', 'phone:+15125550101', 'phone:+15125550102', 'phone:+15125550103']);
    const [merge] = await leadMerges(db, leadId, tenant);
    expect(merge!.alternates).toEqual({ emails: ['Ann.Lee@gmail.com', 'ann@home.net'], phones: ['+15125550102', '+15125550103'] });

    await revertMerge(db, merge!.id, tenant);
    expect((await leadRow(leadId))!.alternates).toEqual({ emails: [], phones: ['+15125550101'] });
    expect(await keys()).toEqual(['phone:+15125550101']);
  });

  it('files a copy of a copy under the lead, whichever of the two copies is stored first (two dedup replicas raced)', async () => {
    // Replica A found its row a copy of lead X; replica B, at the same moment, found its row a
    // copy of A's row, before A had marked that row a duplicate in the index.
    for (const order of ['copy first', 'copy of the copy first'] as const) {
      const tenant = uniqueName('tenant');
      const [jobX, jobA, jobB] = [uniqueName('job'), uniqueName('job'), uniqueName('job')];
      const store = createSqlLeadStore(db);
      await store.storeBatch(batch(jobX, tenant, [{ lead: { firstName: 'Ann', lastName: 'Lee', street: '9 Elm Road', city: 'Austin' } }]));
      const lead = leadIdFor(jobX, 1);
      const copy = batch(jobA, tenant, [{
        lead: { firstName: 'Ann', lastName: 'Lee', street: '9 Elm Rd', city: 'Austin', postalCode: '78701' },
        match: { matchedJobId: jobX, matchedRow: 0, matchedLeadId: lead, matchType: 'fuzzy', score: 0.99 },
      }]);
      const copyOfCopy = batch(jobB, tenant, [{
        lead: { firstName: 'Anne', lastName: 'Lee', street: '9 Elm Rd', city: 'Austin', postalCode: '78701', phone: '+15125550123' },
        match: { matchedJobId: jobA, matchedRow: 0, matchedLeadId: leadIdFor(jobA, 1), matchType: 'fuzzy', score: 0.98 },
      }]);
      reasonOn(copy, `same as lead ${lead}`);
      reasonOn(copyOfCopy, `same as lead ${leadIdFor(jobA, 1)}`);
      for (const b of order === 'copy first' ? [copy, copyOfCopy] : [copyOfCopy, copy]) await store.storeBatch(b);
      await store.storeBatch(copyOfCopy); // redelivered: changes nothing

      const { rows } = await db.query<{ job_id: string; matched_job_id: string; matched_row: number | null; matched_lead_id: string; detail: string }>(
        "SELECT job_id, matched_job_id, matched_row, matched_lead_id, reasons->0->>'detail' AS detail FROM duplicate_leads WHERE tenant_id = $1 ORDER BY job_id = $2 DESC",
        [tenant, jobA],
      );
      expect(rows, order).toEqual([
        { job_id: jobA, matched_job_id: jobX, matched_row: null, matched_lead_id: lead, detail: `same as lead ${lead}` },
        {
          job_id: jobB, matched_job_id: jobX, matched_row: null, matched_lead_id: lead,
          detail: `same as lead ${leadIdFor(jobA, 1)}; that row of job ${jobA} was found a duplicate of lead ${lead} at the same time`,
        },
      ]);
      // Both copies merged into the lead, the second one's phone too.
      expect((await leadRow(lead))!.phone, order).toBe('+15125550123');
      expect((await leadMerges(db, lead, tenant)).map((m) => m.jobId).sort(), order).toEqual([jobA, jobB].sort());
    }
  });
});

function reasonOn(b: LeadBatch, detail: string) {
  b.rows[0]!.reasons.push({ code: 'DUP_FUZZY', field: '', detail });
}
