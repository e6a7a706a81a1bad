import { leadIdFor } from '@leadflow/pipeline';
import type { LeadRow, Match } from '@leadflow/proto';
import type { SqlClient } from '@leadflow/stores';
import { mergeIntoLeads, type Alternates, type LeadFields } from './merge.js';

// Copies of copies. Two dedup replicas can race: replica A finds its row a copy of lead X while
// replica B, at the same moment, finds its own row a copy of A's row, before A has marked that
// row a duplicate in the blocking index. B's row is rightly a DUPLICATE, but it names a row that
// never became a lead. Persistence is where both rows end up, in whichever order: the first
// function below files a row under the lead when the row it names is already stored as a
// duplicate, the second re-files the rows stored earlier when the row they named arrives as one.

/** The id of the lead a row's match names: a stored lead by id, or a row of the same job (whose lead id is derived); '' for none. */
export const matchedLeadOf = (row: { match?: Match | undefined }) =>
  row.match?.matchedLeadId || (row.match?.matchedRow ? leadIdFor(row.match.matchedJobId, row.match.matchedRow) : '');

/** A stored duplicate: the row it was, and what it names. */
interface StoredCopy {
  lead_id: string;
  job_id: string;
  matched_job_id: string;
  matched_row: number | null;
  matched_lead_id: string | null;
}

/** What a copy of `copy` should name instead of it: the lead `copy` names, by row when that is in the job `inJob`, else by id. */
function leadNamedBy(copy: StoredCopy, inJob: string): Pick<Match, 'matchedJobId' | 'matchedRow' | 'matchedLeadId'> & { leadId: string } {
  const leadId = copy.matched_lead_id ?? leadIdFor(copy.matched_job_id, copy.matched_row ?? 0);
  const byRow = copy.matched_job_id === inJob && copy.matched_row !== null && copy.matched_lead_id === null;
  return { matchedJobId: copy.matched_job_id, matchedRow: byRow ? copy.matched_row! : 0, matchedLeadId: byRow ? '' : leadId, leadId };
}

const because = (copy: StoredCopy, leadId: string, when = 'at the same time') => `; that row of job ${copy.job_id} was found a duplicate of lead ${leadId} ${when}`;

/** The reasons with the match's explanation (a DUP_ or POSSIBLE_DUPLICATE reason) extended by `more`. */
function explained<R extends { code: string; detail: string }>(reasons: readonly R[], more: string): R[] {
  const at = reasons.findLastIndex((r) => r.code.startsWith('DUP_') || r.code === 'POSSIBLE_DUPLICATE');
  return reasons.map((r, i) => (i === at ? { ...r, detail: r.detail + more } : r));
}

const MAX_HOPS = 3;

/**
 * Rows of a batch (duplicates, and leads flagged as possible duplicates) whose match names a row
 * stored as a duplicate are made to name that duplicate's lead, and say so in their reason.
 */
export async function fileUnderLeads(tx: SqlClient, job: { jobId: string; tenantId: string }, rows: readonly LeadRow[]): Promise<void> {
  // A copy of a copy of a copy: each hop is a race lost; a few are the most there can be.
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const naming = rows.filter((r) => r.match?.matchedLeadId);
    if (naming.length === 0) return;
    const { rows: copies } = await tx.query<StoredCopy>(
      `SELECT lead_id, job_id, matched_job_id, matched_row, matched_lead_id
         FROM duplicate_leads WHERE tenant_id = $1 AND lead_id = ANY($2::uuid[])`,
      [job.tenantId, [...new Set(naming.map((r) => r.match!.matchedLeadId))]],
    );
    if (copies.length === 0) return;
    const byLead = new Map(copies.map((c) => [c.lead_id, c]));
    for (const row of naming) {
      const copy = byLead.get(row.match!.matchedLeadId);
      if (!copy) continue;
      const { leadId, ...lead } = leadNamedBy(copy, job.jobId);
      row.match = { ...row.match!, ...lead };
      row.reasons = explained(row.reasons, because(copy, leadId));
    }
  }
}

