import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type Lead, type LeadBatch } from '@leadflow/proto';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import { createPglite, createSqlDncRegistry, dncFileParts, dncListMigrations, migrate, type DncListKind, type SqlClient } from '@leadflow/stores';
import { createMetrics } from '@leadflow/metrics';
import { AUDIT_PHONE_PURPOSE, createDncStage, createSqlDncAudit, createSqlHeldRows, readListAges, releaseHeldRows, type StaleListPolicy } from './index.js';

const keys = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'the test');
const hashOf = (phone: string) => keys.keyedHash(AUDIT_PHONE_PURPOSE, phone);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

function batch(jobId: string, leads: Partial<Lead>[], tenantId = 't1', last = false): LeadBatch {
  return {
    job: { jobId, tenantId, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0, header: [], mapping: [], last, totalRows: last ? leads.length : 0, failure: undefined,
    rows: leads.map((l, i) => ({
      rowNumber: i + 1, lead: { ...emptyLead(), ...l }, disposition: Disposition.DISPOSITION_ACCEPTED, reasons: [], tags: [], qualityScore: 0,
      match: undefined, raw: [], leadId: leadIdFor(jobId, i + 1),
    })),
  };
}

describe('dnc stage: list freshness and wireless states', () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, (await import('./index.js')).migrations);
    await migrate(db, dncListMigrations);
  });
  afterAll(() => db.close());
  const load = (registry: ReturnType<typeof createSqlDncRegistry>, kind: DncListKind, body: string, snapshotDate: string) =>
    registry.load({ kind, owner: '', mode: 'replace', source: 'test', snapshotDate, normalize: () => undefined }, dncFileParts(`${kind}.txt`, [Buffer.from(body)]));
  const stageWith = (policy: StaleListPolicy) => {
    const registry = createSqlDncRegistry(db);
    return {
      registry,
      stage: createDncStage({
        registry, audit: createSqlDncAudit(db, hashOf),
        freshness: { maxAgeDays: 31, policyOf: async () => policy, held: createSqlHeldRows(db) },
      }),
    };
  };

  it('holds rows with phones while the national list is older than the limit, lets the others on, and passes them on once a fresh snapshot is in', async () => {
    const { registry, stage } = stageWith('hold');
    const old = daysAgo(40);
    await load(registry, 'national', '2015550123\n', old);
    const out = await stage(batch('fresh-hold', [{ phone: '+12015550123' }, { email: 'no-phone@x.org' }, { phone: '+12125550100' }], 't1', true));
    // The row without a phone goes on; the two with one are held: neither lost nor accepted.
    expect(out.rows.map((r) => r.rowNumber)).toEqual([2]);
    expect(out.last).toBe(true);
    const held = await db.query<{ row_number: number; lists: string }>("SELECT row_number, lists FROM dnc_held_rows WHERE job_id = 'fresh-hold' ORDER BY row_number");
    expect(held.rows).toEqual([{ row_number: 1, lists: `National (USA) ${old}` }, { row_number: 3, lists: `National (USA) ${old}` }]);
    // Held rows are audited once they are screened, not while held.
    expect((await db.query("SELECT 1 FROM dnc_audit WHERE job_id = 'fresh-hold'")).rowCount).toBe(0);

    const emitted: LeadBatch[] = [];
    const release = () => releaseHeldRows({ db, screen: stage, emit: async (b) => void emitted.push(b), maxAgeDays: 31 });
    expect(await release()).toBe(0);
    expect(emitted).toEqual([]);

    const fresh = daysAgo(1);
    await load(registry, 'national', '2015550123\n', fresh);
    expect(await release()).toBe(2);
    expect(emitted).toHaveLength(1);
    expect(emitted[0]!.job?.jobId).toBe('fresh-hold');
    expect(emitted[0]!.rows.map((r) => [r.rowNumber, r.disposition, r.reasons.map((x) => `${x.code} ${x.detail}`)])).toEqual([
      [1, Disposition.DISPOSITION_SUPPRESSED, [`DNC_NATIONAL National (USA) ${fresh}, version 2`]],
      [3, Disposition.DISPOSITION_ACCEPTED, []],
    ]);
    expect((await db.query("SELECT 1 FROM dnc_held_rows WHERE job_id = 'fresh-hold'")).rowCount).toBe(0);
    const audit = await db.query<{ row_number: number; snapshot: string; result: string }>(
      "SELECT row_number, to_char(snapshot_date, 'YYYY-MM-DD') AS snapshot, result FROM dnc_audit WHERE job_id = 'fresh-hold' ORDER BY row_number",
    );
    expect(audit.rows).toEqual([{ row_number: 1, snapshot: fresh, result: 'listed' }, { row_number: 3, snapshot: fresh, result: 'clear' }]);
    expect(await release()).toBe(0);
  });

  it("suppresses rows with phones with DNC_LIST_STALE, naming the list, by the tenant's policy, and audits them as stale", async () => {
    const { registry, stage } = stageWith('suppress');
    const old = daysAgo(45);
    await load(registry, 'state:NJ', '2015550177\n', old);
    await load(registry, 'national', '2015550123\n', daysAgo(2));
    const out = await stage(batch('fresh-suppress', [{ phone: '+12125550100' }, { email: 'x@y.org' }]));
    expect(out.rows.map((r) => [r.disposition, r.reasons])).toEqual([
      [Disposition.DISPOSITION_SUPPRESSED, [{ code: 'DNC_LIST_STALE', field: 'phone', detail: `State (NJ) ${old}: older than 31 days` }]],
      [Disposition.DISPOSITION_ACCEPTED, []],
    ]);
    const audit = await db.query<{ list: string; result: string }>("SELECT list, result FROM dnc_audit WHERE job_id = 'fresh-suppress' ORDER BY list");
    expect(audit.rows).toEqual([{ list: 'national', result: 'clear' }, { list: 'state:NJ', result: 'stale' }]);
    await load(registry, 'state:NJ', '2015550177\n', daysAgo(0));
  });

  it('suppresses a number on a wireless list with DNC_WIRELESS_STATE when its lead is in a state that forbids calls to mobiles, and only then', async () => {
    const registry = createSqlDncRegistry(db);
    const snap = daysAgo(3);
    const wireless = await load(registry, 'wireless', '4695550104\n4695550105\n', snap);
    const stage = createDncStage({ registry, audit: createSqlDncAudit(db, hashOf), wirelessStates: ['TX', 'NJ'] });
    const out = await stage(batch('wireless-1', [
      { phone: '+14695550104', state: 'TX' },
      { phone: '+14695550104', state: 'CA' },
      { phone: '+12125550100', state: 'tx', alternatePhones: [{ value: '+14695550105', header: 'Cell' }] },
      { phone: '+14695550105', state: 'NJ', consentDate: '2026-01-01' },
    ]));
    const detail = `Wireless ${snap}, version ${wireless.head.version}`;
    expect(out.rows.map((r) => [r.disposition, r.reasons])).toEqual([
      [Disposition.DISPOSITION_SUPPRESSED, [{ code: 'DNC_WIRELESS_STATE', field: 'phone', detail: `${detail}, lead in TX` }]],
      [Disposition.DISPOSITION_ACCEPTED, []],
      [Disposition.DISPOSITION_SUPPRESSED, [{ code: 'DNC_WIRELESS_STATE', field: 'alternate_phones', detail: `+14695550105 (column "Cell") on ${detail}, lead in TX` }]],
      // Consent (the file's consent columns) lets the mobile be called.
      [Disposition.DISPOSITION_ACCEPTED, []],
    ]);
    const audit = await db.query<{ row_number: number; result: string }>(
      "SELECT row_number, result FROM dnc_audit WHERE job_id = 'wireless-1' AND list = 'wireless' AND listed ORDER BY row_number",
    );
    expect(audit.rows).toEqual([
      { row_number: 1, result: 'wireless_state' }, { row_number: 2, result: 'listed' }, { row_number: 3, result: 'wireless_state' }, { row_number: 4, result: 'listed' },
    ]);
  });

  it("sets the gauge of each shared list's age in seconds, and of the rows held", async () => {
    const registry = createSqlDncRegistry(db);
    await load(registry, 'state:AZ', '6025550100\n', daysAgo(10));
    const metrics = createMetrics({ defaultMetrics: false });
    await readListAges(db, metrics);
    const ages = Object.fromEntries((await metrics.dncListAge.get()).values.map((v) => [v.labels.list, v.value]));
    expect(Math.floor(ages['state:AZ']! / 86_400)).toBe(10);
    expect(Object.keys(ages)).not.toContain('internal');
    expect((await metrics.dncHeldRows.get()).values[0]?.value).toBe(0);
  });
});
