import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topic } from '@leadflow/bus';
import { createLogger } from '@leadflow/logger';
import { migrations as mappingMigrations } from '@leadflow/mapping';
import { createMetrics } from '@leadflow/metrics';
import { migrations as persistenceMigrations } from '@leadflow/persistence';
import { RowBatch } from '@leadflow/proto';
import { createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { migrations } from './index.js';
import { createJobFacts } from './job-facts.js';
import { jobMetrics } from './job-metrics.js';

/** The sample lines of `name` in the exposition text, label set to value. */
async function samples(metrics: ReturnType<typeof createMetrics>, name: string): Promise<Record<string, number>> {
  const text = await metrics.registry.metrics();
  return Object.fromEntries([...text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm'))].map((m) => [m[1] ?? '', Number(m[2])]));
}

describe('the job metrics the gateway reads at an interval', () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = await createPglite();
    for (const m of [migrations, mappingMigrations, persistenceMigrations]) await migrate(db, m);
  });
  afterAll(async () => {
    await db.close();
  });

  /** A job uploaded `age` seconds ago (by the database's clock), with what persistence recorded of it. */
  async function job(id: string, age: number, p?: { total: number; stored: number; endedAgo?: number; failure?: string }, price?: string) {
    await db.query(
      `INSERT INTO jobs (id, tenant_id, supplier, file_name, created_at, cost_per_lead, cost_currency)
       VALUES ($1, 'acme', 'Zenith Data', 'f.csv', now() - $2 * interval '1 second', $3, $4)`,
      [id, age, price ?? null, price ? 'USD' : null],
    );
    if (!p) return;
    await db.query(
      `INSERT INTO job_progress (job_id, tenant_id, total_rows, stored, accepted, failure_code, completed_at)
       VALUES ($1, 'acme', $2, $3, $3, $4, CASE WHEN $5::float8 IS NULL THEN NULL ELSE now() - $5::float8 * interval '1 second' END)`,
      [id, p.total, p.stored, p.failure ?? null, p.endedAgo ?? null],
    );
  }

  it('counts jobs by status, observes the duration of each job that ended since it started, and lists running and recent jobs', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let clock = Date.now() - 120_000;
    const lags = [{ groupId: 'mapping', topic: topic('leadflow.rows.raw.v1', RowBatch), messages: 7 }];
    const m = jobMetrics({
      facts: createJobFacts(db, {}), metrics, intervalMs: 60_000, maxJobs: 100, logger: createLogger({ name: 'test', level: 'silent' }),
      now: () => clock, lag: async () => lags,
    });
    await job('old-done', 900, { total: 4, stored: 4, endedAgo: 800 });
    await job('running', 30, { total: 10, stored: 5 }, '0.25');
    await job('queued', 5);
    await job('ended-in-stage', 200, { total: 3, stored: 1, endedAgo: 100, failure: 'INTERNAL' });
    await m.start();
    // Ended before the metrics started: in the counts, not in the durations, and out of the table.
    expect(await samples(metrics, 'leadflow_job_duration_seconds_count')).toEqual({});

    await job('done', 100, { total: 2, stored: 2, endedAgo: 40 });
    await job('cancelled', 50, { total: 10, stored: 3 });
    await db.query("UPDATE jobs SET cancelled_at = now() - interval '30 seconds' WHERE id = 'cancelled'");
    clock = Date.now();
    await m.read();
    expect(await samples(metrics, 'leadflow_gateway_jobs')).toEqual({
      '{status="queued"}': 1, '{status="running"}': 1, '{status="awaiting_review"}': 0, '{status="stalled"}': 0, '{status="completed"}': 2, '{status="failed"}': 1,
      '{status="cancelled"}': 1, '{status="waiting_for_dnc_list"}': 0,
    });
    expect(await samples(metrics, 'leadflow_job_duration_seconds_count')).toEqual({ '{status="completed"}': 1, '{status="failed"}': 1, '{status="cancelled"}': 1 });
    const sums = await samples(metrics, 'leadflow_job_duration_seconds_sum');
    expect(sums['{status="completed"}']).toBeCloseTo(60, 0);
    expect(sums['{status="failed"}']).toBeCloseTo(100, 0);
    expect(sums['{status="cancelled"}']).toBeCloseTo(20, 0);
    expect(await samples(metrics, 'leadflow_gateway_job_progress_percent')).toEqual({
      '{job_id="queued",tenant="acme",supplier="Zenith Data",status="queued"}': 0,
      '{job_id="cancelled",tenant="acme",supplier="Zenith Data",status="cancelled"}': 30,
      '{job_id="running",tenant="acme",supplier="Zenith Data",status="running"}': 50,
      '{job_id="done",tenant="acme",supplier="Zenith Data",status="completed"}': 100,
      '{job_id="ended-in-stage",tenant="acme",supplier="Zenith Data",status="failed"}': 33.3,
      '{job_id="old-done",tenant="acme",supplier="Zenith Data",status="completed"}': 100,
    });
    expect(await samples(metrics, 'leadflow_gateway_job_cost')).toEqual({ '{job_id="running",currency="USD"}': 2.5 });
    expect(await samples(metrics, 'leadflow_stage_consumer_lag_messages')).toEqual({ '{stage="mapping",topic="leadflow.rows.raw.v1"}': 7 });

    // A read again observes nothing twice; a job that left the table (ended over an hour ago) takes its series with it.
    await db.query("UPDATE job_progress SET completed_at = now() - interval '2 hours' WHERE job_id IN ('old-done', 'done')");
    // Ended after the last read's bound (10 s behind its clock, for transactions still committing).
    await db.query("UPDATE job_progress SET stored = 10, accepted = 10, completed_at = now() - interval '5 seconds' WHERE job_id = 'running'");
    clock = Date.now() + 10_000;
    await m.read();
    expect(await samples(metrics, 'leadflow_job_duration_seconds_count')).toEqual({ '{status="completed"}': 2, '{status="failed"}': 1, '{status="cancelled"}': 1 });
    expect(Object.keys(await samples(metrics, 'leadflow_gateway_job_progress_percent'))).toEqual([
      '{job_id="queued",tenant="acme",supplier="Zenith Data",status="queued"}',
      '{job_id="running",tenant="acme",supplier="Zenith Data",status="completed"}',
      '{job_id="cancelled",tenant="acme",supplier="Zenith Data",status="cancelled"}',
      '{job_id="ended-in-stage",tenant="acme",supplier="Zenith Data",status="failed"}',
    ]);
    await m.stop();
  });

  it('keeps at most maxJobs jobs in the table, the newest, and keeps its last values when a read fails', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const facts = createJobFacts(db, {});
    let fail = false;
    const m = jobMetrics({
      facts: { ...facts, countByStatus: async (ms) => (fail ? Promise.reject(new Error('database away')) : facts.countByStatus(ms)) },
      metrics, intervalMs: 60_000, maxJobs: 2, logger: createLogger({ name: 'test', level: 'silent' }),
    });
    await m.start();
    expect(Object.keys(await samples(metrics, 'leadflow_gateway_job_progress_percent')).map((k) => k.match(/job_id="([^"]+)"/)![1])).toEqual(['queued', 'running']);
    const before = await samples(metrics, 'leadflow_gateway_jobs');
    fail = true;
    await job('another', 1);
    await m.read();
    expect(await samples(metrics, 'leadflow_gateway_jobs')).toEqual(before);
    expect(Object.keys(await samples(metrics, 'leadflow_gateway_job_progress_percent')).map((k) => k.match(/job_id="([^"]+)"/)![1])).toEqual(['another', 'queued']);
    await m.stop();
  });
});
