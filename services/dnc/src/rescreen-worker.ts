import { randomUUID } from 'node:crypto';
import type { Logger } from '@leadflow/logger';
import { LeadflowError } from '@leadflow/pipeline';
import type { SqlClient } from '@leadflow/stores';
import { rescreenPage, type RescreenDeps, type RescreenRun } from './rescreen.js';

/** A worker that claimed a run and died leaves it to another after this long without progress. */
const CLAIM_MS = 5 * 60_000;

type RunRow = {
  id: string; tenant_id: string | null; job_id: string | null; due_before: Date | null; cursor_tenant: string | null; cursor_job: string | null;
  cursor_row: number | null;
};

/** A table missing (42P01): the gateway's migration 015 has not run on this database yet; nothing to do. */
const missingTable = (err: unknown) => (err as { code?: string }).code === '42P01';

/** Claims the oldest pending run (or one whose worker died); null when there is none. */
export async function claimRescreen(db: SqlClient, me: string): Promise<RescreenRun | null> {
  const { rows } = await db.query<RunRow>(
    `UPDATE dnc_rescreens r SET status = 'running', claimed_by = $1, claimed_at = now(), started_at = coalesce(r.started_at, now())
      WHERE r.id = (SELECT id FROM dnc_rescreens
                     WHERE status = 'pending' OR (status = 'running' AND claimed_at < now() - $2::float8 * interval '1 millisecond')
                     ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING r.id, r.tenant_id, r.job_id, r.due_before, r.cursor_tenant, r.cursor_job, r.cursor_row`,
    [me, CLAIM_MS],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: String(r.id), tenantId: r.tenant_id, jobId: r.job_id, dueBefore: r.due_before ? new Date(r.due_before) : null,
    cursor: r.cursor_tenant === null ? null : { tenantId: r.cursor_tenant, jobId: r.cursor_job, rowNumber: r.cursor_row },
  };
}

/**
 * Asks for the schedule's re-screening (every tenant's leads not screened for `intervalHours`)
 * unless one is waiting or running. Answers its id, or null when one was there already.
 */
export async function requestScheduledRescreen(db: SqlClient, intervalHours: number): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO dnc_rescreens (tenant_id, trigger, due_before)
     SELECT NULL, 'schedule', now() - $1::float8 * interval '1 hour'
      WHERE NOT EXISTS (SELECT 1 FROM dnc_rescreens WHERE trigger = 'schedule' AND status IN ('pending', 'running'))
     RETURNING id`,
    [intervalHours],
  );
  return rows[0] ? String(rows[0].id) : null;
}

export interface RescreenWorkerOptions extends RescreenDeps {
  logger: Logger;
  /** How often pending runs are looked for. @default 5000 */
  pollMs?: number;
  /** The schedule: every lead screened again at least every `intervalHours` (DNC_RESCREEN_INTERVAL_HOURS); none: no schedule. */
  schedule?: { intervalHours: number; everyMs: number };
  /** Pages one call works through before it lets the timer come again. @default 2000 */
  maxPages?: number;
  /** Told after a page suppressed leads (the dispatcher of the process looks at once). */
  onSuppressed?: () => void;
}

/**
 * Works through the runs of dnc_rescreens, one at a time, a page at a time, saving the run's
 * counts and cursor with each page (a run left by a dead worker is taken over after five minutes,
 * from its cursor). A retryable failure (a list being loaded) gives the run back to wait; any
 * other fails it with its message.
 */
export async function workRescreens(opts: RescreenWorkerOptions, me: string, shouldStop: () => boolean = () => false): Promise<number> {
  const { db } = opts;
  let pages = 0;
  let suppressed = 0;
  while (pages < (opts.maxPages ?? 2000) && !shouldStop()) {
    let run: RescreenRun | null;
    try {
      run = await claimRescreen(db, me);
    } catch (err) {
      if (missingTable(err)) return suppressed;
      throw err;
    }
    if (!run) break;
    try {
      for (; pages < (opts.maxPages ?? 2000) && !shouldStop(); pages++) {
        const page = await rescreenPage(opts, run);
        suppressed += page.suppressed;
        if (page.suppressed > 0) opts.onSuppressed?.();
        run = { ...run, cursor: page.cursor };
        await db.query(
          `UPDATE dnc_rescreens SET screened = screened + $2, suppressed = suppressed + $3, claimed_at = now(),
                  cursor_tenant = $4, cursor_job = $5, cursor_row = $6,
                  status = CASE WHEN $7::boolean THEN 'completed' ELSE status END, finished_at = CASE WHEN $7::boolean THEN now() END
            WHERE id = $1 AND claimed_by = $8`,
          [run.id, page.screened, page.suppressed, page.cursor?.tenantId ?? null, page.cursor?.jobId ?? null, page.cursor?.rowNumber ?? null, page.cursor === null, me],
        );
        if (page.cursor === null) break;
      }
      if (run.cursor !== null) {
        // Stopped before its end (shutdown, or the call's bound): given back, from its cursor.
        await db.query(`UPDATE dnc_rescreens SET status = 'pending', claimed_by = NULL WHERE id = $1 AND claimed_by = $2`, [run.id, me]);
      }
    } catch (err) {
      const retry = err instanceof LeadflowError && err.retryable;
      opts.logger.warn({ err, rescreen: run.id }, retry ? 're-screening waits for the lists' : 're-screening failed');
      await db.query(
        `UPDATE dnc_rescreens SET status = $3::text, claimed_by = NULL, error = $4, finished_at = CASE WHEN $3::text = 'failed' THEN now() END
          WHERE id = $1 AND claimed_by = $2`,
        [run.id, me, retry ? 'pending' : 'failed', String((err as Error).message ?? err).slice(0, 500)],
      );
      if (retry) break;
    }
  }
  return suppressed;
}

/**
 * A lifecycle module that works through re-screenings every `pollMs` and when `nudge()` is called
 * (a list changed, a tenant asked), and asks for the schedule's every `schedule.everyMs`. A failure
 * is logged and tried again next time.
 */
export function rescreenWorker(opts: RescreenWorkerOptions) {
  const me = randomUUID();
  let timers: NodeJS.Timeout[] = [];
  let running: Promise<void> | undefined;
  let again = false;
  let stopping = false;
  const once = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          const suppressed = await workRescreens(opts, me, () => stopping);
          if (suppressed > 0) opts.logger.info({ suppressed }, 'stored leads suppressed by a re-screening');
        } while (again && !stopping);
      } catch (err) {
        opts.logger.warn({ err }, 're-screening failed; tried again later');
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const schedule = async () => {
    if (!opts.schedule) return;
    try {
      if (await requestScheduledRescreen(opts.db, opts.schedule.intervalHours)) void once();
    } catch (err) {
      if (!missingTable(err)) opts.logger.warn({ err }, 'asking for the scheduled re-screening failed; tried again later');
    }
  };
  return {
    name: 'dnc-rescreen',
    /** Looks for runs now; resolves once the work in hand is done (or its bound reached). */
    nudge: once,
    async start() {
      stopping = false;
      timers = [setInterval(() => void once(), opts.pollMs ?? 5000)];
      if (opts.schedule) timers.push(setInterval(() => void schedule(), opts.schedule.everyMs));
      for (const t of timers) t.unref();
      void schedule();
    },
    async stop() {
      stopping = true;
      for (const t of timers) clearInterval(t);
      await running;
    },
  };
}
