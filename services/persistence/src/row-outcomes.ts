import { Disposition, type LeadRow } from '@leadflow/proto';
import type { SqlClient } from '@leadflow/stores';
import { matchedLeadOf } from './copies.js';

export type DispositionName = 'accepted' | 'invalid' | 'duplicate' | 'suppressed';

/** How one row was filed: what POST /v1/leads answers of the lead it sent. */
export interface RowOutcome {
  disposition: DispositionName;
  reasons: { code: string; field: string; detail: string }[];
  /** The lead it became: accepted rows only (a duplicate's lead is its match's). */
  leadId: string | null;
  /** The lead it duplicates (a duplicate), or may copy (an accepted possible duplicate). */
  match: { leadId: string; matchType: string; score: number } | null;
}

const NAMES: Partial<Record<Disposition, DispositionName>> = {
  [Disposition.DISPOSITION_ACCEPTED]: 'accepted',
  [Disposition.DISPOSITION_INVALID]: 'invalid',
  [Disposition.DISPOSITION_DUPLICATE]: 'duplicate',
  [Disposition.DISPOSITION_SUPPRESSED]: 'suppressed',
};

type StoredReason = { code: string; field?: string; detail?: string };
const reasonsOf = (reasons: readonly StoredReason[]) => reasons.map((r) => ({ code: r.code, field: r.field ?? '', detail: r.detail ?? '' }));

/**
 * A row as persistence passed it on (it is stored by then; a duplicate names the lead it was
 * filed under). Undefined for a row no stage marked, which persistence never stores.
 */
export function outcomeOfRow(row: LeadRow): RowOutcome | undefined {
  const disposition = NAMES[row.disposition];
  if (!disposition) return undefined;
  const matched = matchedLeadOf(row);
  const match = row.match && matched && (disposition === 'duplicate' || row.match.matchType === 'possible')
    ? { leadId: matched, matchType: row.match.matchType, score: row.match.score }
    : null;
  return { disposition, reasons: reasonsOf(row.reasons), leadId: disposition === 'accepted' ? row.leadId || null : null, match };
}

interface OutcomeRecord {
  job_id: string;
  row_number: number;
  disposition: DispositionName;
  reasons: StoredReason[];
  lead_id: string | null;
  matched_lead_id: string | null;
  /** A duplicate of a row of a job still in flight names that row: the lead it becomes. */
  matched_job_id: string | null;
  matched_row: number | null;
  match_type: string | null;
  score: number | null;
}

/**
 * How each row of each of `jobIds` (jobs of `tenantId`, single leads' jobs of a few rows) was
 * filed, for those stored so far, by `${jobId}/${rowNumber}`: one query over the four tables a
 * row can be filed in, each read by its primary key's leading column. A duplicate names the
 * lead it was merged into, a possible duplicate the lead it may copy.
 */
export async function storedOutcomes(db: SqlClient, tenantId: string, jobIds: readonly string[]): Promise<Map<string, RowOutcome>> {
  if (jobIds.length === 0) return new Map();
  const { rows } = await db.query<OutcomeRecord>(
    // A lead a re-screening suppressed since shows so, with the reasons it was suppressed for (docs/rescreen.md).
    `SELECT l.job_id, l.row_number, CASE WHEN l.suppressed_at IS NULL THEN 'accepted' ELSE 'suppressed' END AS disposition,
            CASE WHEN l.suppressed_at IS NULL THEN l.reasons ELSE l.reasons || l.suppression END AS reasons, l.id::text AS lead_id,
            p.matched_lead_id::text AS matched_lead_id, NULL::text AS matched_job_id, NULL::int AS matched_row,
            CASE WHEN p.lead_id IS NULL THEN NULL ELSE 'possible' END AS match_type, p.score
       FROM leads l LEFT JOIN possible_duplicates p ON p.lead_id = l.id
      WHERE l.job_id = ANY($1::text[]) AND l.tenant_id = $2
     UNION ALL
     SELECT d.job_id, d.row_number, 'duplicate', d.reasons, NULL, d.matched_lead_id::text, d.matched_job_id, d.matched_row, d.match_type, d.score
       FROM duplicate_leads d WHERE d.job_id = ANY($1::text[]) AND d.tenant_id = $2
     UNION ALL
     SELECT r.job_id, r.row_number, 'invalid', r.reasons, NULL, NULL, NULL, NULL, NULL, NULL
       FROM rejected_rows r WHERE r.job_id = ANY($1::text[]) AND r.tenant_id = $2
     UNION ALL
     SELECT s.job_id, s.row_number, 'suppressed', s.reasons, NULL, NULL, NULL, NULL, NULL, NULL
       FROM suppressed_leads s WHERE s.job_id = ANY($1::text[]) AND s.tenant_id = $2`,
    [jobIds, tenantId],
  );
  const out = new Map<string, RowOutcome>();
  for (const r of rows) {
    const matched = matchedLeadOf({
      match: { matchedLeadId: r.matched_lead_id ?? '', matchedJobId: r.matched_job_id ?? '', matchedRow: r.matched_row ?? 0, matchType: '', score: 0 },
    });
    out.set(`${r.job_id}/${r.row_number}`, {
      disposition: r.disposition,
      reasons: reasonsOf(r.reasons),
      leadId: r.lead_id,
      match: matched && r.match_type ? { leadId: matched, matchType: r.match_type, score: r.score ?? 0 } : null,
    });
  }
  return out;
}

