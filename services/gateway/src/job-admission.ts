import type { Logger } from '@leadflow/logger';
import { jobFailure } from '@leadflow/pipeline';
import { JobRef } from '@leadflow/proto';
import type { SqlClient } from '@leadflow/stores';
import type { UploadSink, UploadWriter } from './upload-sink.js';

/**
 * The per-tenant limit of running jobs (docs/job-priority.md). An upload is answered at once
 * either way; a job above its tenant's limit is held (status queued): its bytes are parked in
 * `job_parked_chunks`, in order, with its JobRef as it stood at the end (seq -1), and replayed
 * into the pipeline when a running job of the tenant ends, the waiting ones in priority order
 * (high, normal, low), then oldest first. Cancelling a held job drops its parked bytes.
 */
export interface JobAdmission {
  /** Whether the new job runs now (it takes a place), or waits (held). */
  admit(jobId: string, tenantId: string): Promise<boolean>;
  /** Where a held job's bytes go: the parked chunks. */
  parking: UploadSink;
  /** Starts the waiting jobs that have a place now; answers how many started. */
  startWaiting(): Promise<number>;
  getLimits(tenantId: string): Promise<JobLimitsView>;
  setLimits(tenantId: string, maxRunningJobs: number): Promise<JobLimitsView>;
  /** Polls for places at `intervalMs` until stop. */
  start(): void;
  stop(): Promise<void>;
}

export interface JobLimitsView {
  /** At most this many of the tenant's jobs run at once; 0: no limit. */
  maxRunningJobs: number;
}

export interface JobAdmissionOptions {
  db: SqlClient;
  /** Where a job's bytes go once it runs. */
  uploads: UploadSink;
  /** GATEWAY_MAX_RUNNING_JOBS_PER_TENANT: a tenant's limit until it sets its own; 0: none. */
  defaultMaxRunning: number;
  /** How often a place is looked for. @default 500 */
  intervalMs?: number;
  logger?: Logger;
}

/** Parked bytes are kept in pieces of this size: a few rows a file, however it arrived. */
const PIECE_BYTES = 1024 * 1024;
/** The parked row that holds the job's JobRef as it stood when its upload ended: the upload is whole. */
const END_SEQ = -1;

/** Jobs that hold a place: started, and not ended (persistence's job_progress says completed or failed). */
const RUNNING = `SELECT count(*)::int AS n FROM jobs j
  WHERE j.tenant_id = $1 AND j.started_at IS NOT NULL AND j.cancelled_at IS NULL AND j.failure_code IS NULL
    AND NOT EXISTS (SELECT 1 FROM job_progress p WHERE p.job_id = j.id AND (p.completed_at IS NOT NULL OR p.failure_code IS NOT NULL))`;
const RUNNING_WITHOUT_PROGRESS = `SELECT count(*)::int AS n FROM jobs j
  WHERE j.tenant_id = $1 AND j.started_at IS NOT NULL AND j.cancelled_at IS NULL AND j.failure_code IS NULL`;

const PRIORITY_ORDER = `CASE j.priority WHEN 'high' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END`;