/**
 * Duplicates (and open possible duplicates) stored earlier that name one of `stored`, rows just
 * stored as duplicates, are made to name those rows' leads, and are merged into them. `when` says
 * in their reason when those rows were found duplicates: a lead a person decided was a
 * duplicate takes its copies along too. Each merge records the stored row that caused it
 * (`lead_merges.via_*`); the re-filed rows are answered.
 */
export async function refileEarlierCopies(
  tx: SqlClient,
  tenantId: string,
  stored: readonly { jobId: string; rowNumber: number; leadId: string; match: Pick<Match, 'matchedJobId' | 'matchedRow' | 'matchedLeadId'> }[],
  when?: string,
): Promise<{ jobId: string; rowNumber: number }[]> {
  if (stored.length === 0) return [];
  const rowOf = new Map(stored.map((s) => [s.leadId, { jobId: s.jobId, rowNumber: s.rowNumber }]));
  const byLead = new Map(
    stored.map((s): [string, StoredCopy] => [
      s.leadId,
      { lead_id: s.leadId, job_id: s.jobId, matched_job_id: s.match.matchedJobId, matched_row: s.match.matchedRow || null, matched_lead_id: s.match.matchedLeadId || null },
    ]),
  );
  const { rows: earlier } = await tx.query<{
    job_id: string; row_number: number; matched_lead_id: string; email_key: string | null; lead: LeadFields & { alternates?: Alternates };
    reasons: { code: string; detail: string }[];
  }>(
    `SELECT job_id, row_number, matched_lead_id, email_key, lead, reasons FROM duplicate_leads
      WHERE tenant_id = $1 AND matched_lead_id = ANY($2::uuid[]) ORDER BY created_at, job_id, row_number FOR UPDATE`,
    [tenantId, [...byLead.keys()]],
  );
  if (earlier.length > 0) {
    const refiled = earlier.map((e) => {
      const copy = byLead.get(e.matched_lead_id)!;
      const { leadId, ...lead } = leadNamedBy(copy, e.job_id);
      return { e, leadId, lead, reasons: explained(e.reasons, because(copy, leadId, when)) };
    });
    await tx.query(
      `UPDATE duplicate_leads d SET matched_job_id = v.matched_job_id, matched_row = v.matched_row, matched_lead_id = v.matched_lead_id, reasons = v.reasons
         FROM jsonb_to_recordset($2::jsonb) AS v(job_id text, row_number int, matched_job_id text, matched_row int, matched_lead_id uuid, reasons jsonb)
        WHERE d.tenant_id = $1 AND d.job_id = v.job_id AND d.row_number = v.row_number`,
      [
        tenantId,
        JSON.stringify(
          refiled.map(({ e, lead, reasons }) => ({
            job_id: e.job_id, row_number: e.row_number, matched_job_id: lead.matchedJobId, matched_row: lead.matchedRow || null,
            matched_lead_id: lead.matchedLeadId || null, reasons,
          })),
        ),
      ],
    );
    await mergeIntoLeads(
      tx,
      tenantId,
      refiled.map(({ e, leadId }) => ({
        jobId: e.job_id, rowNumber: e.row_number, leadId, fields: { ...e.lead, email_key: e.email_key || e.lead.email || '' }, alternates: e.lead.alternates,
        via: rowOf.get(e.matched_lead_id),
      })),
    );
  }
  // Leads flagged as possible copies of one of these rows: the person reviewing them sees the lead.
  await tx.query(
    `UPDATE possible_duplicates p SET matched_lead_id = v.lead, detail = p.detail || v.more
       FROM jsonb_to_recordset($2::jsonb) AS v(lead_id uuid, lead uuid, more text)
      WHERE p.tenant_id = $1 AND p.status = 'open' AND p.matched_lead_id = v.lead_id`,
    [
      tenantId,
      JSON.stringify([...byLead.values()].map((c) => {
        const { leadId } = leadNamedBy(c, '');
        return { lead_id: c.lead_id, lead: leadId, more: because(c, leadId, when) };
      })),
    ],
  );
  return earlier.map((e) => ({ jobId: e.job_id, rowNumber: e.row_number }));
}
