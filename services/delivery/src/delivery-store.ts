import type { SqlClient } from '@leadflow/stores';

export interface Endpoint {
  url: string;
  secret: string | null;
}

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

export interface DeliveryStore {
  endpointsOf(tenantId: string): Promise<Endpoint[]>;
  /** Row numbers of the job already delivered to `url`. */
  deliveredRows(jobId: string, url: string, rowNumbers: readonly number[]): Promise<Set<number>>;
  record(records: readonly DeliveryRecord[]): Promise<void>;
}

export function createSqlDeliveryStore(db: SqlClient): DeliveryStore {
  return {
    async endpointsOf(tenantId) {
      const { rows } = await db.query<Endpoint>(
        'SELECT url, secret FROM webhook_endpoints WHERE tenant_id = $1 AND active ORDER BY created_at',
        [tenantId],
      );
      return rows;
    },
    async deliveredRows(jobId, url, rowNumbers) {
      const { rows } = await db.query<{ row_number: number }>(
        `SELECT row_number FROM deliveries
          WHERE job_id = $1 AND endpoint_url = $2 AND status = 'delivered' AND row_number = ANY($3::int[])`,
        [jobId, url, rowNumbers],
      );
      return new Set(rows.map((r) => r.row_number));
    },
    async record(records) {
      if (records.length === 0) return;
      await db.query(
        `INSERT INTO deliveries (job_id, row_number, endpoint_url, lead_id, status, attempts, http_status, error)
         SELECT r.job_id, r.row_number, r.url, r.lead_id, r.status, r.attempts, r.http_status, r.error
           FROM jsonb_to_recordset($1::jsonb) AS r(job_id text, row_number int, url text, lead_id uuid, status text,
                attempts int, http_status int, error text)
         ON CONFLICT (job_id, row_number, endpoint_url) DO UPDATE SET
           status = excluded.status, attempts = deliveries.attempts + excluded.attempts,
           http_status = excluded.http_status, error = excluded.error, updated_at = now()
         WHERE deliveries.status <> 'delivered'`,
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
