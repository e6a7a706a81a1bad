import type { SqlClient } from '@leadflow/stores';

export interface StoredLeadMatch {
  leadId: string;
  jobId: string;
  rowNumber: number;
  /** The canonical email key (see normalizeEmail's key). */
  emailKey: string;
  phone: string;
}

/** Read access to the stored leads (PostgreSQL is the truth, whatever Redis remembers). */
export interface StoredLeads {
  /** Stored leads of the tenant whose email key or phone is one of those given. */
  findByContact(tenantId: string, emailKeys: readonly string[], phones: readonly string[]): Promise<StoredLeadMatch[]>;
}

export function createSqlStoredLeads(db: SqlClient): StoredLeads {
  return {
    async findByContact(tenantId, emailKeys, phones) {
      if (emailKeys.length === 0 && phones.length === 0) return [];
      const { rows } = await db.query<{ id: string; job_id: string; row_number: number; email_key: string | null; phone: string | null }>(
        `SELECT id, job_id, row_number, email_key, phone FROM leads
          WHERE tenant_id = $1 AND (email_key = ANY($2::text[]) OR phone = ANY($3::text[]))
          ORDER BY created_at, job_id, row_number`,
        [tenantId, emailKeys, phones],
      );
      return rows.map((r) => ({ leadId: r.id, jobId: r.job_id, rowNumber: r.row_number, emailKey: r.email_key ?? '', phone: r.phone ?? '' }));
    },
  };
}
