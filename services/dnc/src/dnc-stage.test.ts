import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type Lead, type LeadBatch } from '@leadflow/proto';
import { createMemoryDncRegistry, createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { createDncStage, createSqlDncAudit, migrations } from './index.js';

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
  });
  afterAll(() => db.close());

  it('suppresses a row whose own or alternate number is on the list, naming the number and its column, and audits every number', async () => {
    const registry = createMemoryDncRegistry();
    await registry.add(['+12015550123', '+12015550199']);
    const stage = createDncStage({ registry, audit: createSqlDncAudit(db) });
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
      [{ code: 'DNC_NATIONAL', field: 'phone', detail: '' }],
      [{ code: 'DNC_NATIONAL', field: 'alternate_phones', detail: '+12015550199 (column "Mobile")' }],
      [],
      [{ code: 'DNC_NATIONAL', field: 'alternate_phones', detail: '+12015550199 (column "Phone 2")' }],
    ]);
    const { rows } = await db.query<{ row_number: number; phone: string; listed: boolean }>(
      "SELECT row_number, phone, listed FROM dnc_audit WHERE job_id = 'dnc-1' AND list = 'national' ORDER BY row_number, phone",
    );
    expect(rows).toEqual([
      { row_number: 1, phone: '+12015550123', listed: true },
      { row_number: 2, phone: '+12015550199', listed: true },
      { row_number: 2, phone: '+12125550100', listed: false },
      { row_number: 3, phone: '+12125550101', listed: false },
      { row_number: 3, phone: '+12125550102', listed: false },
      { row_number: 4, phone: '+12015550199', listed: true },
    ]);
  });

  it("suppresses a tenant's rows listed on its own internal list with DNC_INTERNAL, another tenant's not, and every tenant's on the national list", async () => {
    const registry = createMemoryDncRegistry();
    await registry.add(['+12015550123', '+12015550150']);
    await registry.add(['+12125550100', '+12125550199', '+12015550150'], { tenantId: 'tenant-a' });
    const stage = createDncStage({ registry, audit: createSqlDncAudit(db) });
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
      [SUPPRESSED, [{ code: 'DNC_NATIONAL', field: 'phone', detail: '' }]],
      [SUPPRESSED, [{ code: 'DNC_INTERNAL', field: 'phone', detail: '' }]],
      [SUPPRESSED, [{ code: 'DNC_INTERNAL', field: 'alternate_phones', detail: '+12125550199 (column "Mobile")' }]],
      [SUPPRESSED, [{ code: 'DNC_NATIONAL', field: 'phone', detail: '' }, { code: 'DNC_INTERNAL', field: 'phone', detail: '' }]],
      [ACCEPTED, []],
    ]);
    expect(ofB.rows.map((r) => [r.disposition, r.reasons])).toEqual([
      [SUPPRESSED, [{ code: 'DNC_NATIONAL', field: 'phone', detail: '' }]],
      [ACCEPTED, []],
      [ACCEPTED, []],
      [SUPPRESSED, [{ code: 'DNC_NATIONAL', field: 'phone', detail: '' }]],
      [ACCEPTED, []],
    ]);
    const { rows } = await db.query<{ job_id: string; tenant_id: string; phone: string; list: string }>(
      "SELECT job_id, tenant_id, phone, list FROM dnc_audit WHERE job_id LIKE 'dnc-tenant-%' AND listed ORDER BY job_id, row_number, list",
    );
    expect(rows).toEqual([
      { job_id: 'dnc-tenant-a', tenant_id: 'tenant-a', phone: '+12015550123', list: 'national' },
      { job_id: 'dnc-tenant-a', tenant_id: 'tenant-a', phone: '+12125550100', list: 'internal' },
      { job_id: 'dnc-tenant-a', tenant_id: 'tenant-a', phone: '+12125550199', list: 'internal' },
      { job_id: 'dnc-tenant-a', tenant_id: 'tenant-a', phone: '+12015550150', list: 'internal' },
      { job_id: 'dnc-tenant-a', tenant_id: 'tenant-a', phone: '+12015550150', list: 'national' },
      { job_id: 'dnc-tenant-b', tenant_id: 'tenant-b', phone: '+12015550123', list: 'national' },
      { job_id: 'dnc-tenant-b', tenant_id: 'tenant-b', phone: '+12015550150', list: 'national' },
    ]);
    // Each number is checked against both lists, listed or not: 6 numbers, 12 checks, per tenant.
    const checks = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM dnc_audit WHERE job_id LIKE 'dnc-tenant-%'");
    expect(checks.rows[0]!.n).toBe(24);
  });

  it('leaves rows already excluded, and rows without a number, as they are', async () => {
    const registry = createMemoryDncRegistry();
    await registry.add(['+12015550123']);
    const stage = createDncStage({ registry, audit: createSqlDncAudit(db) });
    const input = batch('dnc-2', [{ phone: '+12015550123' }, { email: 'bo@x.org' }]);
    input.rows[0]!.disposition = Disposition.DISPOSITION_DUPLICATE;
    const out = await stage(input);
    expect(out.rows.map((r) => [r.disposition, r.reasons])).toEqual([[Disposition.DISPOSITION_DUPLICATE, []], [Disposition.DISPOSITION_ACCEPTED, []]]);
  });
});
