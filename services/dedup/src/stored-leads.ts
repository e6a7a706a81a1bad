import type { Lead } from '@leadflow/proto';
import type { SqlClient } from '@leadflow/stores';

export interface StoredLeadMatch {
  leadId: string;
  jobId: string;
  rowNumber: number;
  /** The canonical email key (see normalizeEmail's key). */
  emailKey: string;
  phone: string;
}

/** The fields of a stored lead the matcher compares. */
export type MatchFields = Pick<
  Lead,
  'firstName' | 'lastName' | 'fullName' | 'email' | 'emailKey' | 'phone' | 'company' | 'street' | 'addressLine2' | 'city' | 'state' | 'postalCode'
>;

export interface StoredLead {
  cursor: ScanCursor;
  leadId: string;
  jobId: string;
  rowNumber: number;
  /** When it was stored, ms since the epoch. */
  time: number;
  lead: MatchFields;
}

/** Where a scan of stored leads goes on from: the last lead of the page before. */
export interface ScanCursor {
  /** Its created_at as PostgreSQL wrote it (microseconds kept, so the page boundary is exact). */
  at: string;
  leadId: string;
}

/** Read access to the stored leads (PostgreSQL is the truth, whatever Redis remembers). */
export interface StoredLeads {
  /** Stored leads of the tenant, stored since `since` (ms), whose email key or phone is one of those given. */
  findByContact(tenantId: string, emailKeys: readonly string[], phones: readonly string[], since?: number): Promise<StoredLeadMatch[]>;
  /** The tenant's leads in the order they were stored, a page at a time (to rebuild the index). */
  scan(tenantId: string, after: ScanCursor | undefined, limit: number): Promise<StoredLead[]>;
}

interface LeadRow {
  id: string;
  job_id: string;
  row_number: number;
  created_at: Date | string;
  created_text: string;
  first_name: string | null;
  last_name: string | null;
  full_name: string | null;
  email: string | null;
  email_key: string | null;
  phone: string | null;
  company: string | null;
  street: string | null;
  address_line2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
}

export function createSqlStoredLeads(db: SqlClient): StoredLeads {
  return {
    async findByContact(tenantId, emailKeys, phones, since = 0) {
      if (emailKeys.length === 0 && phones.length === 0) return [];
      const { rows } = await db.query<{ id: string; job_id: string; row_number: number; email_key: string | null; phone: string | null }>(
        `SELECT id, job_id, row_number, email_key, phone FROM leads
          WHERE tenant_id = $1 AND (email_key = ANY($2::text[]) OR phone = ANY($3::text[])) AND created_at >= to_timestamp($4 / 1000.0)
          ORDER BY created_at, job_id, row_number`,
        [tenantId, emailKeys, phones, since],
      );
      return rows.map((r) => ({ leadId: r.id, jobId: r.job_id, rowNumber: r.row_number, emailKey: r.email_key ?? '', phone: r.phone ?? '' }));
    },
    async scan(tenantId, after, limit) {
      const { rows } = await db.query<LeadRow>(
        `SELECT id, job_id, row_number, created_at, created_at::text AS created_text, first_name, last_name, full_name, email, email_key, phone, company,
                street, address_line2, city, state, postal_code
           FROM leads
          WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
          ORDER BY created_at, id
          LIMIT $4`,
        [tenantId, after?.at ?? null, after?.leadId ?? null, limit],
      );
      return rows.map((r) => ({
        cursor: { at: r.created_text, leadId: r.id },
        leadId: r.id,
        jobId: r.job_id,
        rowNumber: r.row_number,
        time: new Date(r.created_at).getTime(),
        lead: {
          firstName: r.first_name ?? '', lastName: r.last_name ?? '', fullName: r.full_name ?? '', email: r.email ?? '',
          emailKey: r.email_key ?? '', phone: r.phone ?? '', company: r.company ?? '', street: r.street ?? '',
          addressLine2: r.address_line2 ?? '', city: r.city ?? '', state: r.state ?? '', postalCode: r.postal_code ?? '',
        },
      }));
    },
  };
}
