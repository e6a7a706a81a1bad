import type { DncList, SqlClient } from '@leadflow/stores';

export interface DncCheck {
  jobId: string;
  rowNumber: number;
  tenantId: string;
  phone: string;
  /** The list checked: `national`, shared by every tenant, or `internal`, the list of `tenantId` alone. */
  list: DncList;
  listed: boolean;
}

/** The audit trail of Do-Not-Call checks, one a number of a row and list; recording the same check twice keeps the first. */
export interface DncAudit {
  record(checks: readonly DncCheck[]): Promise<void>;
}

export function createSqlDncAudit(db: SqlClient): DncAudit {
  return {
    async record(checks) {
      if (checks.length === 0) return;
      await db.query(
        `INSERT INTO dnc_audit (job_id, row_number, tenant_id, phone, list, listed)
         SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::bool[])
         ON CONFLICT (job_id, row_number, list, phone) DO NOTHING`,
        [
          checks.map((c) => c.jobId),
          checks.map((c) => c.rowNumber),
          checks.map((c) => c.tenantId),
          checks.map((c) => c.phone),
          checks.map((c) => c.list),
          checks.map((c) => c.listed),
        ],
      );
    },
  };
}
