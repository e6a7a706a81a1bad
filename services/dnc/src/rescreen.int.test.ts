import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { eventId, migrations as deliveryMigrations, writeLeadSuppressed } from '@leadflow/delivery';
import { migrations as gatewayMigrations } from '@leadflow/gateway';
import { createSqlRescreenLeadStore, migrations as persistenceMigrations } from '@leadflow/persistence';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import { createSqlDncExemptions, createSqlDncRegistry, dncListMigrations, migrate } from '@leadflow/stores';
import { createPrivateDatabase, uniqueName, type PrivateDatabase } from '@leadflow/testkit';
import { AUDIT_PHONE_PURPOSE, createDncStage, createSqlDncAudit, migrations, workRescreens, type RescreenWorkerOptions } from './index.js';

const keys = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'the test');
const hashOf = (phone: string) => keys.keyedHash(AUDIT_PHONE_PURPOSE, phone);
const tenant = uniqueName('tenant');
const JOB = uniqueName('job');
const LISTED = '+19075550301';
const CLEAR = '+19075550302';
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const ENDPOINT = '00000000-0000-4000-8000-0000000000e1';

/**
 * The pieces of a re-screening on PostgreSQL (docs/rescreen.md): stored leads through the real dnc
 * stage, the lead now listed marked with its reasons, its events withdrawn, lead.suppressed
 * written, the checks audited under the run; done again, nothing changes.
 */
