import type { SqlClient } from '@leadflow/stores';
import { foldHeader } from './header-names.js';
import type { ColumnDecision, MappedField } from './map-columns.js';

/** Where mappings are kept: each job's, and each supplier's confirmed ones. */
export interface MappingStore {
  jobMapping(jobId: string): Promise<ColumnDecision[] | undefined>;
  /** Keeps the first mapping saved for a job; returns the one kept. */
  saveJobMapping(job: { jobId: string; tenantId: string; supplier: string }, columns: ColumnDecision[]): Promise<ColumnDecision[]>;
  /** The supplier's confirmed mappings by folded header. */
  confirmed(tenantId: string, supplier: string): Promise<Map<string, MappedField>>;
  confirm(tenantId: string, supplier: string, mappings: { header: string; field: MappedField }[]): Promise<void>;
}

export function createSqlMappingStore(db: SqlClient): MappingStore {
  return {
    async jobMapping(jobId) {
      const { rows } = await db.query<{ columns: ColumnDecision[] }>('SELECT columns FROM job_mappings WHERE job_id = $1', [jobId]);
      return rows[0]?.columns;
    },
    async saveJobMapping(job, columns) {
      await db.query(
        'INSERT INTO job_mappings (job_id, tenant_id, supplier, columns) VALUES ($1, $2, $3, $4) ON CONFLICT (job_id) DO NOTHING',
        [job.jobId, job.tenantId, job.supplier, JSON.stringify(columns)],
      );
      return (await this.jobMapping(job.jobId)) ?? columns;
    },
    async confirmed(tenantId, supplier) {
      if (!supplier) return new Map();
      const { rows } = await db.query<{ header: string; field: MappedField }>(
        'SELECT header, field FROM supplier_mappings WHERE tenant_id = $1 AND supplier = $2',
        [tenantId, supplier],
      );
      return new Map(rows.map((r) => [r.header, r.field]));
    },
    async confirm(tenantId, supplier, mappings) {
      await db.query(
        `INSERT INTO supplier_mappings (tenant_id, supplier, header, field)
         SELECT $1, $2, m.header, m.field FROM jsonb_to_recordset($3::jsonb) AS m(header text, field text)
         ON CONFLICT (tenant_id, supplier, header) DO UPDATE SET field = excluded.field, confirmed_at = now()`,
        [tenantId, supplier, JSON.stringify(mappings.map((m) => ({ header: foldHeader(m.header), field: m.field })))],
      );
    },
  };
}
