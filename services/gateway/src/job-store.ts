import type { MappingStatus, PreviewRow } from '@leadflow/mapping';
import type { JobCounts } from '@leadflow/proto';
import { jobFailure } from '@leadflow/pipeline';
import type { LocalCancels, SqlClient } from '@leadflow/stores';
import type { JobCostView } from './job-cost.js';
import { jobSupplierLinker, type JobSupplier } from './job-supplier.js';
import { createJobFacts, type JobFilter } from './job-facts.js';
import { jobViewOf, type JobProgress } from './job-view.js';
import { readOwnedElsewhere } from './owned-elsewhere.js';
import type { Priority } from './job-priority.js';

/**
 * awaiting_review: uploaded with review, mapped, waiting for a person to confirm the mapping.
 * stalled: not ended, but no row stored for longer than the configured time (Kafka mode); a job
 * whose rows arrive again is running again.
 * waiting_for_dnc_list: rows with phones held by the dnc stage while a national or state list is
 * stale (docs/dnc-lists.md, "Freshness"); `waitingForDncList` names the lists.
 */
export const JOB_STATUSES = ['queued', 'running', 'awaiting_review', 'stalled', 'completed', 'failed', 'cancelled', 'waiting_for_dnc_list'] as const;
export type JobStatusName = (typeof JOB_STATUSES)[number];

/** A job in one of these has ended: nothing of it changes any more. */
export const ENDED_STATUSES: readonly JobStatusName[] = ['completed', 'failed', 'cancelled'];

/** The counts of a job, as the partner API's JobCounts message has them. */
export type JobCountsView = JobCounts;

/** A job as REST and gRPC show it (docs/architecture.md section 7). */
export interface JobView extends JobCostView {
  id: string;
  status: JobStatusName;
  counts: JobCountsView;
  supplier: string;
  fileName: string;
  /** The bytes of its upload the gateway has received so far (the whole file once it arrived). */
  bytesReceived: number;
  /**
   * The files of its upload in upload order (docs/several-files.md): each one's name as the
   * `file` column shows it, its data rows once ingest read it to its end, its bytes received.
   */
  files: JobFileView[];
  createdAt: string;
  failure?: { code: string; message: string };
  /** The supplier the job names (GET /v1/suppliers/{id}); null when it names none. */
  supplierId: string | null;
  /** Per stage, rows in and out; percent done, rate and estimated end (job-view.ts). */
  progress: JobProgress;
  /** When a person cancelled the job (status cancelled); its counts say how far it got. */
  cancelledAt?: string;
  /** high, normal or low: the order its rows are taken in by every stage (docs/job-priority.md). */
  priority: Priority;
  /**
   * Its delivery rate (docs/delivery.md, "Endpoints, rate, deliveries and replay (API)"): the limit
   * set with PUT /v1/jobs/{id}/rate (null: each endpoint's own; 0: unlimited) and the requests a
   * second sent for it over the last seconds. On a job read alone (GET /v1/jobs/{id}, its events), not in lists.
   */
  deliveryRate?: { perSecond: number | null; current: number };
  /** With status waiting_for_dnc_list: the stale lists its rows wait for, as "National (USA) 2026-10-01". */
  waitingForDncList?: string;
}

export interface JobFileView {
  name: string;
  rows: number | null;
  bytes: number;
}

/** What a cancel did: the job as it is now, or why not. */
export type CancelResult = { status: 'cancelled'; job: JobView; /** by this call, not an earlier one */ now: boolean } | { status: 'not_found' } | { status: 'ended'; job: JobView };

export interface NewJob {
  id: string;
  tenantId: string;
  supplier: string;
  fileName: string;
  webhookUrl: string;
  /** Its rows, when known before any is read (a single lead: 1), as setRead(id, rows, rows) records them. */
  rows?: number;
  /** @default 'normal' */
  priority?: Priority;
}