describe('re-screening stored leads', () => {
  let pg: PrivateDatabase;
  let opts: RescreenWorkerOptions;

  beforeAll(async () => {
    pg = await createPrivateDatabase('leadflow_rescreen');
    for (const m of [gatewayMigrations, persistenceMigrations, dncListMigrations, migrations, deliveryMigrations]) await migrate(pg.db, m);
    const db = pg.db;
    await db.query(
      `INSERT INTO leads (id, tenant_id, job_id, row_number, phone, email) VALUES ($1, $3, $4, 1, $5, 'ann@x.org'), ($2, $3, $4, 2, $6, 'bob@x.org')`,
      [A, B, tenant, JOB, LISTED, CLEAR],
    );
    await db.query(
      `INSERT INTO webhook_endpoints (id, tenant_id, url, mode, events) VALUES ($1, $2, 'https://hooks.example/x', 'record', '{lead.created,lead.suppressed}')`,
      [ENDPOINT, tenant],
    );
    // What delivery still has for them: A's lead.created pending, a batch of both pending, B's delivered.
    await db.query(
      `INSERT INTO delivery_events (id, tenant_id, endpoint_id, url, event_type, job_id, lead_count, payload, status) VALUES
         ('msg_a', $1, $2, 'https://hooks.example/x', 'lead.created', $3, 1, $4, 'pending'),
         ('msg_ab', $1, NULL, 'https://jobs.example/x', 'lead.created', $3, 2, $5, 'pending'),
         ('msg_b', $1, $2, 'https://hooks.example/x', 'lead.created', $3, 1, $6, 'delivered')`,
      [tenant, ENDPOINT, JOB, { jobId: JOB, id: A }, { jobId: JOB, leads: [{ id: A }, { id: B }] }, { jobId: JOB, id: B }],
    );
    await db.query(`INSERT INTO delivery_progress (job_id, pending, delivered) VALUES ($1, 3, 1)`, [JOB]);
    const registry = createSqlDncRegistry(db);
    await registry.add([LISTED], { tenantId: tenant });
    opts = {
      db, logger: createLogger({ name: 'rescreen-test', level: 'silent' }), leads: createSqlRescreenLeadStore(db), pageSize: 1,
      stageFor: (rescreen) => createDncStage({ registry, audit: createSqlDncAudit(db, hashOf, { rescreen }), exemptions: createSqlDncExemptions(db) }),
      notify: (tx, t, leads) => writeLeadSuppressed(tx, t, leads),
    };
  }, 120_000);
  afterAll(async () => pg?.drop());

  const run = async () => {
    const { rows } = await pg.db.query<{ id: string }>(`INSERT INTO dnc_rescreens (tenant_id, trigger) VALUES ($1, 'request') RETURNING id`, [tenant]);
    await workRescreens(opts, 'test-worker');
    return (await pg.db.query<{ status: string; screened: number; suppressed: number }>('SELECT status, screened, suppressed FROM dnc_rescreens WHERE id = $1', [rows[0]!.id])).rows[0]!;
  };

  it('suppresses the lead now listed, withdraws its events, writes lead.suppressed and audits every check under the run', async () => {
    expect(await run()).toEqual({ status: 'completed', screened: 2, suppressed: 1 });
    const leads = (await pg.db.query<{ id: string; suppressed_at: Date | null; suppression: { code: string; detail: string }[] | null; screened_at: Date | null }>(
      'SELECT id, suppressed_at, suppression, screened_at FROM leads ORDER BY row_number',
    )).rows;
    expect(leads[0]!.suppressed_at).not.toBeNull();
    expect(leads[0]!.suppression!.map((r) => r.code)).toEqual(['DNC_INTERNAL']);
    expect(leads[0]!.suppression![0]!.detail).toMatch(/^Internal \d{4}-\d{2}-\d{2}, version 1$/);
    expect(leads[1]!.suppressed_at).toBeNull();
    expect(leads.every((l) => l.screened_at !== null)).toBe(true);

    const events = new Map((await pg.db.query<{ id: string; status: string; lead_count: number; payload: Record<string, unknown>; suppressed_at: Date | null; event_type: string }>(
      'SELECT id, status, lead_count, payload, suppressed_at, event_type FROM delivery_events',
    )).rows.map((e) => [e.id, e]));
    expect(events.get('msg_a')).toMatchObject({ status: 'cancelled' });
    expect(events.get('msg_a')!.suppressed_at).not.toBeNull();
    expect(events.get('msg_ab')).toMatchObject({ status: 'pending', lead_count: 1, payload: { jobId: JOB, leads: [{ id: B }] } });
    expect(events.get('msg_b')).toMatchObject({ status: 'delivered', suppressed_at: null });
    const told = events.get(eventId(ENDPOINT, 'lead.suppressed', A, 0))!;
    expect(told).toMatchObject({ status: 'pending', event_type: 'lead.suppressed', payload: { id: A, jobId: JOB, row: 1, reasons: [{ code: 'DNC_INTERNAL' }] } });
    // A's pending lead (its record event and its place in the batch) left the job's pending count.
    expect((await pg.db.query('SELECT pending FROM delivery_progress WHERE job_id = $1', [JOB])).rows[0]).toEqual({ pending: 1 });

    const audit = (await pg.db.query<{ row_number: number; list: string; listed: boolean; rescreen: string }>(
      `SELECT row_number, list, listed, rescreen FROM dnc_audit WHERE job_id = $1 ORDER BY row_number, list`, [JOB],
    )).rows;
    expect(audit.filter((r) => r.list === 'internal').map((r) => [r.row_number, r.listed])).toEqual([[1, true], [2, false]]);
    expect(audit.every((r) => r.rescreen !== '')).toBe(true);
  });

  it('done again, screens the lead left, suppresses nothing more and writes no second event', async () => {
    expect(await run()).toEqual({ status: 'completed', screened: 1, suppressed: 0 });
    expect((await pg.db.query(`SELECT count(*)::int AS n FROM delivery_events WHERE event_type = 'lead.suppressed'`)).rows[0]).toEqual({ n: 1 });
    // Each run's checks are kept: B's internal check twice now, once per run.
    expect((await pg.db.query(`SELECT count(*)::int AS n FROM dnc_audit WHERE job_id = $1 AND row_number = 2 AND list = 'internal'`, [JOB])).rows[0]).toEqual({ n: 2 });
  });
});
