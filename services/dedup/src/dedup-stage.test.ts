import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { createSqlLeadStore, migrations } from '@leadflow/persistence';
import { Disposition, type Lead, type LeadBatch } from '@leadflow/proto';
import { createMetrics } from '@leadflow/metrics';
import { createMemoryFingerprintStore, createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { fileURLToPath } from 'node:url';
import { createDedupStage, createMemoryCandidateIndex, createSqlPolicies, createSqlStoredLeads, parsePolicy, type DedupPolicy } from './index.js';

const EMPTY: Lead = emptyLead();

let seq = 0;
function batch(jobId: string, tenantId: string, leads: Partial<Lead>[], firstRow = 1): LeadBatch {
  return {
    job: { jobId, tenantId, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: seq++,
    header: [],
    mapping: [],
    rows: leads.map((l, i) => ({
      rowNumber: firstRow + i,
      lead: { ...EMPTY, ...l, emailKey: l.email ?? '' },
      disposition: Disposition.DISPOSITION_ACCEPTED,
      reasons: [],
      tags: [],
      qualityScore: 0,
      match: undefined,
      raw: [],
      leadId: leadIdFor(jobId, firstRow + i),
    })),
    last: false,
    totalRows: 0,
    failure: undefined,
  };
}

const ann = { firstName: 'Annette', lastName: 'Kowalski', street: '44 Forbes Street', city: 'Kellerberrin', postalCode: '4510', state: 'VIC' };
const bob = { firstName: 'Robert', lastName: 'Lee', street: '9 Elm Road', city: 'Austin', postalCode: '78701', state: 'TX', email: 'rlee@acme.com' };

let db: SqlClient;
beforeAll(async () => {
  db = await createPglite();
  await migrate(db, migrations);
});
afterAll(() => db.close());

describe('dedup stage: fuzzy duplicates', () => {
  const stage = (policy?: Partial<DedupPolicy>, now?: () => number) =>
    createDedupStage({ fingerprints: createMemoryFingerprintStore(), leads: createSqlStoredLeads(db), policy, now });

  it('finds a copy with typos and a nickname in the same job, across batches, and names the row with its score', async () => {
    const s = stage();
    const first = await s(batch('job-1', 't1', [ann, bob]));
    const second = await s(batch('job-1', 't1', [{ ...ann, firstName: 'Anette', street: '44 Forbes St' }, { ...bob, firstName: 'Bob', email: 'bob.lee@gmail.com' }], 3));
    expect(first.rows.map((r) => r.disposition)).toEqual([Disposition.DISPOSITION_ACCEPTED, Disposition.DISPOSITION_ACCEPTED]);
    expect(second.rows.map((r) => [r.disposition, r.match?.matchedRow, r.match?.matchType])).toEqual([
      [Disposition.DISPOSITION_DUPLICATE, 1, 'fuzzy'],
      [Disposition.DISPOSITION_DUPLICATE, 2, 'fuzzy'],
    ]);
    expect(second.rows[0]!.match!.score).toBeGreaterThan(0.99);
    expect(second.rows[0]!.reasons[0]).toMatchObject({ code: 'DUP_FUZZY', detail: expect.stringMatching(/^same as row 1 \(score 0\.9999: last_name exact, .*first_name close/) });
  });

  // Annette's second copy resembles her first copy (same farm, same spelling) far more than her.
  const annCopy = { ...ann, firstName: 'Anette', lastName: 'Kowalsky', street: '44 Forbes St', addressLine2: 'Wintersloe Farm' };
  const annCopyOfCopy = { firstName: 'Anette', lastName: 'Kowalsky', addressLine2: 'Wintersloe Farm', city: 'Kelerberrin', postalCode: '4501' };

  it('finds a copy through an earlier copy it resembles more than the lead, and names the lead', async () => {
    const s = stage();
    const out = await s(batch('job-c', 'tc', [ann, annCopy, annCopyOfCopy]));
    expect(out.rows.map((r) => [r.disposition, r.match?.matchedRow])).toEqual([
      [Disposition.DISPOSITION_ACCEPTED, undefined],
      [Disposition.DISPOSITION_DUPLICATE, 1],
      [Disposition.DISPOSITION_DUPLICATE, 1],
    ]);
    expect(out.rows[2]!.reasons[0]!.detail).toMatch(/^same as row 1 \(score 0\.99\d\d: .*; through row 2, a duplicate of it\)$/);
  });

  it('keeps a household and a namesake in the same city as leads, flagged as possible duplicates for review', async () => {
    const s = stage();
    const out = await s(batch('job-2', 't2', [
      { ...ann, email: 'annette@x.com' },
      { ...ann, firstName: 'Marek', email: 'marek@y.com' },
      { firstName: 'Annette', lastName: 'Kowalski', city: 'Kellerberrin', state: 'VIC', phone: '+61399999999' },
    ]));
    expect(out.rows.map((r) => r.disposition)).toEqual([Disposition.DISPOSITION_ACCEPTED, Disposition.DISPOSITION_ACCEPTED, Disposition.DISPOSITION_ACCEPTED]);
    expect(out.rows.map((r) => r.tags)).toEqual([[], ['possible_duplicate'], ['possible_duplicate']]);
    // Each names the lead it may copy, for review.
    expect(out.rows.map((r) => r.match && [r.match.matchedRow, r.match.matchType])).toEqual([undefined, [1, 'possible'], [1, 'possible']]);
    expect(out.rows[1]!.reasons[0]!.detail).toMatch(/^row 1, score 0\.\d{4}: .*first_name different.*; another given name with an email or phone of its own: another person in the household\?$/);
    expect(out.rows[2]!.reasons[0]).toMatchObject({
      code: 'POSSIBLE_DUPLICATE',
      detail: expect.stringMatching(/^row 1, score 0\.\d{4}: last_name exact, first_name exact, city exact, state exact; no street, postal code, email or phone agrees$/),
    });
  });

  it('matches a stored lead after a restart, the index rebuilt from the database, unless it is older than the look-back window', async () => {
    const stored = await stage()(batch('job-3', 't3', [ann]));
    await createSqlLeadStore(db).storeBatch(stored);
    const copy = annCopy;
    const again = await stage()(batch('job-4', 't3', [copy]));
    expect(again.rows[0]!.match).toMatchObject({ matchedJobId: 'job-3', matchedLeadId: leadIdFor('job-3', 1), matchType: 'fuzzy' });
    // A copy stored as a duplicate is indexed again after a restart too, naming its lead.
    await createSqlLeadStore(db).storeBatch(again);
    const third = await stage()(batch('job-6', 't3', [annCopyOfCopy]));
    expect(third.rows[0]!.match).toMatchObject({ matchedJobId: 'job-3', matchedLeadId: leadIdFor('job-3', 1), matchType: 'fuzzy' });
    expect(third.rows[0]!.reasons[0]!.detail).toContain(`through lead ${leadIdFor('job-4', 1)}, a duplicate of it`);
    const later = () => Date.now() + 31 * 86_400_000;
    const windowed = await stage({ lookbackDays: 30 }, later)(batch('job-5', 't3', [copy]));
    expect(windowed.rows[0]!.disposition).toBe(Disposition.DISPOSITION_ACCEPTED);
  });

  it('counts matches by type, candidates a row and index rebuilds for operators', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const s = createDedupStage({ fingerprints: createMemoryFingerprintStore(), leads: createSqlStoredLeads(db), metrics });
    await s(batch('job-m', 'tm', [
      { ...ann, email: 'annette@x.com' },
      { ...ann, email: 'annette@x.com' },
      { ...annCopy, email: 'ak@y.com' },
      { ...ann, firstName: 'Marek', email: 'marek@y.com' },
    ]));
    const text = await metrics.registry.metrics();
    expect(text).toContain('leadflow_dedup_matches_total{type="exact_email"} 1');
    expect(text).toContain('leadflow_dedup_matches_total{type="fuzzy"} 1');
    expect(text).toContain('leadflow_dedup_matches_total{type="possible"} 1');
    // Three rows went past the exact keys and were compared: with none, one and two earlier rows.
    expect(text).toContain('leadflow_dedup_candidates_count 3');
    expect(text).toContain('leadflow_dedup_candidates_sum 3');
    expect(text).toContain('leadflow_dedup_index_rebuild_duration_seconds_count 1');
  });

  it('applies composite keys exactly, and turns fuzzy matching off when the policy says so', async () => {
    const keyed = await stage({ fuzzy: false, compositeKeys: [['last_name', 'postal_code']] })(
      batch('job-6', 't4', [ann, { firstName: 'Zed', lastName: 'Kowalski', postalCode: '4510', email: 'z@x.com' }, { ...ann, lastName: 'Kowalsky' }]),
    );
    expect(keyed.rows.map((r) => [r.disposition, r.match?.matchType])).toEqual([
      [Disposition.DISPOSITION_ACCEPTED, undefined],
      [Disposition.DISPOSITION_DUPLICATE, 'exact_key'],
      [Disposition.DISPOSITION_ACCEPTED, undefined],
    ]);
    expect(keyed.rows[1]!.reasons[0]).toMatchObject({ code: 'DUP_EXACT_KEY', field: 'last_name+postal_code', detail: 'same as row 1' });
  });

  it("applies the tenant's stored policy, and a supplier's own over it", async () => {
    // The table is the gateway's (its API sets policies); dedup only reads it.
    await migrate(db, { owner: 'gateway', dir: fileURLToPath(new URL('../../gateway/migrations', import.meta.url)) });
    await db.query("INSERT INTO dedup_policies (tenant_id, supplier, policy) VALUES ('t5', '', $1), ('t5', 'strict', $2)", [
      JSON.stringify({ duplicateThreshold: 0.95 }),
      JSON.stringify({ fuzzy: false }),
    ]);
    const policies = createSqlPolicies(db);
    expect(await policies('t5', 'strict')).toEqual({ duplicateThreshold: 0.95, fuzzy: false });
    expect(await policies('t5', 'other')).toEqual({ duplicateThreshold: 0.95 });
    const s = createDedupStage({ fingerprints: createMemoryFingerprintStore(), leads: createSqlStoredLeads(db), policy: policies });
    await s(batch('job-7', 't5', [ann]));
    const copy = { ...ann, lastName: 'Kowalsky' };
    const strict = await s({ ...batch('job-8', 't5', [copy]), job: { ...batch('job-8', 't5', []).job!, supplier: 'strict' } });
    const other = await s({ ...batch('job-9', 't5', [copy]), job: { ...batch('job-9', 't5', []).job!, supplier: 'other' } });
    expect([strict.rows[0]!.disposition, other.rows[0]!.disposition]).toEqual([Disposition.DISPOSITION_ACCEPTED, Disposition.DISPOSITION_DUPLICATE]);
  });

  it('checks a policy a client sends, naming what is wrong', () => {
    expect(parsePolicy({ lookbackDays: 90, compositeKeys: [['last_name', 'postal_code']] })).toEqual({ lookbackDays: 90, compositeKeys: [['last_name', 'postal_code']] });
    expect(() => parsePolicy({ duplicateThreshold: 1.5 })).toThrow('duplicateThreshold must be a number from 0 to 1');
    expect(() => parsePolicy({ duplicateThreshold: 0.6, possibleThreshold: 0.8 })).toThrow('possibleThreshold must not be above duplicateThreshold');
    expect(() => parsePolicy({ compositeKeys: [['shoe_size']] })).toThrow('"shoe_size" cannot be part of a duplicate key; use first_name, last_name, email, phone');
    expect(() => parsePolicy({ window: 30 })).toThrow('"window" is not a policy setting; use duplicateThreshold');
  });

  it('stops waiting for another replica\'s index rebuild as soon as its batch is taken away', async () => {
    const index = createMemoryCandidateIndex();
    // Another replica holds the rebuild: this batch would wait for it.
    expect(await index.lockRebuild('t6')).toBe(true);
    const s = createDedupStage({ fingerprints: createMemoryFingerprintStore(), leads: createSqlStoredLeads(db), index });
    const taken = new AbortController();
    const pending = s(batch('job-10', 't6', [ann]), taken.signal);
    const reason = new Error('the partition went to another consumer');
    taken.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});

describe('dedup stage: alternate emails and phones', () => {
  const stage = () => createDedupStage({ fingerprints: createMemoryFingerprintStore(), leads: createSqlStoredLeads(db) });
  const mobile = (value: string) => ({ alternatePhones: [{ value, header: 'Mobile' }] });
  const dispositions = (b: LeadBatch) => b.rows.map((r) => [r.disposition, r.match?.matchType, r.match?.matchedRow || r.match?.matchedLeadId]);

  it("finds a row whose alternate phone is a stored lead's phone a duplicate, naming the lead and the column", async () => {
    await createSqlLeadStore(db).storeBatch(batch('alt-1', 'ta', [{ firstName: 'Ann', lastName: 'Lee', phone: '+12015550123' }]));
    const out = await stage()(batch('alt-2', 'ta', [{ firstName: 'Ann', lastName: 'Lee-Ray', phone: '+12125550199', ...mobile('+12015550123') }]));
    expect(dispositions(out)).toEqual([[Disposition.DISPOSITION_DUPLICATE, 'exact_phone', leadIdFor('alt-1', 1)]]);
    expect(out.rows[0]!.reasons).toEqual([
      { code: 'DUP_EXACT_PHONE', field: 'alternate_phones', detail: `same as lead ${leadIdFor('alt-1', 1)} (the phone of column "Mobile")` },
    ]);
  });

  it("finds a row whose phone or email is a stored lead's alternate a duplicate", async () => {
    await createSqlLeadStore(db).storeBatch(
      batch('alt-3', 'tb', [{ firstName: 'Bo', lastName: 'Day', email: 'bo@x.org', phone: '+12125550100', alternateEmails: [{ value: 'bo.day@gmail.com', header: 'Email 2' }], ...mobile('+12015550100') }]),
    );
    const out = await stage()(batch('alt-4', 'tb', [
      { firstName: 'Bob', lastName: 'Dey', phone: '+12015550100' },
      // The key of "Bo.Day+leads@gmail.com": the same mailbox as the lead's alternate "bo.day@gmail.com".
      { firstName: 'Robert', lastName: 'Day', email: 'boday@gmail.com' },
    ]));
    expect(dispositions(out)).toEqual([
      [Disposition.DISPOSITION_DUPLICATE, 'exact_phone', leadIdFor('alt-3', 1)],
      [Disposition.DISPOSITION_DUPLICATE, 'exact_email', leadIdFor('alt-3', 1)],
    ]);
    expect(out.rows.map((r) => r.reasons[0])).toEqual([
      { code: 'DUP_EXACT_PHONE', field: 'phone', detail: `same as lead ${leadIdFor('alt-3', 1)} (that lead has it as an alternate phone)` },
      { code: 'DUP_EXACT_EMAIL', field: 'email', detail: `same as lead ${leadIdFor('alt-3', 1)} (that lead has it as an alternate email)` },
    ]);
  });

  it('finds rows of one file that share a number, whichever column it is in, duplicates of the first', async () => {
    const s = stage();
    const first = await s(batch('alt-7', 'tc', [
      { firstName: 'Cy', lastName: 'Do', phone: '+12125550101', ...mobile('+12015550101') },
      { firstName: 'Cyrus', lastName: 'Doe', phone: '+12015550101' },
    ]));
    const second = await s(batch('alt-7', 'tc', [
      { firstName: 'C', lastName: 'Do', email: 'cy@x.org', ...mobile('+12125550101') },
      { firstName: 'Di', lastName: 'Eo', phone: '+12125550102', ...mobile('+12125550103') },
    ], 3));
    expect([...dispositions(first), ...dispositions(second)]).toEqual([
      [Disposition.DISPOSITION_ACCEPTED, undefined, undefined],
      [Disposition.DISPOSITION_DUPLICATE, 'exact_phone', 1],
      [Disposition.DISPOSITION_DUPLICATE, 'exact_phone', 1],
      [Disposition.DISPOSITION_ACCEPTED, undefined, undefined],
    ]);
    expect(second.rows[0]!.reasons[0]).toMatchObject({ field: 'alternate_phones', detail: 'same as row 1 (the phone of column "Mobile")' });
  });

  it('leaves alternate phones alone when the policy does not match on phones', async () => {
    await createSqlLeadStore(db).storeBatch(batch('alt-8', 'td', [{ firstName: 'Ed', lastName: 'Fo', phone: '+12015550104' }]));
    const s = createDedupStage({ fingerprints: createMemoryFingerprintStore(), leads: createSqlStoredLeads(db), policy: { exactPhone: false, fuzzy: false } });
    const out = await s(batch('alt-9', 'td', [{ firstName: 'Gil', lastName: 'Ho', email: 'gil@x.org', ...mobile('+12015550104') }]));
    expect(dispositions(out)).toEqual([[Disposition.DISPOSITION_ACCEPTED, undefined, undefined]]);
  });
});
