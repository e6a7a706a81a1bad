import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations as mappingMigrations } from '@leadflow/mapping';
import { migrations as persistenceMigrations } from '@leadflow/persistence';
import { createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { createSqlJobStore, migrations, type JobStore } from './index.js';

const MINUTE = 60_000;

describe('job status: stalled', () => {
  let db: SqlClient;
  let jobs: JobStore;
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    await migrate(db, persistenceMigrations);
    await migrate(db, mappingMigrations);
    jobs = createSqlJobStore(db, { stalledAfterMs: 10 * MINUTE });
  });
  afterAll(() => db.close());

  const job = async (id: string) => {
    await jobs.create({ id, tenantId: 't', supplier: '', fileName: 'a.csv', webhookUrl: '' });
    return id;
  };
  /** A batch of the job stored `minutesAgo` (as persistence records it), with `stored` of `total` rows. */
  const stored = (id: string, minutesAgo: number, rows: { stored: number; total?: number; failure?: string }) =>
    db.query(
      `INSERT INTO job_progress (job_id, tenant_id, total_rows, stored, accepted, failure_code, failure_message, completed_at, updated_at)
       VALUES ($1, 't', $2::int, $3::int, $3::int, $4::text, $4::text, CASE WHEN $3::int >= $2::int OR $4::text IS NOT NULL THEN now() END,
               now() - $5::float8 * interval '1 minute')
       ON CONFLICT (job_id) DO UPDATE SET stored = excluded.stored, accepted = excluded.accepted, total_rows = excluded.total_rows,
         failure_code = excluded.failure_code, completed_at = excluded.completed_at, updated_at = excluded.updated_at`,
      [id, rows.total ?? null, rows.stored, rows.failure ?? null, minutesAgo],
    );
  const age = (id: string, minutes: number) => db.query("UPDATE jobs SET created_at = now() - $2 * interval '1 minute' WHERE id = $1", [id, minutes]);
  const status = async (id: string) => (await jobs.get(id, 't'))!.status;

  it('shows a job whose rows stopped arriving for longer than the stall time as stalled, and running again once rows arrive', async () => {
    const id = await job('moving');
    await age(id, 60);
    await stored(id, 3, { stored: 40 });
    expect(await status(id)).toBe('running');
    await stored(id, 11, { stored: 40 });
    expect(await status(id)).toBe('stalled');
    await stored(id, 0, { stored: 80 });
    expect(await status(id)).toBe('running');
    expect(await jobs.get(id, 't')).toMatchObject({ status: 'running', counts: { accepted: 80 } });
  });

  it('shows a job none of whose rows arrived within the stall time as stalled, and a younger one as queued', async () => {
    const [old, young] = [await job('never-old'), await job('never-young')];
    await age(old, 11);
    await age(young, 9);
    expect([await status(old), await status(young)]).toEqual(['stalled', 'queued']);
  });

  it('never calls an ended job, or one waiting for review, stalled', async () => {
    const [done, failed, review] = [await job('done'), await job('failed'), await job('review')];
    for (const id of [done, failed, review]) await age(id, 120);
    await stored(done, 60, { stored: 10, total: 10 });
    await stored(failed, 60, { stored: 3, failure: 'CSV_MALFORMED' });
    await db.query("INSERT INTO job_mappings (job_id, tenant_id, columns, status) VALUES ($1, 't', '[]', 'awaiting_review')", [review]);
    expect([await status(done), await status(failed), await status(review)]).toEqual(['completed', 'failed', 'awaiting_review']);
  });

  it('counts the stalled jobs of the last week for the gauge, and none without a stall time', async () => {
    // From the tests above: 'moving' runs, 'never-old' is stalled; one more, stalled for 20 minutes.
    await stored(await job('stuck'), 20, { stored: 5 });
    await age('stuck', 30);
    const ancient = await job('ancient');
    await age(ancient, 8 * 24 * 60);
    expect(await status(ancient)).toBe('stalled');
    expect(await jobs.countStalled()).toBe(2);
    expect(await createSqlJobStore(db).countStalled()).toBe(0);
    expect(await createSqlJobStore(db).get('never-old', 't')).toMatchObject({ status: 'queued' });
  });
});

