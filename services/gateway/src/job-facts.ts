import type { SqlClient } from '@leadflow/stores';
import { ENDED_STATUSES } from './job-store.js';

/**
 * What the stages recorded about jobs, read for a whole page of jobs in one query: the jobs
 * table joined to mapping's, persistence's and delivery's records of each job (each by its
 * primary key), with the status worked out in SQL so that a list can be filtered by it and
 * still be read newest first from the index (migration 006). job-view.ts makes a job of a row.
 */
export interface JobFactsRow {
  id: string;
  supplier: string;
  /** The supplier it names, and its price per lead when the job was uploaded (job-supplier.ts). */
  supplier_id: string | null;
  cost_per_lead: string | null;
  cost_currency: string | null;
  file_name: string;
  created_at: Date;
  status: string;
  failure_code: string | null;
  failure_message: string | null;
  /** high, normal or low (jobs.priority, migration 010). */
  priority?: string;
  /** When a person cancelled the job (jobs.cancelled_at, migration 009). */
  cancelled_at: Date | null;
  /** The gateway, while the upload arrives (jobs.bytes). */
  bytes_received: string | number;
  /** The upload's files (jobs.files, file_rows: the gateway's, and ingest's rows of each). */
  files?: { name: string; bytes: number }[] | null;
  file_rows?: (number | null)[] | null;
  /** ingest (jobs.rows_read, rows_total). */
  rows_read: number;
  rows_total: number | null;
  /** mapping (job_mappings). */
  rows_mapped: number | null;
  rows_invalid: number | null;
  mapped_total: number | null;
  /** persistence (job_progress): null where nothing was stored yet. */
  total_rows: number | null;
  stored: number | null;
  accepted: number | null;
  invalid: number | null;
  duplicate: number | null;
  suppressed: number | null;
  /** Rows stored over the rate window, and its length in seconds, by the database's clock. */
  window_rows: number | null;
  window_seconds: number | null;
  /** delivery (delivery_progress). */
  delivered: number | null;
  delivery_failed: number | null;
  /** Leads (per destination) still in delivery's outbox. */
  delivery_pending: number | null;
  /** The database's time of the read, for the estimated end. */
  read_at: Date;
  tenant_id: string;
  /**
   * When the job ended: cancelled_at for a cancelled job, else when persistence ended it (completed,
   * or failed in a stage); null before, and for a job that failed at its upload.
   */
  ended_at: Date | null;
  /** The stale lists a held row of the job waits for (dnc_held_rows.lists); null when none is held. */
  waiting_for_dnc_list?: string | null;
}

/** The filters of a list; all optional. */
export interface JobFilter {
  statuses?: readonly string[];
  supplier?: string;
  /** Searched, as typed, in the job id, file name and supplier. */
  q?: string;
  createdFrom?: Date;
  createdTo?: Date;
  /** The id of the last job of the page before. */
  after?: string;
}

/**
 * Tables other services own, the columns read from each, and their types: a table its owner has
 * not created yet (a gateway started before it, on a new database) holds nothing about any job,
 * so it is read as an empty one of the same columns.
 */
const OWNED_ELSEWHERE = {
  job_mappings: {
    alias: 'm',
    columns: { status: 'text', rows_mapped: 'int', rows_invalid: 'int', total_rows: 'int' },
  },
  job_progress: {
    alias: 'p',
    columns: {
      total_rows: 'int', stored: 'int', accepted: 'int', invalid: 'int', duplicate: 'int', suppressed: 'int', failure_code: 'text',
      failure_message: 'text', completed_at: 'timestamptz', updated_at: 'timestamptz', rate_from_at: 'timestamptz', rate_from_stored: 'int',
    },
  },
  delivery_progress: { alias: 'd', columns: { delivered: 'int', failed: 'int', pending: 'int' } },
  // The dnc stage's rows held for a stale list (dnc migration 004): one of them says which lists.
  dnc_held_rows: { alias: 'h', columns: { lists: 'text' } },
} as const;

type Table = keyof typeof OWNED_ELSEWHERE;

/**
 * Each job's row of the table, looked up by its primary key as the job is read: a lateral
 * subquery with LIMIT is never turned into a join of whole tables, which the planner prefers
 * when a status filter seems selective (measured: 411 ms hashing every tenant's 200,000 rows of
 * job_progress and job_mappings, against 3 index probes a job of the tenant's own).
 */
