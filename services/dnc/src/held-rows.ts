import { randomUUID } from 'node:crypto';
import type { Logger } from '@leadflow/logger';
import { JobRef, LeadRow, type LeadBatch } from '@leadflow/proto';
import type { SqlClient } from '@leadflow/stores';
import { mustBeFresh } from './freshness-config.js';

/** Rows the dnc stage holds while a national or state list is stale (docs/dnc-lists.md, "Freshness"). */
export interface HeldRows {
  /** Keeps `rows` of `job` until every list is fresh again; `lists` names the stale ones, as the job shows them. A row held again is kept once, its time renewed. */
  hold(job: JobRef, rows: readonly LeadRow[], lists: string): Promise<void>;
}

export function createSqlHeldRows(db: SqlClient): HeldRows {
  return {
    async hold(job, rows, lists) {
      if (rows.length === 0) return;
      await db.query(
        `INSERT INTO dnc_held_rows (job_id, row_number, tenant_id, job, lead_row, lists)
         SELECT $1, r, $2, $3, b, $4 FROM unnest($5::int[], $6::bytea[]) AS x(r, b)
         ON CONFLICT (job_id, row_number) DO UPDATE SET
           lead_row = excluded.lead_row, lists = excluded.lists, held_at = clock_timestamp(), claimed_by = NULL, claimed_at = NULL`,
        [
          job.jobId, job.tenantId, Buffer.from(JobRef.encode(job).finish()), lists,
          rows.map((r) => r.rowNumber), rows.map((r) => Buffer.from(LeadRow.encode(r).finish())),
        ],
      );
    },
  };
}

/** The shared national and state lists whose snapshot is older than `maxAgeDays`: while any is, held rows stay held. */
export async function staleSharedLists(db: SqlClient, maxAgeDays: number): Promise<string[]> {
  const { rows } = await db.query<{ kind: string }>(
    `SELECT kind FROM dnc_lists WHERE owner = '' AND snapshot_date IS NOT NULL AND snapshot_date < current_date - $1::int ORDER BY kind`,
    [maxAgeDays],
  );
  return rows.map((r) => r.kind).filter(mustBeFresh);
}

export interface ReleaseOptions {
  db: SqlClient;
  /** The dnc stage: the rows are screened again against the lists in force. */
  screen: (batch: LeadBatch) => Promise<LeadBatch>;
  /** Passes a screened batch on (Kafka: leads.screened; standalone: persistence and delivery). */
  emit: (batch: LeadBatch) => Promise<void>;
  maxAgeDays: number;
  /** Rows a batch. @default 500 */
  batchSize?: number;
  /** Batches at most in one call (the next call goes on). @default 200 */
  maxBatches?: number;
}

/** A releaser that took rows and died leaves them to another after this long. */
const CLAIM_MS = 5 * 60_000;

/**
 * Passes held rows on once no national or state list is stale: each job's rows, `batchSize` at a
 * time, are claimed (so that two replicas do not pass one row on twice), screened again, emitted,
 * then deleted, unless the screening held them again (a list became stale meanwhile: they are kept,
 * and the call stops). A crash after the emit passes them on again (the stages downstream keep a
 * row once). Answers how many rows went on.
 */
export async function releaseHeldRows(opts: ReleaseOptions): Promise<number> {
  if ((await staleSharedLists(opts.db, opts.maxAgeDays)).length > 0) return 0;
  const me = randomUUID();
  let released = 0;
  for (let i = 0; i < (opts.maxBatches ?? 200); i++) {
    const { rows } = await opts.db.query<{ job_id: string; row_number: number; job: Uint8Array; lead_row: Uint8Array }>(
      `UPDATE dnc_held_rows h SET claimed_by = $1, claimed_at = now()
        FROM (SELECT job_id, row_number FROM dnc_held_rows
               WHERE job_id = (SELECT job_id FROM dnc_held_rows WHERE claimed_by IS NULL OR claimed_at < now() - $3::float8 * interval '1 millisecond' ORDER BY held_at LIMIT 1)
                 AND (claimed_by IS NULL OR claimed_at < now() - $3::float8 * interval '1 millisecond')
               ORDER BY row_number LIMIT $2 FOR UPDATE SKIP LOCKED) c
       WHERE h.job_id = c.job_id AND h.row_number = c.row_number
       RETURNING h.job_id, h.row_number, h.job, h.lead_row`,
      [me, opts.batchSize ?? 500, CLAIM_MS],
    );
    if (rows.length === 0) break;
    rows.sort((a, b) => a.row_number - b.row_number);
    const batch: LeadBatch = {
      job: JobRef.decode(rows[0]!.job), seq: 0, header: [], mapping: [], last: false, totalRows: 0, failure: undefined,
      rows: rows.map((r) => LeadRow.decode(r.lead_row)),
    };
    const screened = await opts.screen(batch);
    const stillHeld = batch.rows.length - screened.rows.length;
    if (screened.rows.length > 0) await opts.emit(screened);
    await opts.db.query(`DELETE FROM dnc_held_rows WHERE job_id = $1 AND claimed_by = $2`, [rows[0]!.job_id, me]);
    released += screened.rows.length;
    if (stillHeld > 0) break;
  }
  return released;
}

export interface ReleaseModuleOptions extends ReleaseOptions {
  logger: Logger;
  /** How often held rows are looked at (DNC_HELD_RELEASE_MS). */
  intervalMs: number;
}

/**
 * A lifecycle module that passes held rows on every `intervalMs`, and when `nudge()` is called
 * (a list was loaded in this process). A failure is logged and tried again next time.
 */
export function heldRowsReleaser(opts: ReleaseModuleOptions) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  const once = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          const released = await releaseHeldRows(opts);
          if (released > 0) opts.logger.info({ released }, 'rows held for a stale Do-Not-Call list passed on');
        } while (again);
      } catch (err) {
        opts.logger.warn({ err }, 'passing held rows on failed; tried again later');
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  return {
    name: 'dnc-held-rows',
    /** Looks at the held rows now; resolves once what could go on went on. */
    nudge: once,
    async start() {
      timer = setInterval(() => void once(), opts.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
