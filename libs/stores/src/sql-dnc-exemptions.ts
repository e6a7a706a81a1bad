import type { SqlClient } from './sql-client.js';

/** An existing business relationship (after a purchase, after an inquiry) or a prior express written consent. */
export type DncExemptionKind = 'ebr_purchase' | 'ebr_inquiry' | 'consent';
export const DNC_EXEMPTION_KINDS: readonly DncExemptionKind[] = ['ebr_purchase', 'ebr_inquiry', 'consent'];

/** An exemption a tenant recorded, with its evidence (docs/dnc-lists.md, "Exemptions"). */
export interface DncExemption {
  id: string;
  /** E.164, or '' when the exemption is an email's. */
  phone: string;
  /** Lowercase, or '' when the exemption is a phone's. */
  email: string;
  kind: DncExemptionKind;
  /** YYYY-MM-DD: the purchase, the inquiry, the consent. */
  date: string;
  evidenceUrl: string;
  evidenceText: string;
  createdAt: string;
  /** '' while in force; the time it was revoked (DELETE) otherwise. */
  revokedAt: string;
}

export type NewDncExemption = Pick<DncExemption, 'kind' | 'date' | 'evidenceUrl' | 'evidenceText'> & { phone?: string; email?: string };

/** How long each kind exempts, in months from its date; undefined: until revoked. */
const WINDOW_MONTHS: Record<DncExemptionKind, number | undefined> = { ebr_purchase: 18, ebr_inquiry: 3, consent: undefined };

/** The last day (YYYY-MM-DD) an exemption of `kind` from `date` exempts; '' when it lasts until revoked. */
export function exemptionUntil(kind: DncExemptionKind, date: string): string {
  const months = WINDOW_MONTHS[kind];
  if (months === undefined) return '';
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  // The same day `months` later (the month's last day when it has no such day).
  const last = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + months, Math.min(d, last))).toISOString().slice(0, 10);
}

/** Whether an exemption exempts on `today` (YYYY-MM-DD): from its date to the end of its window, and not revoked. */
export function exemptionHolds(e: Pick<DncExemption, 'kind' | 'date' | 'revokedAt'>, today: string): boolean {
  if (e.revokedAt || e.date > today) return false;
  const until = exemptionUntil(e.kind, e.date);
  return until === '' || today <= until;
}

const COLUMNS = `exemption_id::text AS id, coalesce(phone, '') AS phone, coalesce(email, '') AS email, kind,
  to_char(since, 'YYYY-MM-DD') AS date, coalesce(evidence_url, '') AS "evidenceUrl", coalesce(evidence_text, '') AS "evidenceText",
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt",
  coalesce(to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '') AS "revokedAt"`;

export interface DncExemptionStore {
  add(tenantId: string, e: NewDncExemption): Promise<DncExemption>;
  /** A tenant's exemptions of a phone or an email, revoked ones too, newest first. */
  find(tenantId: string, by: { phone?: string; email?: string }): Promise<DncExemption[]>;
  /** Revokes one: kept, with its evidence, for the audit; false when the tenant has none of that id in force. */
  revoke(tenantId: string, id: string): Promise<boolean>;
  /** The exemptions in force of any of these phones or emails (the dnc stage's look-up, one query a batch). */
  inForce(tenantId: string, phones: readonly string[], emails: readonly string[]): Promise<DncExemption[]>;
}

/** The exemptions' truth, beside the lists (migration dnc-lists 004): PostgreSQL or the embedded database. */
export function createSqlDncExemptions(db: SqlClient): DncExemptionStore {
  return {
    async add(tenantId, e) {
      const { rows } = await db.query<DncExemption>(
        `INSERT INTO dnc_exemptions (tenant_id, phone, email, kind, since, evidence_url, evidence_text)
         VALUES ($1, nullif($2, ''), nullif($3, ''), $4, $5::date, nullif($6, ''), nullif($7, '')) RETURNING ${COLUMNS}`,
        [tenantId, e.phone ?? '', e.email ?? '', e.kind, e.date, e.evidenceUrl, e.evidenceText],
      );
      return rows[0]!;
    },

    async find(tenantId, by) {
      const { rows } = await db.query<DncExemption>(
        `SELECT ${COLUMNS} FROM dnc_exemptions WHERE tenant_id = $1 AND (phone = $2 OR email = $3) ORDER BY exemption_id DESC LIMIT 1000`,
        [tenantId, by.phone ?? null, by.email ?? null],
      );
      return rows;
    },

    async revoke(tenantId, id) {
      if (!/^\d{1,18}$/.test(id)) return false;
      const { rowCount } = await db.query(`UPDATE dnc_exemptions SET revoked_at = now() WHERE tenant_id = $1 AND exemption_id = $2 AND revoked_at IS NULL`, [tenantId, id]);
      return rowCount > 0;
    },

    async inForce(tenantId, phones, emails) {
      if (phones.length === 0 && emails.length === 0) return [];
      const { rows } = await db.query<DncExemption>(
        `SELECT ${COLUMNS} FROM dnc_exemptions WHERE tenant_id = $1 AND revoked_at IS NULL AND (phone = ANY($2::text[]) OR email = ANY($3::text[]))
         ORDER BY since DESC, exemption_id DESC`,
        [tenantId, [...new Set(phones)], [...new Set(emails)]],
      );
      return rows;
    },
  };
}
