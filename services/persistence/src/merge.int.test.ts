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
});
