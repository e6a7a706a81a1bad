import type { Lead } from '@leadflow/proto';
import { alternateKeys, emailKey, type Alternates } from '@leadflow/pipeline';
import type { SqlClient } from '@leadflow/stores';
import { neverStored } from './forget-rows.js';

export interface StoredLeadMatch {
  leadId: string;
  jobId: string;
  rowNumber: number;
  /** The canonical email key (see normalizeEmail's key). */
  emailKey: string;
  phone: string;
  /** The email keys and phones of its alternates (its row's further columns, and merged duplicates'). */
  alternateEmailKeys: string[];
  alternatePhones: string[];
  /** Who delivered it (the job's supplier, '' for none) and when it was stored, ms since the epoch: for exclusivity. */
  supplier: string;
  time: number;
}

/** Who delivered a stored lead and when (ms since the epoch). */
export interface Delivery {
  leadId: string;
  supplier: string;
  time: number;
}

/** The fields of a stored lead the matcher compares (its alternate emails and phones where it has any). */
export type MatchFields = Pick<
  Lead,
  'firstName' | 'lastName' | 'fullName' | 'email' | 'emailKey' | 'phone' | 'company' | 'street' | 'addressLine2' | 'city' | 'state' | 'postalCode'
> &
  Partial<Pick<Lead, 'alternateEmails' | 'alternatePhones'>>;

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

/** A stored row found a fuzzy or composite-key duplicate, with the lead it copies. */
export interface StoredDuplicate {
  cursor: DuplicateCursor;
  jobId: string;
  rowNumber: number;
  time: number;
  lead: MatchFields;
  /** The lead, and when it was stored (ms since the epoch). */
  duplicateOf: { leadId: string; jobId: string; rowNumber: number; time: number };
}

export interface DuplicateCursor {
  at: string;
  jobId: string;
  rowNumber: number;
}

/** Read access to the stored leads (PostgreSQL is the truth, whatever Redis remembers). */
export interface StoredLeads {
  /** Stored leads of the tenant, stored since `since` (ms), whose email key or phone, or an alternate's, is one of those given. */
  findByContact(tenantId: string, emailKeys: readonly string[], phones: readonly string[], since?: number): Promise<StoredLeadMatch[]>;
  /** The tenant's leads in the order they were stored, a page at a time (to rebuild the index). */
  scan(tenantId: string, after: ScanCursor | undefined, limit: number): Promise<StoredLead[]>;
  /**
   * The tenant's fuzzy, composite-key and reviewed duplicates whose lead is still stored, in
   * the order they were stored, a page at a time (to rebuild the index).
   */
  scanDuplicates(tenantId: string, after: DuplicateCursor | undefined, limit: number): Promise<StoredDuplicate[]>;
  /** Of these stored leads of the tenant, who delivered each and when (leads not stored are left out). */
  deliveries(tenantId: string, leadIds: readonly string[]): Promise<Delivery[]>;
  /** Of these rows of one job, the row numbers filed as a lead nowhere (leads, duplicates, suppressed). */
  neverStored(jobId: string, rowNumbers: readonly number[]): Promise<Set<number>>;
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
  alternates: Alternates | null;
}

interface DuplicateRow {
  job_id: string;
  row_number: number;
  created_at: Date | string;
  created_text: string;
  lead: Record<string, string> | string;
  lead_id: string;
  lead_job_id: string;
  lead_row_number: number;
  lead_created_at: Date | string;
}

/** The fields the matcher compares, from a lead's columns as stored (a leads row, or duplicate_leads.lead). */
export function matchFieldsOf(columns: object): MatchFields {
  const c = columns as Record<string, unknown>;
  const text = (column: string) => (typeof c[column] === 'string' ? (c[column] as string) : '');
  const fields: MatchFields = {
    firstName: text('first_name'), lastName: text('last_name'), fullName: text('full_name'), email: text('email'), emailKey: text('email_key'),
    phone: text('phone'), company: text('company'), street: text('street'), addressLine2: text('address_line2'), city: text('city'),
    state: text('state'), postalCode: text('postal_code'),
  };
  // leads.alternates, or a stored row's `alternates` (leadRecord): { emails, phones }.
  const alternates = c.alternates as Partial<Alternates> | undefined;
  if (alternates?.emails?.length) fields.alternateEmails = alternates.emails.map((value) => ({ value, header: '' }));
  if (alternates?.phones?.length) fields.alternatePhones = alternates.phones.map((value) => ({ value, header: '' }));
  return fields;
}