/** A column as the mapping service mapped it for a job. */
export interface ColumnView {
  header: string;
  field: string;
  confidence: number;
  evidence: string[];
}

/** A job's mapping: its columns, whether it waits for review, and a preview of its first rows. */
export interface MappingView {
  /** The first file's columns (a job of one file: its only one). */
  columns: ColumnView[];
  /** The job's: awaiting_review until every file of it is decided and its rows go on. */
  status: MappingStatus;
  preview: PreviewRow[];
  /** A job of several files (docs/several-files.md, "Review"): each file's mapping once its first rows are mapped, in upload order. */
  files?: FileMappingView[];
}

/** One file's mapping in a job of several files. */
export interface FileMappingView {
  /** The file's name as the job shows it (files[].name). */
  file: string;
  /** The file's own: awaiting_review, confirmed, or automatic (no rows to review). */
  status: MappingStatus;
  columns: ColumnView[];
  /** Row numbers within the file. */
  preview: PreviewRow[];
}

/** A file's mapping as the store reads it: with its position in the upload. */
export type StoredFileMapping = FileMappingView & { fileIndex: number };

/** A column as the mapping service keeps it. */
type StoredColumn = { header: string; field: string; confidence: number; evidence: { detail: string }[] };
const columnViews = (columns: readonly StoredColumn[]): ColumnView[] =>
  columns.map((c) => ({ header: c.header, field: c.field, confidence: c.confidence, evidence: c.evidence.map((e) => e.detail) }));

export interface JobStore {
  /**
   * Links the job to the supplier it names (made, with no price, if the tenant has none of that
   * name) and keeps the supplier's price as it is now; answers that supplier, none for no name.
   */
  create(job: NewJob): Promise<JobSupplier | undefined>;
  /** The job's column mapping, once its first rows were mapped. */
  /**
   * The job's mapping, and each file's in `files` (the first file's with its own status), named by
   * `fileNames` (the job's files' names in upload order).
   */
  mapping(id: string, tenantId: string, fileNames?: readonly string[]): Promise<(Omit<MappingView, 'files'> & { files: StoredFileMapping[] }) | undefined>;
  /**
   * The bytes of the job's upload received so far, and with them its files as they arrived (the
   * job's file name then names them all: docs/several-files.md).
   */
  setUploaded(id: string, bytes: number, files?: readonly { name: string; bytes: number }[]): Promise<void>;
  /** The supplier and webhook a form sent after its file; the supplier linked as by create. */
  setFields(id: string, fields: { tenantId: string; supplier: string; webhookUrl: string }): Promise<JobSupplier | undefined>;
  failUpload(id: string, failure: { code: string; message: string }): Promise<void>;
  get(id: string, tenantId: string): Promise<JobView | undefined>;
  /** The tenant's jobs that pass `filter`, newest first, at most `limit`: one query whatever their number. */
  list(tenantId: string, filter: JobFilter, limit: number): Promise<JobView[]>;
  /**
   * Marks the job cancelled unless it has ended (docs/job-cancel.md): every stage stops on the
   * mark; persistence stores nothing more of it. Cancelling a cancelled job answers it again.
   */
  cancel(id: string, tenantId: string): Promise<CancelResult>;
  /** Jobs of every tenant stalled now (created in the last week); 0 when no stall time is set. */
  countStalled(): Promise<number>;
  /** The job is run by `runner` (a standalone process) from now until `ran`: a job in review again, once decided. */
  run(id: string, runner: string): Promise<void>;
  /** Every row of the job (of each job, given several) went through `runner`: the job no longer needs that process to end. */
  ran(id: string | readonly string[], runner: string): Promise<void>;
  /**
   * Fails with INTERRUPTED every unfinished job whose runner stopped (`runs` answers false for
   * it): its status is final, so its event streams end; the rows stored so far stay. Standalone
   * mode, where persistence's tables are in the same database. Returns the jobs failed.
   */
  interruptOrphans(runs: (runner: string) => Promise<boolean>): Promise<string[]>;
}

