import type { SqlClient } from '@leadflow/stores';

/** A job's delivery as it stands, in leads (one per lead and destination). */
export interface DeliveryOutcome {
  delivered: number;
  failed: number;
  /** Leads still waiting in the outbox (a retry not due yet, or not sent yet). */
  pending?: number;
  /** "HTTP 500 after 5 attempts", or "... (not sent)" when no request was made; absent when nothing failed. */
  error?: string;
}

/** What the job status and `leadflow run` read of delivery. */
export interface DeliveryStore {
  jobOutcome(jobId: string): Promise<DeliveryOutcome>;
}

export function createSqlDeliveryStore(db: SqlClient): DeliveryStore {
  return {
    async jobOutcome(jobId) {
      const { rows } = await db.query<{ delivered: number | null; failed: number | null; pending: number | null; error: string | null }>(
        `SELECT d.delivered, d.failed, d.pending,
                (SELECT coalesce(last_error, 'failed') || CASE attempts WHEN 0 THEN ' (not sent)' WHEN 1 THEN ' after 1 attempt' ELSE ' after ' || attempts || ' attempts' END
                   FROM delivery_events WHERE job_id = $1 AND status = 'failed' ORDER BY updated_at DESC LIMIT 1) AS error
           FROM (SELECT $1::text AS job_id) j LEFT JOIN delivery_progress d ON d.job_id = j.job_id`,
        [jobId],
      );
      const { delivered, failed, pending, error } = rows[0]!;
      return { delivered: delivered ?? 0, failed: failed ?? 0, ...(pending ? { pending } : {}), ...(error ? { error } : {}) };
    },
  };
}