describe('jobs of a standalone process that stopped', () => {
  let db: SqlClient;
  // Starting PGlite compiles its WebAssembly: seconds, many on a loaded machine.
  beforeAll(async () => {
    db = await createPglite();
    for (const m of [migrations, persistenceMigrations]) await migrate(db, m);
  }, 120_000);
  afterAll(() => db.close());

  const progress = (jobId: string, stored: number, completed: boolean) =>
    db.query(
      `INSERT INTO job_progress (job_id, tenant_id, total_rows, stored, accepted, completed_at) VALUES ($1, 't', $2, $3, $3, ${completed ? 'now()' : 'NULL'})`,
      [jobId, completed ? stored : null, stored],
    );

  it('fail with INTERRUPTED when unfinished, saying to upload again; finished jobs and jobs of a live process stay as they are', async () => {
    const dead = createSqlJobStore(db, { runner: 'dead-process' });
    const live = createSqlJobStore(db, { runner: 'live-process' });
    const kafka = createSqlJobStore(db);
    for (const [store, id] of [[dead, 'a-running'], [dead, 'a-queued'], [dead, 'a-done'], [live, 'b-running'], [kafka, 'c-running']] as const) {
      await store.create({ id, tenantId: 't', supplier: '', fileName: `${id}.csv`, webhookUrl: '' });
    }
    await progress('a-running', 500, false);
    await progress('a-done', 40, true);
    await progress('b-running', 500, false);
    await progress('c-running', 500, false);

    const asked: string[] = [];
    const failed = await dead.interruptOrphans(async (runner) => {
      asked.push(runner);
      return runner === 'live-process';
    });
    expect(failed.sort()).toEqual(['a-queued', 'a-running']);
    expect(asked.sort()).toEqual(['dead-process', 'live-process']);
    const status = async (id: string) => (await dead.get(id, 't'))!;
    expect(await status('a-running')).toMatchObject({
      status: 'failed',
      counts: { rows: 500, accepted: 500 },
      failure: { code: 'INTERRUPTED', message: 'the job was interrupted (the process running it stopped) before all its rows were stored: upload the file again' },
    });
    expect((await status('a-queued')).status).toBe('failed');
    expect((await status('a-done')).status).toBe('completed');
    expect((await status('b-running')).status).toBe('running');
    expect((await status('c-running')).status).toBe('running');
    // Asked again, nothing more: the stopped process no longer runs anything.
    expect(await dead.interruptOrphans(async (runner) => runner === 'live-process')).toEqual([]);
  });

  it('are no longer its own once every row went through: a job in review waits for a person, not for a process', async () => {
    const store = createSqlJobStore(db, { runner: 'gone-process' });
    await store.create({ id: 'r-review', tenantId: 't', supplier: '', fileName: 'r.csv', webhookUrl: '' });
    await store.ran('r-review', 'gone-process');
    const runs = async (runner: string) => runner !== 'gone-process';
    expect(await store.interruptOrphans(runs)).toEqual([]);
    // Decided, its rows run again in a process, which is killed.
    await store.run('r-review', 'gone-process');
    expect(await store.interruptOrphans(runs)).toEqual(['r-review']);
  });

  it('lets go of several jobs at once, only those of the runner named', async () => {
    const store = createSqlJobStore(db, { runner: 'lead-process' });
    for (const id of ['l-1', 'l-2', 'l-3']) await store.create({ id, tenantId: 't', supplier: '', fileName: '', webhookUrl: '' });
    await store.ran(['l-1', 'l-2'], 'lead-process');
    await store.ran(['l-3'], 'another-process');
    await store.ran([], 'lead-process');
    const { rows } = await db.query<{ id: string; runner: string | null }>("SELECT id, runner FROM jobs WHERE id LIKE 'l-%' ORDER BY id");
    expect(rows).toEqual([{ id: 'l-1', runner: null }, { id: 'l-2', runner: null }, { id: 'l-3', runner: 'lead-process' }]);
  });
});

describe('job status: cancelled', () => {
  let db: SqlClient;
  let jobs: JobStore;
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    await migrate(db, persistenceMigrations);
    jobs = createSqlJobStore(db);
  });
  afterAll(() => db.close());

  const job = async (id: string) => jobs.create({ id, tenantId: 't', supplier: '', fileName: 'a.csv', webhookUrl: '' });
  const progress = (id: string, stored: number, total: number | null) =>
    db.query(
      `INSERT INTO job_progress (job_id, tenant_id, total_rows, stored, accepted, completed_at)
       VALUES ($1, 't', $2::int, $3::int, $3::int, CASE WHEN $3::int >= $2::int THEN now() END)`,
      [id, total, stored],
    );

  it('cancels a running job with its counts so far, keeps it cancelled whatever arrives later, and answers a second cancel alike', async () => {
    await job('run');
    await progress('run', 40, null);
    const first = await jobs.cancel('run', 't');
    expect(first).toMatchObject({ status: 'cancelled', now: true, job: { status: 'cancelled', counts: { accepted: 40 }, cancelledAt: expect.any(String) } });
    await db.query("UPDATE job_progress SET total_rows = 40, completed_at = now() WHERE job_id = 'run'");
    expect((await jobs.get('run', 't'))!.status).toBe('cancelled');
    expect(await jobs.cancel('run', 't')).toMatchObject({ status: 'cancelled', now: false, job: { status: 'cancelled' } });
  });

  it("refuses to cancel an ended job, naming its status, and finds no other tenant's job", async () => {
    await job('done');
    await progress('done', 10, 10);
    expect(await jobs.cancel('done', 't')).toMatchObject({ status: 'ended', job: { status: 'completed' } });
    expect(await jobs.cancel('done', 'other')).toEqual({ status: 'not_found' });
    expect((await jobs.get('done', 't'))!.status).toBe('completed');
  });
});