export interface JobStoreOptions {
  /**
   * A job that is neither ended nor waiting for review, and whose rows stopped arriving (none
   * stored, or none since it was created) for longer than this, is `stalled`. @default never
   */
  stalledAfterMs?: number;
  /** The standalone process that runs every job this store creates; none in Kafka mode. */
  runner?: string;
  /**
   * Told of each job made and each cancel (local-cancels.ts): `leadflow serve` on its embedded
   * database, where this store is the only one that cancels, so that its stages need not ask.
   */
  cancels?: LocalCancels;
}

/** Jobs older than this are left out of countStalled, which then reads a week of jobs by index, not the whole table. */
const STALLED_LOOKBACK = '7 days';

/** The jobs table and the status made of what the stages recorded. */
export function createSqlJobStore(db: SqlClient, opts: JobStoreOptions = {}): JobStore {
  const { stalledAfterMs } = opts;
  const supplierOf = jobSupplierLinker(db);
  const facts = createJobFacts(db, { stalledAfterMs });
  const cancelNow = (id: string, tenantId: string): Promise<CancelResult> =>
    db.transaction(async (tx) => {
      // Waits for the batches being stored now (they hold the row FOR KEY SHARE); the next
      // statements see them, and a batch stored later sees the mark and stores nothing.
      const locked = await tx.query('SELECT 1 FROM jobs WHERE id = $1 AND tenant_id = $2 FOR UPDATE', [id, tenantId]);
      if (locked.rows.length === 0) return { status: 'not_found' };
      const read = createJobFacts(tx, { stalledAfterMs });
      const job = jobViewOf((await read.get(id, tenantId))!);
      if (job.status === 'cancelled') return { status: 'cancelled', job, now: false };
      if (ENDED_STATUSES.includes(job.status)) return { status: 'ended', job };
      await tx.query('UPDATE jobs SET cancelled_at = now() WHERE id = $1', [id]);
      return { status: 'cancelled', job: jobViewOf((await read.get(id, tenantId))!), now: true };
    });
  return {
    async create(job) {
      const supplier = await supplierOf(job.tenantId, job.supplier);
      await db.query(
        `INSERT INTO jobs (id, tenant_id, supplier, file_name, webhook_url, runner, supplier_id, cost_per_lead, cost_currency, rows_read, rows_total, priority)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10, 0), $10, $11)`,
        [job.id, job.tenantId, supplier.name, job.fileName, job.webhookUrl || null, opts.runner ?? null, ...supplier.columns, job.rows ?? null, job.priority ?? 'normal'],
      );
      opts.cancels?.made(job.id);
      return supplier.supplier;
    },
    async run(id, runner) {
      await db.query('UPDATE jobs SET runner = $2 WHERE id = $1', [id, runner]);
    },
    async ran(id, runner) {
      if (typeof id === 'string') await db.query('UPDATE jobs SET runner = NULL WHERE id = $1 AND runner = $2', [id, runner]);
      else if (id.length > 0) await db.query('UPDATE jobs SET runner = NULL WHERE id = ANY($1::text[]) AND runner = $2', [id, runner]);
    },
    async interruptOrphans(runs) {
      const { rows } = await db.query<{ runner: string }>('SELECT DISTINCT runner FROM jobs WHERE runner IS NOT NULL');
      const failed: string[] = [];
      const failure = jobFailure('INTERRUPTED');
      for (const { runner } of rows) {
        if (await runs(runner)) continue;
        const interrupted = await db.query<{ id: string }>(
          `UPDATE jobs j SET failure_code = $2, failure_message = $3, runner = NULL
            WHERE j.runner = $1 AND j.failure_code IS NULL
              AND NOT EXISTS (SELECT 1 FROM job_progress p WHERE p.job_id = j.id AND p.completed_at IS NOT NULL)
           RETURNING j.id`,
          [runner, failure.code, failure.message],
        );
        failed.push(...interrupted.rows.map((r) => r.id));
        await db.query('UPDATE jobs SET runner = NULL WHERE runner = $1', [runner]);
      }
      return failed;
    },
    async mapping(id, tenantId, fileNames = []) {
      type Stored = { columns: StoredColumn[]; status: MappingStatus; preview: PreviewRow[] };
      const [row] = await readOwnedElsewhere<Stored & { file_status: MappingStatus }>(
        db, 'SELECT columns, status, preview, coalesce(file_status, status) AS file_status FROM job_mappings WHERE job_id = $1 AND tenant_id = $2', [id, tenantId],
      );
      if (!row) return undefined;
      const further = await readOwnedElsewhere<Stored & { file_index: number }>(
        db, 'SELECT file_index, columns, status, preview FROM job_file_mappings WHERE job_id = $1 AND tenant_id = $2 ORDER BY file_index', [id, tenantId],
      );
      const nameOf = (i: number) => fileNames[i] ?? `file ${i + 1}`;
      const columns = columnViews(row.columns);
      return {
        columns,
        status: row.status,
        preview: row.preview,
        files: [
          { fileIndex: 0, file: nameOf(0), status: row.file_status, columns, preview: row.preview },
          ...further.map((f) => ({ fileIndex: f.file_index, file: nameOf(f.file_index), status: f.status, columns: columnViews(f.columns), preview: f.preview })),
        ],
      };
    },
    async setUploaded(id, bytes, files) {
      if (!files) return void (await db.query('UPDATE jobs SET bytes = $2 WHERE id = $1', [id, bytes]));
      await db.query('UPDATE jobs SET bytes = $2, files = $3::jsonb, file_name = $4 WHERE id = $1', [
        id, bytes, JSON.stringify(files), files.map((f) => f.name).join(', '),
      ]);
    },
    async setFields(id, fields) {
      const supplier = await supplierOf(fields.tenantId, fields.supplier);
      await db.query(
        'UPDATE jobs SET supplier = $2, webhook_url = $3, supplier_id = $4, cost_per_lead = $5, cost_currency = $6 WHERE id = $1',
        [id, supplier.name, fields.webhookUrl || null, ...supplier.columns],
      );
      return supplier.supplier;
    },
    async failUpload(id, failure) {
      await db.query('UPDATE jobs SET failure_code = $2, failure_message = $3 WHERE id = $1 AND failure_code IS NULL', [
        id, failure.code, failure.message,
      ]);
    },
    async get(id, tenantId) {
      const row = await facts.get(id, tenantId);
      return row && jobViewOf(row);
    },
    async list(tenantId, filter, limit) {
      return (await facts.list(tenantId, filter, limit)).map(jobViewOf);
    },
    async cancel(id, tenantId) {
      const { cancels } = opts;
      if (!cancels) return cancelNow(id, tenantId);
      cancels.cancelling(id);
      let result: CancelResult | undefined;
      try {
        return (result = await cancelNow(id, tenantId));
      } finally {
        cancels.cancelEnded(id, result && result.status === 'cancelled');
      }
    },
    async countStalled() {
      if (stalledAfterMs === undefined) return 0;
      const [row] = await readOwnedElsewhere<{ n: number }>(
        db,
        `SELECT count(*)::int AS n
           FROM jobs j
           LEFT JOIN job_progress p ON p.job_id = j.id
           LEFT JOIN job_mappings m ON m.job_id = j.id
          WHERE j.created_at > now() - interval '${STALLED_LOOKBACK}'
            AND j.failure_code IS NULL AND j.cancelled_at IS NULL AND j.held_at IS NULL AND p.completed_at IS NULL AND p.failure_code IS NULL
            AND m.status IS DISTINCT FROM 'awaiting_review'
            AND coalesce(p.updated_at, j.created_at) < now() - $1 * interval '1 millisecond'`,
        [stalledAfterMs],
      );
      return row?.n ?? 0;
    },
  };
}
