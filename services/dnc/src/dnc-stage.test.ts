import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type Lead, type LeadBatch } from '@leadflow/proto';
import { createMemoryDncRegistry, createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { createDncStage, createSqlDncAudit, migrations } from './index.js';

function batch(jobId: string, leads: Partial<Lead>[]): LeadBatch {
  return {
    job: { jobId, tenantId: 't1', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
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
      "SELECT row_number, phone, listed FROM dnc_audit WHERE job_id = 'dnc-1' ORDER BY row_number, phone",
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