export function createSqlStoredLeads(db: SqlClient): StoredLeads {
  return {
    async neverStored(jobId, rowNumbers) {
      const { rows } = await db.query<{ row_number: number }>(
        `SELECT u.row_number FROM unnest($2::int[]) AS u(row_number) WHERE ${neverStored('$1::text', 'u.row_number')}`,
        [jobId, rowNumbers],
      );
      return new Set(rows.map((r) => r.row_number));
    },
    async findByContact(tenantId, emailKeys, phones, since = 0) {
      if (emailKeys.length === 0 && phones.length === 0) return [];
      // Leads with one of the keys as an alternate (lead_alternate_keys), then those leads and the
      // leads with one as their own email key or phone. Each lookup goes through its own B-tree
      // index; asked in one condition (an OR or a join), the planner reads every lead instead. The
      // alternates are an array computed first (an init plan), so the ids are looked up by index,
      // in the same statement (one round trip: a single lead is a batch of its own in `serve`).
      const { rows } = await db.query<{
        id: string; job_id: string; row_number: number; email_key: string | null; phone: string | null; alternates: Partial<Alternates> | null;
        supplier: string | null; created_at: Date | string;
      }>(
        `SELECT id, job_id, row_number, email_key, phone, alternates, supplier, created_at FROM leads
          WHERE tenant_id = $1 AND (email_key = ANY($2::text[]) OR phone = ANY($3::text[])) AND created_at >= to_timestamp($5 / 1000.0)
         UNION ALL
         SELECT id, job_id, row_number, email_key, phone, alternates, supplier, created_at FROM leads
          WHERE id = ANY(ARRAY(SELECT lead_id FROM lead_alternate_keys WHERE tenant_id = $1 AND key = ANY($4::text[])))
            AND tenant_id = $1 AND created_at >= to_timestamp($5 / 1000.0)
          ORDER BY created_at, job_id, row_number`,
        [tenantId, emailKeys, phones, alternateKeys({ emails: emailKeys, phones }), since],
      );
      // A lead found both ways comes twice: once each, in the order stored.
      const byId = new Map(rows.map((r) => [r.id, r]));
      return [...byId.values()].map((r) => ({
        leadId: r.id, jobId: r.job_id, rowNumber: r.row_number, emailKey: r.email_key ?? '', phone: r.phone ?? '',
        alternateEmailKeys: (r.alternates?.emails ?? []).map(emailKey), alternatePhones: r.alternates?.phones ?? [],
        supplier: r.supplier ?? '', time: new Date(r.created_at).getTime(),
      }));
    },
    async deliveries(tenantId, leadIds) {
      if (leadIds.length === 0) return [];
      const { rows } = await db.query<{ id: string; supplier: string | null; created_at: Date | string }>(
        'SELECT id, supplier, created_at FROM leads WHERE id = ANY($2::uuid[]) AND tenant_id = $1',
        [tenantId, leadIds],
      );
      return rows.map((r) => ({ leadId: r.id, supplier: r.supplier ?? '', time: new Date(r.created_at).getTime() }));
    },
    async scan(tenantId, after, limit) {
      const { rows } = await db.query<LeadRow>(
        `SELECT id, job_id, row_number, created_at, created_at::text AS created_text, first_name, last_name, full_name, email, email_key, phone, company,
                street, address_line2, city, state, postal_code, alternates
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
        lead: matchFieldsOf(r),
      }));
    },
    async scanDuplicates(tenantId, after, limit) {
      // The lead by its id (a lead of an earlier job) or by its row (a row of the same job).
      const { rows } = await db.query<DuplicateRow>(
        `SELECT d.job_id, d.row_number, d.created_at, d.created_at::text AS created_text, d.lead,
                l.id AS lead_id, l.job_id AS lead_job_id, l.row_number AS lead_row_number, l.created_at AS lead_created_at
           FROM duplicate_leads d
           JOIN leads l ON l.tenant_id = d.tenant_id
                       AND (l.id = d.matched_lead_id OR (d.matched_lead_id IS NULL AND l.job_id = d.matched_job_id AND l.row_number = d.matched_row))
          WHERE d.tenant_id = $1 AND d.match_type IN ('fuzzy', 'exact_key', 'reviewed')
            AND ($2::timestamptz IS NULL OR (d.created_at, d.job_id, d.row_number) > ($2::timestamptz, $3::text, $4::int))
          ORDER BY d.created_at, d.job_id, d.row_number
          LIMIT $5`,
        [tenantId, after?.at ?? null, after?.jobId ?? null, after?.rowNumber ?? null, limit],
      );
      return rows.map((r) => {
        const l = typeof r.lead === 'string' ? (JSON.parse(r.lead) as Record<string, string>) : r.lead;
        return {
          cursor: { at: r.created_text, jobId: r.job_id, rowNumber: r.row_number },
          jobId: r.job_id,
          rowNumber: r.row_number,
          time: new Date(r.created_at).getTime(),
          lead: matchFieldsOf(l),
          duplicateOf: { leadId: r.lead_id, jobId: r.lead_job_id, rowNumber: r.lead_row_number, time: new Date(r.lead_created_at).getTime() },
        };
      });
    },
  };
}
