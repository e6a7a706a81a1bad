import type { SqlClient } from '@leadflow/stores';

/** A stored lead as a re-screening needs it: what the dnc stage screens, and where it came from. */
export interface StoredLead {
  id: string;
  tenantId: string;
  jobId: string;
  rowNumber: number;
  phone: string;
  email: string;
  state: string;
  consentDate: string;
  alternates: { emails: string[]; phones: string[] };
}

/** Where a walk over a tenant's leads stands: the last (job, row) read. */
export interface LeadCursor {
  jobId: string;
  rowNumber: number;
}

export interface LeadPageQuery {
  tenantId: string;
  after: LeadCursor | null;
  limit: number;
  /** Only this job's leads. */
  jobId?: string;
  /** Only leads last screened (or stored) before this time: the schedule's. */
  dueBefore?: Date;
}

/** A lead a re-screening found listed, and why (the dnc stage's reasons: code, field, detail). */
export interface LeadSuppression {
  id: string;
  reasons: { code: string; field?: string; detail?: string }[];
}

/** A lead marked suppressed by this call (not one marked before). */
export interface SuppressedLead {
  id: string;
  tenantId: string;
  jobId: string;
  rowNumber: number;
  reasons: LeadSuppression['reasons'];
  suppressedAt: string;
}

/** The stored leads a re-screening reads and marks (persistence migration 022; docs/rescreen.md). */
export interface RescreenLeadStore {
  /** The next tenant after `after` ('' for the first) that has leads; null when none is left. */
  nextTenant(after: string): Promise<string | null>;
  /** A page of the tenant's leads not suppressed yet, in (job, row) order after the cursor. */
  page(q: LeadPageQuery): Promise<StoredLead[]>;
  /** Stamps when these leads were screened. */
  screened(db: SqlClient, ids: readonly string[]): Promise<void>;
  /** Marks the leads suppressed with their reasons, unless they are already; answers those marked now. */
  suppress(db: SqlClient, tenantId: string, leads: readonly LeadSuppression[]): Promise<SuppressedLead[]>;
}

type Row = {
  id: string; tenant_id: string; job_id: string; row_number: number; phone: string | null; email: string | null; state: string | null;
  consent_date: string | null; alternates: { emails?: string[]; phones?: string[] } | null;
};

export function createSqlRescreenLeadStore(db: SqlClient): RescreenLeadStore {
  return {
    async nextTenant(after) {
      const { rows } = await db.query<{ t: string | null }>('SELECT min(tenant_id) AS t FROM leads WHERE tenant_id > $1', [after]);
      return rows[0]?.t ?? null;
    },

    async page(q) {
      const where = ['tenant_id = $1', 'suppressed_at IS NULL'];
      const values: unknown[] = [q.tenantId];
      const add = (clause: (n: string) => string, value: unknown) => {
        values.push(value);
        where.push(clause(`$${values.length}`));
      };
      if (q.after) {
        values.push(q.after.jobId, q.after.rowNumber);
        where.push(`(job_id, row_number) > ($${values.length - 1}, $${values.length})`);
      }
      if (q.jobId) add((n) => `job_id = ${n}`, q.jobId);
      if (q.dueBefore) add((n) => `coalesce(screened_at, created_at) < ${n}`, q.dueBefore);
      values.push(q.limit);
      const { rows } = await db.query<Row>(
        `SELECT id, tenant_id, job_id, row_number, phone, email, state, consent_date, alternates FROM leads
          WHERE ${where.join(' AND ')} ORDER BY job_id, row_number LIMIT $${values.length}`,
        values,
      );
      return rows.map((r) => ({
        id: r.id, tenantId: r.tenant_id, jobId: r.job_id, rowNumber: r.row_number, phone: r.phone ?? '', email: r.email ?? '', state: r.state ?? '',
        consentDate: r.consent_date ?? '', alternates: { emails: r.alternates?.emails ?? [], phones: r.alternates?.phones ?? [] },
      }));
    },

    async screened(tx, ids) {
      if (ids.length === 0) return;
      await tx.query('UPDATE leads SET screened_at = now() WHERE id = ANY($1::uuid[])', [ids]);
    },

    async suppress(tx, tenantId, leads) {
      if (leads.length === 0) return [];
      const { rows } = await tx.query<{ id: string; job_id: string; row_number: number; suppression: LeadSuppression['reasons']; suppressed_at: Date }>(
        `UPDATE leads l SET suppressed_at = now(), suppression = s.reasons
           FROM jsonb_to_recordset($2::jsonb) AS s(id uuid, reasons jsonb)
          WHERE l.id = s.id AND l.tenant_id = $1 AND l.suppressed_at IS NULL
         RETURNING l.id, l.job_id, l.row_number, l.suppression, l.suppressed_at`,
        [tenantId, JSON.stringify(leads)],
      );
      return rows.map((r) => ({
        id: r.id, tenantId, jobId: r.job_id, rowNumber: r.row_number, reasons: r.suppression, suppressedAt: new Date(r.suppressed_at).toISOString(),
      }));
    },
  };
}