const join = (table: Table, present: boolean) => {
  const { alias, columns } = OWNED_ELSEWHERE[table];
  const names = ['job_id', ...Object.keys(columns)];
  if (present) return `LEFT JOIN LATERAL (SELECT ${names.join(', ')} FROM ${table} x WHERE x.job_id = j.id LIMIT 1) ${alias} ON true`;
  const nulls = Object.entries({ job_id: 'text', ...columns }).map(([name, type]) => `NULL::${type} AS ${name}`);
  return `LEFT JOIN (SELECT ${nulls.join(', ')}) ${alias} ON false`;
};

/**
 * A job's status (job-store.ts JobStatusName) from the facts: cancelled (whatever its stages
 * record after the mark), failed (the upload, or a stage),
 * completed (persistence stored every row), awaiting_review, waiting_for_dnc_list (rows held
 * by the dnc stage for a stale list), stalled (nothing stored for
 * longer than the stall time: $2, NULL for never), running (rows stored), else queued.
 */
const STATUS = `CASE
    WHEN j.cancelled_at IS NOT NULL THEN 'cancelled'
    WHEN j.failure_code IS NOT NULL OR p.failure_code IS NOT NULL THEN 'failed'
    WHEN p.completed_at IS NOT NULL THEN 'completed'
    WHEN j.held_at IS NOT NULL THEN 'queued'
    WHEN m.status = 'awaiting_review' THEN 'awaiting_review'
    WHEN h.job_id IS NOT NULL THEN 'waiting_for_dnc_list'
    WHEN $2::float8 IS NOT NULL AND coalesce(p.updated_at, j.created_at) < now() - $2::float8 * interval '1 millisecond' THEN 'stalled'
    WHEN p.job_id IS NOT NULL THEN 'running'
    ELSE 'queued'
  END`;

const SELECT = `
  SELECT j.id, j.supplier, j.supplier_id, j.cost_per_lead::text AS cost_per_lead, j.cost_currency, j.file_name, j.created_at, ${STATUS} AS status,
         coalesce(j.failure_code, p.failure_code) AS failure_code,
         CASE WHEN j.failure_code IS NOT NULL THEN j.failure_message ELSE p.failure_message END AS failure_message,
         j.cancelled_at, j.priority, j.bytes AS bytes_received, j.rows_read, j.rows_total, j.files, j.file_rows,
         m.rows_mapped, m.rows_invalid, m.total_rows AS mapped_total,
         p.total_rows, p.stored, p.accepted, p.invalid, p.duplicate, p.suppressed,
         p.stored - coalesce(p.rate_from_stored, 0) AS window_rows,
         extract(epoch FROM now() - coalesce(p.rate_from_at, j.created_at))::float8 AS window_seconds,
         d.delivered, d.failed AS delivery_failed, d.pending AS delivery_pending,
         now() AS read_at, j.tenant_id, coalesce(j.cancelled_at, p.completed_at) AS ended_at, h.lists AS waiting_for_dnc_list`;

/** `q` as a LIKE pattern that finds it anywhere, its own % _ and \\ taken literally. */
export const containsPattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export interface JobFacts {
  /** The tenant's jobs that pass `filter`, newest first, at most `limit`. */
  list(tenantId: string, filter: JobFilter, limit: number): Promise<JobFactsRow[]>;
  get(id: string, tenantId: string): Promise<JobFactsRow | undefined>;
  /** Every tenant's jobs created in the last `lookbackMs`, counted by status: the operators' gauge (job-metrics.ts). */
  countByStatus(lookbackMs: number): Promise<{ status: string; jobs: number }[]>;
  /** Every tenant's jobs of the last `lookbackMs` not ended, or ended in the last `recentMs`; newest first, at most `limit`. */
  recent(lookbackMs: number, recentMs: number, limit: number): Promise<JobFactsRow[]>;
  /** Every tenant's jobs of the last `lookbackMs` that ended after `from`, up to `to` (ended_at). */
  endedBetween(lookbackMs: number, from: Date, to: Date): Promise<JobFactsRow[]>;
}

