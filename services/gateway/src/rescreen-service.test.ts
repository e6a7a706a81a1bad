import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPglite, createSqlDncRegistry, dncFileParts, dncListMigrations, migrate, type SqlClient } from '@leadflow/stores';
import { GatewayError } from './gateway-error.js';
import { createRescreenService, migrations, rescreeningRegistry } from './index.js';

const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (err: unknown) => (err instanceof GatewayError ? err.code : String(err)));

describe('re-screenings asked for (docs/rescreen.md)', () => {
  let db: SqlClient;
  const runs = async () =>
    (await db.query<{ tenant_id: string | null; trigger: string; list: string }>('SELECT tenant_id, trigger, list FROM dnc_rescreens ORDER BY id')).rows;

  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    await migrate(db, dncListMigrations);
    await db.query(`INSERT INTO jobs (id, tenant_id) VALUES ('job-a', 'acme'), ('job-b', 'other')`);
  }, 60_000);
  afterAll(async () => db?.close());

  it('answers a request pending, shows it to its tenant only, and refuses what it cannot do', async () => {
    let told = 0;
    const service = createRescreenService(db, () => told++);
    const run = await service.requestRescreen('acme', { list: 'National', jobId: 'job-a' });
    expect(run).toMatchObject({ status: 'pending', trigger: 'request', list: 'national', jobId: 'job-a', screened: 0, suppressed: 0, startedAt: null });
    expect(told).toBe(1);
    expect(await service.getRescreen('acme', run.id)).toEqual(run);
    expect(await codeOf(service.getRescreen('other', run.id))).toBe('RESCREEN_NOT_FOUND');
    expect(await codeOf(service.getRescreen('acme', 'x'))).toBe('RESCREEN_NOT_FOUND');
    expect(await codeOf(service.requestRescreen('acme', { jobId: 'job-b' }))).toBe('JOB_NOT_FOUND');
    expect(await codeOf(service.requestRescreen('acme', { list: 'nope' }))).toBe('INVALID_RESCREEN');
    expect(await codeOf(service.requestRescreen('acme', { listed: true }))).toBe('INVALID_RESCREEN');
    expect(await codeOf(service.requestRescreen('acme', undefined))).toBe('ok');
  });

  it("asks once per list change for the leads it concerns: a tenant's list its tenant's, a shared list every tenant's", async () => {
    await db.query('DELETE FROM dnc_rescreens');
    let told = 0;
    const registry = rescreeningRegistry(createSqlDncRegistry(db), db, () => told++);
    expect(rescreeningRegistry(registry, db)).toBe(registry);
    await registry.add(['+12015550123'], { tenantId: 'acme' });
    await registry.add(['+12015550124'], { tenantId: 'acme' });
    await registry.add(['+12015550123'], { tenantId: 'acme' });
    const load = (kind: 'national' | 'internal', owner: string, body: string) =>
      registry.load({ kind, owner, mode: 'changes', source: 'test', normalize: (t) => (/^\+\d+$/.test(t) ? t : undefined) }, dncFileParts('f.txt', [body]));
    await load('national', '', '+12015550125,A\n');
    // Pending ones are not asked for twice; a number already on the list changes nothing.
    expect(await runs()).toEqual([
      { tenant_id: 'acme', trigger: 'list-change', list: 'internal' },
      { tenant_id: null, trigger: 'list-change', list: 'national' },
    ]);
    expect(told).toBe(3);
  });
});
