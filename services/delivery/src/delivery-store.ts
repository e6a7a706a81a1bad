import type { SqlClient } from '@leadflow/stores';

export interface DeliveryRecord {
  jobId: string;
  rowNumber: number;
  leadId: string;
  url: string;
  status: 'delivered' | 'failed';
  attempts: number;
  httpStatus?: number;
  error?: string;
}

/** The deliveries table: what each lead's delivery to each endpoint came to. */
export interface DeliveryStore {
  /** Row numbers of the job already delivered to `url`. */
  deliveredRows(jobId: string, url: string, rowNumbers: readonly number[]): Promise<Set<number>>;
  record(records: readonly DeliveryRecord[]): Promise<void>;
  /** How many of a job's leads were delivered and how many failed, with the latest failure's reason. */
  jobOutcome(jobId: string): Promise<DeliveryOutcome>;
}

export interface DeliveryOutcome {
  delivered: number;
  failed: number;
  /** "HTTP 500 after 5 attempts", or "... (not sent)" when no request was made; absent when nothing failed. */
  error?: string;
}

export function createSqlDeliveryStore(db: SqlClient): DeliveryStore {
  return {
    async deliveredRows(jobId, url, rowNumbers) {
      const { rows } = await db.query<{ row_number: number }>(
        `SELECT row_number FROM deliveries
          WHERE job_id = $1 AND endpoint_url = $2 AND status = 'delivered' AND row_number = ANY($3::int[])`,
        [jobId, url, rowNumbers],
      );
      return new Set(rows.map((r) => r.row_number));
    },
    async jobOutcome(jobId) {
      const { rows } = await db.query<{ delivered: number; failed: number; error: string | null }>(
        `SELECT count(*) FILTER (WHERE status = 'delivered')::int AS delivered, count(*) FILTER (WHERE status = 'failed')::int AS failed,
                (SELECT error || CASE attempts WHEN 0 THEN ' (not sent)' WHEN 1 THEN ' after 1 attempt' ELSE ' after ' || attempts || ' attempts' END FROM deliveries
                  WHERE job_id = $1 AND status = 'failed' ORDER BY updated_at DESC LIMIT 1) AS error
           FROM deliveries WHERE job_id = $1`,
        [jobId],
      );
      const { delivered, failed, error } = rows[0]!;
      return { delivered, failed, ...(error ? { error } : {}) };
    },
    async record(records) {
      if (records.length === 0) return;
      // The job's counters move with the rows, in the same statement: a row newly delivered
      // counts once (a delivered row is never changed again), a failure once when first
      // recorded, and a failure delivered on a later try moves from failed to delivered.
      // xmax = 0 tells a row inserted from one updated.
      await db.query(
        `WITH changed AS (
           INSERT INTO deliveries (job_id, row_number, endpoint_url, lead_id, status, attempts, http_status, error)
           SELECT r.job_id, r.row_number, r.url, r.lead_id, r.status, r.attempts, r.http_status, r.error
             FROM jsonb_to_recordset($1::jsonb) AS r(job_id text, row_number int, url text, lead_id uuid, status text,
                  attempts int, http_status int, error text)
           ON CONFLICT (job_id, row_number, endpoint_url) DO UPDATE SET
             status = excluded.status, attempts = deliveries.attempts + excluded.attempts,
             http_status = excluded.http_status, error = excluded.error, updated_at = now()
           WHERE deliveries.status <> 'delivered'
           RETURNING job_id, status, xmax = 0 AS inserted
         )
         INSERT INTO delivery_progress AS d (job_id, delivered, failed)
         SELECT job_id, count(*) FILTER (WHERE status = 'delivered'),
                count(*) FILTER (WHERE status = 'failed' AND inserted) - count(*) FILTER (WHERE status = 'delivered' AND NOT inserted)
           FROM changed GROUP BY job_id
         ON CONFLICT (job_id) DO UPDATE SET
           delivered = d.delivered + excluded.delivered, failed = d.failed + excluded.failed, updated_at = now()`,
        [
          JSON.stringify(
            records.map((r) => ({
              job_id: r.jobId, row_number: r.rowNumber, url: r.url, lead_id: r.leadId, status: r.status,
              attempts: r.attempts, http_status: r.httpStatus ?? null, error: r.error ?? null,
            })),
          ),
        ],
      );
    },
  };
}
