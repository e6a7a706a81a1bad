import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { createSqlSupplierStore, migrations } from './index.js';

describe('migration 006: the suppliers that jobs named before suppliers existed', () => {
  let db: SqlClient;
  const linked = async () =>
    (await db.query<{ id: string; supplier: string; supplier_id: string | null }>('SELECT id, supplier, supplier_id FROM jobs ORDER BY id')).rows;

  beforeAll(async () => {
    db = await createPglite();
    // The gateway's tables as they were before migration 006, with jobs that named suppliers.
    const before = mkdtempSync(join(tmpdir(), 'gateway-migrations-'));
    for (const f of readdirSync(migrations.dir).filter((f) => f < '006')) cpSync(join(migrations.dir, f), join(before, f));
    await migrate(db, { owner: migrations.owner, dir: before });
    const jobs = [['j1', 't', 'acme'], ['j2', 't', ' ACME  '], ['j3', 't', 'Acme   Leads'], ['j4', 't', 'Ünïcode Co'], ['j5', 't', ''], ['j6', 'u', 'acme']];
    for (const [id, tenant, supplier] of jobs) await db.query('INSERT INTO jobs (id, tenant_id, supplier) VALUES ($1, $2, $3)', [id, tenant, supplier]);
    // 006 first; the later ones (job progress, the job list's index) after it.
    expect((await migrate(db, migrations))[0]).toBe('006_suppliers.sql');
  });
  afterAll(() => db.close());

  it("makes one supplier, without a price, per tenant and name whatever its case, and links its jobs to it", async () => {
    const { rows } = await db.query<{ tenant_id: string; name: string; cost_per_lead: string | null }>(
      'SELECT tenant_id, name, cost_per_lead FROM suppliers ORDER BY tenant_id, name_key',
    );
    expect(rows.map((r) => [r.tenant_id, r.name.toLowerCase(), r.cost_per_lead])).toEqual([
      ['t', 'acme', null],
      ['t', 'acme leads', null],
      ['u', 'acme', null],
    ]);
    const jobs = await linked();
    const idOf = (job: string) => jobs.find((j) => j.id === job)!.supplier_id;
    expect([idOf('j1'), idOf('j2')]).toEqual([expect.any(String), idOf('j1')]);
    // Another name, and the same name in another tenant, are other suppliers.
    expect(new Set([idOf('j1'), idOf('j3'), idOf('j6')]).size).toBe(3);
    // A name beyond ASCII is left to the gateway's own folding: its jobs stay as they were, unlinked.
    expect([idOf('j4'), idOf('j5')]).toEqual([null, null]);
  });

  it("folds names as the gateway does, so the next upload naming one finds the supplier the migration made", async () => {
    const suppliers = createSqlSupplierStore(db);
    const [before] = (await linked()).filter((j) => j.id === 'j3');
    expect((await suppliers.forUpload('t', 'ACME leads')).id).toBe(before!.supplier_id);
    const unicode = await suppliers.forUpload('t', 'ünïcode co');
    expect(unicode.name).toBe('ünïcode co');
    expect((await suppliers.forUpload('t', 'ÜNÏCODE CO')).id).toBe(unicode.id);
  });
});