export function createJobAdmission(opts: JobAdmissionOptions): JobAdmission {
  const { db } = opts;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<unknown> = Promise.resolve();
  const replays = new Set<Promise<void>>();

  const lockTenant = (tx: SqlClient, tenantId: string) => tx.query("SELECT pg_advisory_xact_lock(hashtext('leadflow.jobs.' || $1))", [tenantId]);

  async function limitOf(tx: SqlClient, tenantId: string): Promise<number> {
    const { rows } = await tx.query<{ max_running_jobs: number }>('SELECT max_running_jobs FROM job_limits WHERE tenant_id = $1', [tenantId]);
    return rows[0]?.max_running_jobs ?? opts.defaultMaxRunning;
  }

  async function running(tx: SqlClient, tenantId: string): Promise<number> {
    // persistence's table may not exist yet on a new database: then no job has ended in it. (Asked
    // first: a failed read would end the transaction.)
    const { rows } = await tx.query<{ present: boolean }>("SELECT to_regclass('job_progress') IS NOT NULL AS present");
    const counted = await tx.query<{ n: number }>(rows[0]?.present ? RUNNING : RUNNING_WITHOUT_PROGRESS, [tenantId]);
    return counted.rows[0]?.n ?? 0;
  }

  const parking: UploadSink = {
    async decide() {
      // A held job has no mapping to review yet.
    },
    open(job: JobRef): UploadWriter {
      let seq = 0;
      let pending: Buffer[] = [];
      let size = 0;
      const flush = async () => {
        if (size === 0) return;
        const data = Buffer.concat(pending, size);
        pending = [];
        size = 0;
        await db.query('INSERT INTO job_parked_chunks (job_id, seq, data) VALUES ($1, $2, $3)', [job.jobId, seq++, data]);
      };
      return {
        async write(chunk) {
          pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          size += chunk.byteLength;
          if (size >= PIECE_BYTES) await flush();
        },
        async end(final) {
          await flush();
          await db.query('INSERT INTO job_parked_chunks (job_id, seq, data) VALUES ($1, $2, $3)', [job.jobId, END_SEQ, Buffer.from(JobRef.encode(final).finish())]);
        },
        async fail() {
          pending = [];
          size = 0;
          await db.query('DELETE FROM job_parked_chunks WHERE job_id = $1', [job.jobId]);
        },
      };
    },
  };

  /** Replays a job's parked bytes into the pipeline, then drops them. */
  async function replay(jobId: string): Promise<void> {
    const end = await db.query<{ data: Buffer }>('SELECT data FROM job_parked_chunks WHERE job_id = $1 AND seq = $2', [jobId, END_SEQ]);
    const ref = JobRef.decode(new Uint8Array(end.rows[0]!.data));
    const writer = opts.uploads.open(ref);
    try {
      // One piece at a time: memory holds one piece whatever the file's size.
      for (let seq = 0; ; seq++) {
        const { rows } = await db.query<{ data: Buffer }>('SELECT data FROM job_parked_chunks WHERE job_id = $1 AND seq = $2', [jobId, seq]);
        if (rows.length === 0) break;
        await writer.write(new Uint8Array(rows[0]!.data));
      }
      await writer.end(ref);
    } catch (err) {
      const failure = (err as { jobFailure?: { code: string; message: string } }).jobFailure ?? jobFailure('INTERNAL', 'the parked upload could not be handed on');
      await db.query('UPDATE jobs SET failure_code = $2, failure_message = $3 WHERE id = $1 AND failure_code IS NULL', [jobId, failure.code, failure.message]);
      await writer.fail(failure).catch(() => {});
      opts.logger?.warn({ err, jobId }, 'a held job could not be started');
    } finally {
      await db.query('DELETE FROM job_parked_chunks WHERE job_id = $1', [jobId]);
    }
  }

  async function startWaiting(): Promise<number> {
    // Held jobs that ended while waiting (cancelled, or their upload failed) wait no more, and keep nothing.
    // (Bytes of a cancelled upload may still arrive: they are dropped at the next round.)
    await db.query('UPDATE jobs SET held_at = NULL WHERE held_at IS NOT NULL AND (cancelled_at IS NOT NULL OR failure_code IS NOT NULL)');
    await db.query('DELETE FROM job_parked_chunks c USING jobs j WHERE c.job_id = j.id AND (j.cancelled_at IS NOT NULL OR j.failure_code IS NOT NULL)');
    const tenants = await db.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM jobs WHERE held_at IS NOT NULL');
    let started = 0;
    for (const { tenant_id: tenantId } of tenants.rows) {
      const ids = await db.transaction(async (tx) => {
        await lockTenant(tx, tenantId);
        const limit = await limitOf(tx, tenantId);
        const free = limit === 0 ? Number.MAX_SAFE_INTEGER : limit - (await running(tx, tenantId));
        if (free <= 0) return [];
        // Only a job whose upload arrived whole can start: its bytes are replayed from the table.
        const next = await tx.query<{ id: string }>(
          `SELECT j.id FROM jobs j
            WHERE j.tenant_id = $1 AND j.held_at IS NOT NULL
              AND EXISTS (SELECT 1 FROM job_parked_chunks c WHERE c.job_id = j.id AND c.seq = ${END_SEQ})
            ORDER BY ${PRIORITY_ORDER}, j.created_at, j.id LIMIT $2`,
          [tenantId, Math.min(free, 100)],
        );
        const chosen = next.rows.map((r) => r.id);
        if (chosen.length > 0) await tx.query('UPDATE jobs SET held_at = NULL, started_at = now() WHERE id = ANY($1::text[])', [chosen]);
        return chosen;
      });
      for (const id of ids) {
        const p = replay(id).catch((err) => opts.logger?.error({ err, jobId: id }, 'a held job could not be replayed'));
        replays.add(p);
        void p.finally(() => replays.delete(p));
      }
      started += ids.length;
    }
    return started;
  }

  return {
    parking,
    startWaiting,
    async admit(jobId, tenantId) {
      return db.transaction(async (tx) => {
        await lockTenant(tx, tenantId);
        const limit = await limitOf(tx, tenantId);
        // A job does not pass the ones already waiting: they start in their order.
        const waiting = limit === 0 ? 0 : (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE tenant_id = $1 AND held_at IS NOT NULL', [tenantId])).rows[0]!.n;
        const runs = limit === 0 || (waiting === 0 && (await running(tx, tenantId)) < limit);
        await tx.query(`UPDATE jobs SET ${runs ? 'started_at' : 'held_at'} = now() WHERE id = $1`, [jobId]);
        return runs;
      });
    },
    async getLimits(tenantId) {
      return { maxRunningJobs: await limitOf(db, tenantId) };
    },
    async setLimits(tenantId, maxRunningJobs) {
      await db.query(
        `INSERT INTO job_limits (tenant_id, max_running_jobs) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET max_running_jobs = excluded.max_running_jobs, updated_at = now()`,
        [tenantId, maxRunningJobs],
      );
      return { maxRunningJobs };
    },
    start() {
      timer = setInterval(() => {
        round = round.then(startWaiting).catch((err) => opts.logger?.warn({ err }, 'waiting jobs could not be started'));
      }, opts.intervalMs ?? 500);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await round;
      await Promise.allSettled([...replays]);
    },
  };
}
