import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyLead, leadIdFor, reason } from '@leadflow/pipeline';
import { Disposition, type Lead, type LeadBatch } from '@leadflow/proto';
import { createPostgres, migrate, type SqlClient } from '@leadflow/stores';
import { infraEnv, uniqueName } from '@leadflow/testkit';
import { createSqlLeadStore, decidePossibleDuplicate, leadMerges, listPossibleDuplicates, migrations } from './index.js';

/** A batch of leads; those given a lead to copy are flagged as possible duplicates of it, as dedup flags them. */
function batch(jobId: string, tenantId: string, rows: { lead: Partial<Lead>; mayCopy?: string }[]): LeadBatch {
  return {
    job: { jobId, tenantId, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0, header: [], mapping: [], last: true, totalRows: rows.length, failure: undefined,
    rows: rows.map((r, i) => ({
      rowNumber: i + 1, lead: { ...emptyLead(), ...r.lead }, disposition: Disposition.DISPOSITION_ACCEPTED,
      reasons: r.mayCopy ? [reason('POSSIBLE_DUPLICATE', '', `lead ${r.mayCopy}, score 0.7000: last_name exact, first_name different`)] : [],
      tags: r.mayCopy ? ['possible_duplicate'] : [], qualityScore: 0, raw: [], leadId: leadIdFor(jobId, i + 1),
      match: r.mayCopy ? { matchedJobId: 'earlier', matchedRow: 0, matchedLeadId: r.mayCopy, matchType: 'possible', score: 0.7 } : undefined,
    })),
  };
}

describe('possible duplicates, decided by a person', () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    await migrate(db, migrations);
  });
  afterAll(() => db.close());

  it('lists the flagged leads and files each decision: two people, or one merged into the other', async () => {
    const tenant = uniqueName('tenant');
    const [jobA, jobB] = [uniqueName('job'), uniqueName('job')];
    const store = createSqlLeadStore(db);
    await store.storeBatch(batch(jobA, tenant, [{ lead: { firstName: 'Ann', lastName: 'Lee', street: '9 Elm Road', city: 'Austin', email: 'ann@acme.com' } }]));
    const ann = leadIdFor(jobA, 1);
    const flagged = batch(jobB, tenant, [
      { lead: { firstName: 'Anne', lastName: 'Lee', street: '9 Elm Rd', city: 'Austin', phone: '+15125550123', alternatePhones: [{ value: '+15125550124', header: 'Mobile' }] }, mayCopy: ann },
      { lead: { firstName: 'Tom', lastName: 'Lee', street: '9 Elm Road', city: 'Austin', email: 'tom@acme.com' }, mayCopy: ann },
    ]);
    await store.storeBatch(flagged);
    await store.storeBatch(flagged); // redelivered: flagged once
    const [anne, tom] = [leadIdFor(jobB, 1), leadIdFor(jobB, 2)];

    const open = await listPossibleDuplicates(db, tenant, { status: 'open', limit: 10 });
    expect(open.map((p) => [p.leadId, p.matchedLeadId, p.score, p.status])).toEqual([
      [anne, ann, 0.7, 'open'],
      [tom, ann, 0.7, 'open'],
    ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
    expect(open[0]!.detail).toBe(`lead ${ann}, score 0.7000: last_name exact, first_name different`);
    expect(await listPossibleDuplicates(db, tenant, { status: 'open', limit: 1, after: open[0]!.leadId })).toEqual([open[1]]);

    // Tom is another person: he stays a lead, no longer flagged.
    const distinct = await decidePossibleDuplicate(db, tom, tenant, 'distinct');
    expect(distinct).toMatchObject({ status: 'decided', possibleDuplicate: { leadId: tom, status: 'distinct' }, merge: null });
    expect((await db.query('SELECT tags FROM leads WHERE id = $1', [tom])).rows).toEqual([{ tags: [] }]);

    // Anne is Ann: her row becomes a duplicate and her phone is merged into Ann.
    const same = await decidePossibleDuplicate(db, anne, tenant, 'duplicate');
    expect(same).toMatchObject({ status: 'decided', possibleDuplicate: { leadId: anne, status: 'duplicate' } });
    expect((await db.query('SELECT id FROM leads WHERE id = $1', [anne])).rows).toEqual([]);
    const dup = (
      await db.query<{ matched_lead_id: string; match_type: string; lead: Record<string, string>; reasons: { code: string }[] }>(
        'SELECT matched_lead_id, match_type, lead, reasons FROM duplicate_leads WHERE job_id = $1 AND row_number = 1',
        [jobB],
      )
    ).rows[0]!;
    expect(dup).toMatchObject({
      matched_lead_id: ann, match_type: 'reviewed', lead: { first_name: 'Anne', phone: '+15125550123', alternates: { emails: [], phones: ['+15125550124'] } },
    });
    expect(dup.reasons.map((r) => r.code)).toEqual(['POSSIBLE_DUPLICATE', 'DUP_REVIEWED']);
    // Her other number goes along as one of Ann's alternates.
    expect((await db.query('SELECT phone, alternates FROM leads WHERE id = $1', [ann])).rows).toEqual([
      { phone: '+15125550123', alternates: { emails: [], phones: ['+15125550124'] } },
    ]);
    // Looked up as hers now; the row that is gone as a lead takes its keys with it.
    expect((await db.query('SELECT lead_id FROM lead_alternate_keys WHERE tenant_id = $1', [tenant])).rows).toEqual([{ lead_id: ann }]);
    const merges = await leadMerges(db, ann, tenant);
    expect(merges.map((m) => [m.jobId, m.rowNumber, m.changes.phone])).toEqual([[jobB, 1, { before: '', after: '+15125550123' }]]);
    expect(same.status === 'decided' && same.merge?.id).toBe(merges[0]!.id);
    const progress = (await db.query('SELECT accepted, duplicate FROM job_progress WHERE job_id = $1', [jobB])).rows[0];
    expect(progress).toEqual({ accepted: 1, duplicate: 1 });

    expect(await listPossibleDuplicates(db, tenant, { status: 'open', limit: 10 })).toEqual([]);
    expect((await listPossibleDuplicates(db, tenant, { status: 'duplicate', limit: 10 })).map((p) => p.leadId)).toEqual([anne]);
    expect(await decidePossibleDuplicate(db, anne, tenant, 'distinct')).toMatchObject({ status: 'already_decided', possibleDuplicate: { status: 'duplicate' } });
    expect(await decidePossibleDuplicate(db, anne, uniqueName('tenant'), 'distinct')).toEqual({ status: 'not_found' });
    expect(await decidePossibleDuplicate(db, 'not-a-uuid', tenant, 'distinct')).toEqual({ status: 'not_found' });
  });

  it('takes the copies of a lead decided a duplicate along to the lead it joined, and refuses a lead that is gone', async () => {
    const tenant = uniqueName('tenant');
    const [jobA, jobB, jobC, jobD] = [uniqueName('job'), uniqueName('job'), uniqueName('job'), uniqueName('job')];
    const store = createSqlLeadStore(db);
    await store.storeBatch(batch(jobA, tenant, [{ lead: { firstName: 'Ann', lastName: 'Lee', email: 'ann@acme.com' } }]));
    const ann = leadIdFor(jobA, 1);
    await store.storeBatch(batch(jobB, tenant, [{ lead: { firstName: 'Anne', lastName: 'Lee', email: 'anne@acme.com' }, mayCopy: ann }]));
    const anne = leadIdFor(jobB, 1);
    // While Anne is a lead: Annie may copy her, and a row of job D is found a copy of her.
    await store.storeBatch(batch(jobC, tenant, [{ lead: { firstName: 'Annie', lastName: 'Lee', email: 'annie@acme.com' }, mayCopy: anne }]));
    const copy = batch(jobD, tenant, [{ lead: { firstName: 'Anne', lastName: 'Lee', email: 'anne@acme.com', phone: '+15125550123' } }]);
    copy.rows[0]!.disposition = Disposition.DISPOSITION_DUPLICATE;
    copy.rows[0]!.match = { matchedJobId: jobB, matchedRow: 0, matchedLeadId: anne, matchType: 'exact_email', score: 1 };
    copy.rows[0]!.reasons = [reason('DUP_EXACT_EMAIL', 'email', `same as lead ${anne}`)];
    await store.storeBatch(copy);

    await decidePossibleDuplicate(db, anne, tenant, 'duplicate');
    const later = `; that row of job ${jobB} was found a duplicate of lead ${ann} by review`;
    expect((await db.query("SELECT matched_job_id, matched_lead_id, reasons->0->>'detail' AS detail FROM duplicate_leads WHERE job_id = $1", [jobD])).rows).toEqual([
      { matched_job_id: jobA, matched_lead_id: ann, detail: `same as lead ${anne}${later}` },
    ]);
    expect((await db.query('SELECT phone FROM leads WHERE id = $1', [ann])).rows).toEqual([{ phone: '+15125550123' }]);
    const annie = (await listPossibleDuplicates(db, tenant, { status: 'open', limit: 10 }))[0]!;
    expect(annie).toMatchObject({ leadId: leadIdFor(jobC, 1), matchedLeadId: ann });
    expect(annie.detail).toBe(`lead ${anne}, score 0.7000: last_name exact, first_name different${later}`);

    // A lead that is gone (erased by hand here) cannot be merged into.
    await db.query('DELETE FROM leads WHERE id = $1', [ann]);
    expect(await decidePossibleDuplicate(db, annie.leadId, tenant, 'duplicate')).toMatchObject({
      status: 'matched_lead_gone', possibleDuplicate: { matchedLeadId: ann, status: 'open' },
    });
  });
});