/** Statuses that change no more, as SQL (read when called: job-store.ts imports this module). */
const endedSql = () => `(${ENDED_STATUSES.map((s) => `'${s}'`).join(', ')})`;

export function createJobFacts(db: SqlClient, opts: { stalledAfterMs?: number }): JobFacts {
  let allPresent = false;
  /** Which of the other services' tables exist; once all do, they always will. */
  async function present(): Promise<Record<Table, boolean>> {
    const tables = Object.keys(OWNED_ELSEWHERE) as Table[];
    if (allPresent) return Object.fromEntries(tables.map((t) => [t, true])) as Record<Table, boolean>;
    const { rows } = await db.query<{ name: Table; present: boolean }>(
      'SELECT t AS name, to_regclass(t) IS NOT NULL AS present FROM unnest($1::text[]) AS t',
      [tables],
    );
    allPresent = rows.every((r) => r.present);
    return Object.fromEntries(rows.map((r) => [r.name, r.present])) as Record<Table, boolean>;
  }

  async function read<R = JobFactsRow>(where: string[], params: unknown[], tail: string, columns = '*'): Promise<R[]> {
    const has = await present();
    const from = `FROM jobs j ${(Object.keys(OWNED_ELSEWHERE) as Table[]).map((t) => join(t, has[t])).join(' ')}`;
    const sql = `SELECT ${columns} FROM (${SELECT} ${from} WHERE ${where.join(' AND ')}) s ${tail}`;
    return (await db.query<R & object>(sql, [...params])).rows;
  }
  /** Jobs of every tenant created in the last $1 ms, read from the jobs_created index. */
  const lookback = ["j.created_at > now() - $1::float8 * interval '1 millisecond'"];

  return {
    async get(id, tenantId) {
      const [row] = await read(['j.tenant_id = $1', 'j.id = $3'], [tenantId, opts.stalledAfterMs ?? null, id], '');
      return row;
    },
    async list(tenantId, filter, limit) {
      const params: unknown[] = [tenantId, opts.stalledAfterMs ?? null];
      const where = ['j.tenant_id = $1'];
      const param = (value: unknown) => `$${params.push(value)}`;
      if (filter.supplier !== undefined) where.push(`j.supplier = ${param(filter.supplier)}`);
      if (filter.q) {
        const p = param(containsPattern(filter.q));
        where.push(`(j.id ILIKE ${p} ESCAPE '\\' OR j.file_name ILIKE ${p} ESCAPE '\\' OR j.supplier ILIKE ${p} ESCAPE '\\')`);
      }
      if (filter.createdFrom) where.push(`j.created_at >= ${param(filter.createdFrom.toISOString())}::timestamptz`);
      if (filter.createdTo) where.push(`j.created_at < ${param(filter.createdTo.toISOString())}::timestamptz`);
      if (filter.after !== undefined) {
        // Keyset: strictly after that job in the order below, whatever was created since.
        where.push(`(j.created_at, j.id) < (SELECT a.created_at, a.id FROM jobs a WHERE a.id = ${param(filter.after)} AND a.tenant_id = $1)`);
      }
      const statuses = filter.statuses?.length ? `WHERE s.status = ANY(${param(filter.statuses)}::text[])` : '';
      return read(where, params, `${statuses} ORDER BY s.created_at DESC, s.id DESC LIMIT ${param(limit)}`);
    },
    async countByStatus(lookbackMs) {
      const rows = await read<{ status: string; jobs: number }>(lookback, [lookbackMs, opts.stalledAfterMs ?? null], 'GROUP BY s.status', 's.status, count(*)::int AS jobs');
      return rows;
    },
    recent(lookbackMs, recentMs, limit) {
      return read(
        lookback,
        [lookbackMs, opts.stalledAfterMs ?? null, recentMs, limit],
        `WHERE s.status NOT IN ${endedSql()} OR coalesce(s.ended_at, s.created_at) > now() - $3::float8 * interval '1 millisecond'
         ORDER BY s.created_at DESC, s.id DESC LIMIT $4`,
      );
    },
    endedBetween(lookbackMs, from, to) {
      return read(lookback, [lookbackMs, opts.stalledAfterMs ?? null, from.toISOString(), to.toISOString()], 'WHERE s.ended_at > $3::timestamptz AND s.ended_at <= $4::timestamptz');
    },
  };
}
