import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { createSqlLeadStore, migrations } from '@leadflow/persistence';
import { Disposition, type Lead, type LeadBatch, type LeadRow } from '@leadflow/proto';
import { createMemoryFingerprintStore, createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { createDedupStage, createSqlStoredLeads, markExclusivity, type DedupPolicy } from './index.js';

const DAY = 86_400_000;

function batch(jobId: string, tenantId: string, supplier: string, leads: Partial<Lead>[]): LeadBatch {
  return {
    job: { jobId, tenantId, supplier, webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0, header: [], mapping: [], last: false, totalRows: 0, failure: undefined,
    rows: leads.map((l, i) => ({
      rowNumber: i + 1, lead: { ...emptyLead(), ...l, emailKey: l.email ?? '' }, disposition: Disposition.DISPOSITION_ACCEPTED,
      reasons: [], tags: [], qualityScore: 0, match: undefined, raw: [], leadId: leadIdFor(jobId, i + 1),
    })),
  };
}

const exclusivity = (r: LeadRow) => [r.lead!.exclusivity, r.lead!.exclusivityDetail];

describe('markExclusivity', () => {
  const row = () => batch('j', 't', 'acme', [{}]).rows[0]!;
  const at = (day: string) => Date.parse(`${day}T12:00:00Z`);

  it('names each other supplier once, with the day of its latest delivery, newest first', () => {
    const r = row();
    markExclusivity(r, 'acme', [
      { leadId: 'a', supplier: 'beta', time: at('2026-10-01') },
      { leadId: 'b', supplier: 'gamma', time: at('2026-11-20') },
      { leadId: 'c', supplier: 'beta', time: at('2026-10-15') },
      { leadId: 'd', supplier: '', time: at('2026-09-30') },
    ], 0);
    expect(exclusivity(r)).toEqual(['non-exclusive', 'gamma 2026-11-20; beta 2026-10-15; (no supplier) 2026-09-30']);
  });

  it("is exclusive when only the row's own supplier delivered the person, or others before the window", () => {
    const r = row();
    markExclusivity(r, 'acme', [{ leadId: 'a', supplier: 'acme', time: at('2026-11-01') }, { leadId: 'b', supplier: 'beta', time: at('2026-01-01') }], at('2026-06-01'));
    expect(exclusivity(r)).toEqual(['exclusive', '']);
  });
});

describe('dedup stage: exclusivity', () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
  });
  afterAll(() => db.close());

  const stage = (opts: { policy?: Partial<DedupPolicy>; now?: () => number; exclusivityDays?: number } = {}) =>
    createDedupStage({ fingerprints: createMemoryFingerprintStore(), leads: createSqlStoredLeads(db), ...opts });
  const ann = { firstName: 'Ann', lastName: 'Archer', email: 'ann@archer.example', phone: '+12015550101', street: '1 Elm St', city: 'Austin', postalCode: '78701' };
  const today = new Date().toISOString().slice(0, 10);

  it("marks a row of another supplier's person non-exclusive, naming that supplier, whether it is a duplicate or kept", async () => {
    await createSqlLeadStore(db).storeBatch(await stage()(batch('ex-1', 'tx', 'acme', [ann])));
    const copy = await stage()(batch('ex-2', 'tx', 'beta', [ann, { firstName: 'Bo', lastName: 'Ng', email: 'bo@ng.example' }]));
    expect(copy.rows.map((r) => [r.disposition, ...exclusivity(r)])).toEqual([
      [Disposition.DISPOSITION_DUPLICATE, 'non-exclusive', `acme ${today}`],
      [Disposition.DISPOSITION_ACCEPTED, 'exclusive', ''],
    ]);
    // A tenant that keeps duplicates (no exact keys, no fuzzy matching) still learns the lead is not its alone.
    const kept = await stage({ policy: { exactEmail: false, exactPhone: false, fuzzy: false } })(batch('ex-3', 'tx', 'beta', [{ ...ann, email: '' }]));
    expect(kept.rows.map((r) => [r.disposition, ...exclusivity(r)])).toEqual([[Disposition.DISPOSITION_ACCEPTED, 'non-exclusive', `acme ${today}`]]);
  });

  it('counts a fuzzy duplicate of another supplier, not a possible duplicate, nor the same supplier again', async () => {
    await createSqlLeadStore(db).storeBatch(await stage()(batch('ex-4', 'ty', 'acme', [{ ...ann, email: '', phone: '' }])));
    const out = await stage()(batch('ex-5', 'ty', 'beta', [
      { ...ann, firstName: 'Anne', email: '', phone: '', street: '1 Elm Street' },
      { firstName: 'Ann', lastName: 'Archer', city: 'Austin', phone: '+12015550999' },
    ]));
    expect(out.rows.map((r) => [r.match?.matchType, ...exclusivity(r)])).toEqual([
      ['fuzzy', 'non-exclusive', `acme ${today}`],
      ['possible', 'exclusive', ''],
    ]);
    const again = await stage()(batch('ex-6', 'ty', 'acme', [ann]));
    expect(exclusivity(again.rows[0]!)).toEqual(['exclusive', '']);
  });

  it("forgets another supplier's delivery older than the tenant's window, even when dedup still matches it", async () => {
    await createSqlLeadStore(db).storeBatch(await stage()(batch('ex-7', 'tz', 'acme', [ann])));
    const in100Days = () => Date.now() + 100 * DAY;
    const late = await stage({ now: in100Days })(batch('ex-8', 'tz', 'beta', [ann]));
    expect(late.rows.map((r) => [r.disposition, ...exclusivity(r)])).toEqual([[Disposition.DISPOSITION_DUPLICATE, 'exclusive', '']]);
    const wider = await stage({ now: in100Days, exclusivityDays: 120 })(batch('ex-9', 'tz', 'beta', [ann]));
    expect(exclusivity(wider.rows[0]!)).toEqual(['non-exclusive', `acme ${today}`]);
    // A look-back shorter than the window: no duplicate, but still not exclusive.
    const shortLookback = await stage({ now: () => Date.now() + 40 * DAY, policy: { lookbackDays: 30 } })(batch('ex-10', 'tz', 'beta', [ann]));
    expect(shortLookback.rows.map((r) => [r.disposition, ...exclusivity(r)])).toEqual([[Disposition.DISPOSITION_ACCEPTED, 'non-exclusive', `acme ${today}`]]);
  });
});
