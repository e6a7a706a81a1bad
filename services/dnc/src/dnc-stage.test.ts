import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type Lead, type LeadBatch } from '@leadflow/proto';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import { createPglite, createSqlDncRegistry, dncFileParts, dncListMigrations, migrate, type DncListKind, type SqlClient } from '@leadflow/stores';
import { AUDIT_PHONE_PURPOSE, createDncStage, createSqlDncAudit, hashRawAuditPhones, migrations, purgeExpiredAudit } from './index.js';

const keys = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'the test');
const hashOf = (phone: string) => keys.keyedHash(AUDIT_PHONE_PURPOSE, phone);
const hex = (phone: string) => hashOf(phone).hash.toString('hex');

function batch(jobId: string, leads: Partial<Lead>[], tenantId = 't1'): LeadBatch {
  return {
    job: { jobId, tenantId, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0, header: [], mapping: [], last: false, totalRows: 0, failure: undefined,
    rows: leads.map((l, i) => ({
      rowNumber: i + 1, lead: { ...emptyLead(), ...l }, disposition: Disposition.DISPOSITION_ACCEPTED, reasons: [], tags: [], qualityScore: 0,
      match: undefined, raw: [], leadId: leadIdFor(jobId, i + 1),
    })),
  };
}

describe('dnc stage', () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    await migrate(db, dncListMigrations);
  });
  afterAll(() => db.close());
  // The detail names the list, its snapshot date and version, as "National (USA) 2003-06-01".
  const today = () => new Date().toISOString().slice(0, 10);
  const nat = (version: number) => `National (USA) ${today()}, version ${version}`;
  const own = (version: number) => `Internal ${today()}, version ${version}`;

  it('suppresses a row whose own or alternate number is on the list, naming the number and its column, and audits every number', async () => {
    const registry = createSqlDncRegistry(db);
    await registry.add(['+12015550123', '+12015550199']);
    const stage = createDncStage({ registry, audit: createSqlDncAudit(db, hashOf) });
    const out = await stage(batch('dnc-1', [
      { phone: '+12015550123' },
      { phone: '+12125550100', alternatePhones: [{ value: '+12015550199', header: 'Mobile' }] },
      { phone: '+12125550101', alternatePhones: [{ value: '+12125550102', header: 'Handy' }] },
      { email: 'ann@x.org', alternatePhones: [{ value: '+12015550199', header: 'Phone 2' }] },
    ]));
    expect(out.rows.map((r) => r.disposition)).toEqual([
      Disposition.DISPOSITION_SUPPRESSED, Disposition.DISPOSITION_SUPPRESSED, Disposition.DISPOSITION_ACCEPTED, Disposition.DISPOSITION_SUPPRESSED,
    ]);
    expect(out.rows.map((r) => r.reasons)).toEqual([
      [{ code: 'DNC_NATIONAL', field: 'phone', detail: nat(1) }],
      [{ code: 'DNC_NATIONAL', field: 'alternate_phones', detail: `+12015550199 (column "Mobile") on ${nat(1)}` }],
      [],
      [{ code: 'DNC_NATIONAL', field: 'alternate_phones', detail: `+12015550199 (column "Phone 2") on ${nat(1)}` }],
    ]);
    const { rows } = await db.query<{ row_number: number; phone: string; listed: boolean }>(
      "SELECT row_number, encode(phone_hash, 'hex') AS phone, listed FROM dnc_audit WHERE job_id = 'dnc-1' AND list = 'national' ORDER BY row_number, listed DESC",
    );
    expect(rows.sort((x, y) => x.row_number - y.row_number || x.phone.localeCompare(y.phone))).toEqual(
      [
        { row_number: 1, phone: hex('+12015550123'), listed: true },
        { row_number: 2, phone: hex('+12015550199'), listed: true },
        { row_number: 2, phone: hex('+12125550100'), listed: false },
        { row_number: 3, phone: hex('+12125550101'), listed: false },
        { row_number: 3, phone: hex('+12125550102'), listed: false },
        { row_number: 4, phone: hex('+12015550199'), listed: true },
      ].sort((x, y) => x.row_number - y.row_number || x.phone.localeCompare(y.phone)),
    );
  });

  it("suppresses a tenant's rows listed on its own internal list with DNC_INTERNAL, another tenant's not, and every tenant's on the national list", async () => {
    const registry = createSqlDncRegistry(db);
    await registry.add(['+12015550123', '+12015550150']);
    await registry.add(['+12125550100', '+12125550199', '+12015550150'], { tenantId: 'tenant-a' });
    const stage = createDncStage({ registry, audit: createSqlDncAudit(db, hashOf) });
    const leads: Partial<Lead>[] = [
      { phone: '+12015550123' },
      { phone: '+12125550100' },
      { phone: '+13125550100', alternatePhones: [{ value: '+12125550199', header: 'Mobile' }] },
      { phone: '+12015550150' },
      { phone: '+13125550101' },
    ];
    const ofA = await stage(batch('dnc-tenant-a', leads, 'tenant-a'));
    const ofB = await stage(batch('dnc-tenant-b', leads, 'tenant-b'));
    const [SUPPRESSED, ACCEPTED] = [Disposition.DISPOSITION_SUPPRESSED, Disposition.DISPOSITION_ACCEPTED];
    expect(ofA.rows.map((r) => [r.disposition, r.reasons])).toEqual([
      [SUPPRESSED, [{ code: 'DNC_NATIONAL', field: 'phone', detail: nat(2) }]],
      [SUPPRESSED, [{ code: 'DNC_INTERNAL', field: 'phone', detail: own(1) }]],
      [SUPPRESSED, [{ code: 'DNC_INTERNAL', field: 'alternate_phones', detail: `+12125550199 (column "Mobile") on ${own(1)}` }]],
      [SUPPRESSED, [{ code: 'DNC_NATIONAL', field: 'phone', detail: nat(2) }, { code: 'DNC_INTERNAL', field: 'phone', detail: own(1) }]],
      [ACCEPTED, []],
    ]);
    expect(ofB.rows.map((r) => [r.disposition, r.reasons])).toEqual([
      [SUPPRESSED, [{ code: 'DNC_NATIONAL', field: 'phone', detail: nat(2) }]],
      [ACCEPTED, []],
      [ACCEPTED, []],
      [SUPPRESSED, [{ code: 'DNC_NATIONAL', field: 'phone', detail: nat(2) }]],
      [ACCEPTED, []],
    ]);
    const { rows } = await db.query<{ job_id: string; tenant_id: string; phone: string; list: string }>(
      "SELECT job_id, tenant_id, encode(phone_hash, 'hex') AS phone, list FROM dnc_audit WHERE job_id LIKE 'dnc-tenant-%' AND listed ORDER BY job_id, row_number, list",
    );
    expect(rows).toEqual([
      { job_id: 'dnc-tenant-a', tenant_id: 'tenant-a', phone: hex('+12015550123'), list: 'national' },
      { job_id: 'dnc-tenant-a', tenant_id: 'tenant-a', phone: hex('+12125550100'), list: 'internal' },
      { job_id: 'dnc-tenant-a', tenant_id: 'tenant-a', phone: hex('+12125550199'), list: 'internal' },
      { job_id: 'dnc-tenant-a', tenant_id: 'tenant-a', phone: hex('+12015550150'), list: 'internal' },
      { job_id: 'dnc-tenant-a', tenant_id: 'tenant-a', phone: hex('+12015550150'), list: 'national' },
      { job_id: 'dnc-tenant-b', tenant_id: 'tenant-b', phone: hex('+12015550123'), list: 'national' },
      { job_id: 'dnc-tenant-b', tenant_id: 'tenant-b', phone: hex('+12015550150'), list: 'national' },
    ]);
    // Each number is checked against every list the tenant has, listed or not: 6 numbers against
    // both lists for tenant-a; tenant-b has no internal list, only the national one.
    const checks = await db.query<{ job_id: string; n: number }>(
      "SELECT job_id, count(*)::int AS n FROM dnc_audit WHERE job_id LIKE 'dnc-tenant-%' GROUP BY job_id ORDER BY job_id",
    );
    expect(checks.rows).toEqual([{ job_id: 'dnc-tenant-a', n: 12 }, { job_id: 'dnc-tenant-b', n: 6 }]);
  });

  it('leaves rows already excluded, and rows without a number, as they are', async () => {
    const registry = createSqlDncRegistry(db);
    await registry.add(['+12015550123']);
    const stage = createDncStage({ registry, audit: createSqlDncAudit(db, hashOf) });
    const input = batch('dnc-2', [{ phone: '+12015550123' }, { email: 'bo@x.org' }]);
    input.rows[0]!.disposition = Disposition.DISPOSITION_DUPLICATE;
    const out = await stage(input);
    expect(out.rows.map((r) => [r.disposition, r.reasons])).toEqual([[Disposition.DISPOSITION_DUPLICATE, []], [Disposition.DISPOSITION_ACCEPTED, []]]);
  });

  it('keeps no raw number in the audit: a keyed hash, with the list, its version and snapshot date, the result, job and row', async () => {
    const registry = createSqlDncRegistry(db);
    await registry.add(['+13055550177'], { tenantId: 'tenant-proof' });
    const stage = createDncStage({ registry, audit: createSqlDncAudit(db, hashOf) });
    await stage(batch('dnc-proof', [{ phone: '+13055550177', alternatePhones: [{ value: '+13055550178', header: 'Mobile' }] }], 'tenant-proof'));
    const { rows } = await db.query<Record<string, unknown>>("SELECT * FROM dnc_audit WHERE job_id = 'dnc-proof' ORDER BY list, listed");
    expect(rows).toHaveLength(4);
    const today = new Date().toISOString().slice(0, 10);
    const text = JSON.stringify(rows, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
    for (const digits of ['3055550177', '3055550178', '555017']) expect(text).not.toContain(digits);
    const internal = rows.filter((r) => r.list === 'internal');
    expect(internal.map((r) => [r.listed, Buffer.from(r.phone_hash as Uint8Array).toString('hex'), r.phone_key, r.phone, Number(r.list_version), r.row_number])).toEqual([
      [false, hex('+13055550178'), 'k1', null, 1, 1],
      [true, hex('+13055550177'), 'k1', null, 1, 1],
    ]);
    expect(new Date(internal[0]!.snapshot_date as Date).toISOString().slice(0, 10)).toBe(today);
  });

  it('hashes in place the raw numbers audited before, and deletes checks older than the retention', async () => {
    // As an earlier version wrote them: the number in clear, no hash.
    await db.query(`INSERT INTO dnc_audit (job_id, row_number, tenant_id, phone, list, listed, checked_at) VALUES
      ('dnc-old', 1, 't1', '+14045550101', 'national', true, now() - interval '4 years'),
      ('dnc-old', 2, 't1', '+14045550102', 'national', false, now() - interval '6 years')`);
    expect(await hashRawAuditPhones(db, hashOf)).toBe(2);
    expect(await hashRawAuditPhones(db, hashOf)).toBe(0);
    expect(await purgeExpiredAudit(db, 1826)).toBe(1);
    const { rows } = await db.query<{ row_number: number; phone: string | null; hash: string; phone_key: string }>(
      "SELECT row_number, phone, encode(phone_hash, 'hex') AS hash, phone_key FROM dnc_audit WHERE job_id = 'dnc-old'",
    );
    expect(rows).toEqual([{ row_number: 1, phone: null, hash: hex('+14045550101'), phone_key: 'k1' }]);
    expect((await db.query('SELECT 1 FROM dnc_audit WHERE phone IS NOT NULL')).rowCount).toBe(0);
  });
  it('gives each kind of list its reason, naming the list, snapshot date and version; a wireless list alone suppresses nothing', async () => {
    const registry = createSqlDncRegistry(db);
    const load = (kind: DncListKind, body: string, snapshotDate: string) =>
      registry.load({ kind, owner: '', mode: 'replace', source: 'test', snapshotDate, normalize: () => undefined }, dncFileParts(`${kind}.txt`, [Buffer.from(body)]));
    await load('state:TX', '4695550101\n', '2026-11-20');
    await load('litigator', '4695550102\n', '2026-11-21');
    await load('national-ca', '4165550103\n', '2026-11-22');
    await load('wireless', '4695550104\n', '2026-11-23');
    const stage = createDncStage({ registry, audit: createSqlDncAudit(db, hashOf) });
    const out = await stage(batch('dnc-kinds', [{ phone: '+14695550101' }, { phone: '+14695550102' }, { phone: '+14165550103' }, { phone: '+14695550104' }]));
    expect(out.rows.map((r) => [r.disposition, r.reasons])).toEqual([
      [Disposition.DISPOSITION_SUPPRESSED, [{ code: 'DNC_STATE', field: 'phone', detail: 'State (TX) 2026-11-20, version 1' }]],
      [Disposition.DISPOSITION_SUPPRESSED, [{ code: 'DNC_LITIGATOR', field: 'phone', detail: 'Litigator 2026-11-21, version 1' }]],
      [Disposition.DISPOSITION_SUPPRESSED, [{ code: 'DNC_NATIONAL', field: 'phone', detail: 'National (Canada) 2026-11-22, version 1' }]],
      [Disposition.DISPOSITION_ACCEPTED, []],
    ]);
    const { rows } = await db.query<{ list: string; snapshot: string; version: number }>(
      "SELECT list, to_char(snapshot_date, 'YYYY-MM-DD') AS snapshot, list_version::int AS version FROM dnc_audit WHERE job_id = 'dnc-kinds' AND listed ORDER BY row_number",
    );
    expect(rows).toEqual([
      { list: 'state:TX', snapshot: '2026-11-20', version: 1 },
      { list: 'litigator', snapshot: '2026-11-21', version: 1 },
      { list: 'national-ca', snapshot: '2026-11-22', version: 1 },
      { list: 'wireless', snapshot: '2026-11-23', version: 1 },
    ]);
  });
});
