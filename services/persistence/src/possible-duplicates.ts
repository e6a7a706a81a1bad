import { isUuid, LEAD_COLUMNS, reason } from '@leadflow/pipeline';
import type { SqlClient } from '@leadflow/stores';
import { refileEarlierCopies } from './copies.js';
import { keepFiled } from './filed.js';
import { leadMerges, mergeIntoLeads, type Alternates, type LeadFields, type MergeRecord } from './merge.js';

export type PossibleDuplicateStatus = 'open' | 'duplicate' | 'distinct';
export const POSSIBLE_DUPLICATE_STATUSES: readonly PossibleDuplicateStatus[] = ['open', 'duplicate', 'distinct'];

/** A lead dedup flagged as maybe the same person as another lead, and what a person decided. */
export interface PossibleDuplicate {
  leadId: string;
  jobId: string;
  rowNumber: number;
  matchedLeadId: string;
  score: number;
  /** Dedup's explanation: the lead, the score and the fields that decided. */
  detail: string;
  status: PossibleDuplicateStatus;
  foundAt: string;
  decidedAt: string | null;
}

interface Row {
  lead_id: string;
  job_id: string;
  row_number: number;
  matched_lead_id: string;
  score: number;
  detail: string;
  status: PossibleDuplicateStatus;
  found_at: Date | string;
  decided_at: Date | string | null;
}

const toRecord = (r: Row): PossibleDuplicate => ({
  leadId: r.lead_id, jobId: r.job_id, rowNumber: r.row_number, matchedLeadId: r.matched_lead_id, score: Number(r.score), detail: r.detail,
  status: r.status, foundAt: new Date(r.found_at).toISOString(), decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
});

/**
 * A tenant's possible duplicates with one status, oldest first, at most `limit`, after the one
 * with lead id `after` (the last of the page before).
 */
export async function listPossibleDuplicates(
  db: SqlClient,
  tenantId: string,
  opts: { status: PossibleDuplicateStatus; limit: number; after?: string },
): Promise<PossibleDuplicate[]> {
  const after = opts.after && isUuid(opts.after) ? opts.after : null;
  const { rows } = await db.query<Row>(
    `SELECT * FROM possible_duplicates p
      WHERE tenant_id = $1 AND status = $2
        AND ($3::uuid IS NULL OR (found_at, lead_id) > (SELECT found_at, lead_id FROM possible_duplicates WHERE lead_id = $3::uuid))
      ORDER BY found_at, lead_id
      LIMIT $4`,
    [tenantId, opts.status, after, opts.limit],
  );
  return rows.map(toRecord);
}

/** A row a 'duplicate' decision moved out of the leads, and the lead it copies. */
export interface MovedLead {
  jobId: string;
  rowNumber: number;
  /** Its fields by column, email_key included. */
  fields: LeadFields;
  storedAt: string;
  into: { leadId: string; jobId: string; rowNumber: number; storedAt: string };
}

export type DecideResult =
  | { status: 'decided'; possibleDuplicate: PossibleDuplicate; merge: MergeRecord | null; moved?: MovedLead }
  | { status: 'not_found' }
  | { status: 'already_decided'; possibleDuplicate: PossibleDuplicate }
  /** The lead it may copy is no longer a lead (itself decided a duplicate since). */
  | { status: 'matched_lead_gone'; possibleDuplicate: PossibleDuplicate };

const COLUMNS = LEAD_COLUMNS.map(([c]) => c);

/**
 * A person's decision on a possible duplicate. 'distinct': two people; the lead stays and loses
 * its possible_duplicate tag. 'duplicate': the same person; the row leaves the leads for
 * duplicate_leads (match type "reviewed", reason DUP_REVIEWED), is merged into the lead it
 * copies as any duplicate is (reversibly), and the job's counts move from accepted to
 * duplicate. One transaction, the rows locked: deciding twice finds the first decision.
 */
export async function decidePossibleDuplicate(
  db: SqlClient,
  leadId: string,
  tenantId: string,
  decision: 'duplicate' | 'distinct',
  /**
   * Called in the decision's transaction when it merged the row into a lead and the merge changed
   * it: delivery writes its `lead.updated` there, so the event commits with the change.
   */
  onMerged?: (tx: SqlClient, merge: MergeRecord) => Promise<void>,
): Promise<DecideResult> {
  if (!isUuid(leadId)) return { status: 'not_found' };
  return db.transaction(async (tx): Promise<DecideResult> => {
    const [row] = (await tx.query<Row>('SELECT * FROM possible_duplicates WHERE lead_id = $1 AND tenant_id = $2 FOR UPDATE', [leadId, tenantId])).rows;
    if (!row) return { status: 'not_found' };
    if (row.status !== 'open') return { status: 'already_decided', possibleDuplicate: toRecord(row) };
    const decide = async () =>
      toRecord((await tx.query<Row>(`UPDATE possible_duplicates SET status = $2, decided_at = now() WHERE lead_id = $1 RETURNING *`, [leadId, decision])).rows[0]!);

    if (decision === 'distinct') {
      await tx.query(`UPDATE leads SET tags = array_remove(tags, 'possible_duplicate'), ${keepFiled('leads')} WHERE id = $1`, [leadId]);
      return { status: 'decided', possibleDuplicate: await decide(), merge: null };
    }

    type Stored = LeadFields & {
      id: string; job_id: string; row_number: number; file: string | null; email_key: string | null; extra: Record<string, string>; reasons: unknown[]; alternates: Alternates;
      created_at: Date | string;
    };
    const { rows: both } = await tx.query<Stored>(
      `SELECT id, job_id, row_number, file, ${COLUMNS.join(', ')}, email_key, extra, reasons, alternates, created_at FROM leads
        WHERE id = ANY($1::uuid[]) AND tenant_id = $2 ORDER BY id FOR UPDATE`,
      [[leadId, row.matched_lead_id], tenantId],
    );
    const dup = both.find((l) => l.id === leadId);
    const lead = both.find((l) => l.id === row.matched_lead_id);
    if (!dup) return { status: 'not_found' };
    if (!lead) return { status: 'matched_lead_gone', possibleDuplicate: toRecord(row) };

    const record: Record<string, unknown> = Object.fromEntries(COLUMNS.filter((c) => dup[c]).map((c) => [c, dup[c]]));
    if (Object.keys(dup.extra ?? {}).length > 0) record.extra = dup.extra;
    if (dup.alternates.emails.length + dup.alternates.phones.length > 0) record.alternates = dup.alternates;
    const reasons = [...(dup.reasons ?? []), reason('DUP_REVIEWED', '', `same as lead ${lead.id} (confirmed by review; dedup's score ${Number(row.score).toFixed(4)})`)];
    await tx.query(
      `INSERT INTO duplicate_leads (job_id, row_number, tenant_id, lead_id, email_key, matched_job_id, matched_row, matched_lead_id, match_type, score, lead, reasons,
                                   file)
       VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, 'reviewed', $8, $9, $10, $11)`,
      [dup.job_id, dup.row_number, tenantId, leadId, dup.email_key || null, lead.job_id, lead.id, row.score, JSON.stringify(record), JSON.stringify(reasons), dup.file],
    );
    await tx.query('DELETE FROM leads WHERE id = $1', [leadId]);
    await tx.query('UPDATE job_progress SET accepted = accepted - 1, duplicate = duplicate + 1, updated_at = now() WHERE job_id = $1', [dup.job_id]);
    const fields: LeadFields = Object.fromEntries([...COLUMNS, 'email_key'].map((c) => [c, dup[c as keyof LeadFields] ?? null]));
    await mergeIntoLeads(tx, tenantId, [
      { jobId: dup.job_id, rowNumber: dup.row_number, leadId: lead.id, fields: { ...fields, email_key: dup.email_key || dup.email || '' }, alternates: dup.alternates },
    ]);
    const merge = (await leadMerges(tx, lead.id, tenantId)).find((m) => m.jobId === dup.job_id && m.rowNumber === dup.row_number) ?? null;
    if (merge && onMerged) await onMerged(tx, merge);
    // The copies found of the row while it was a lead are copies of the lead it joined.
    const refiled = await refileEarlierCopies(
      tx, tenantId, [{ jobId: dup.job_id, rowNumber: dup.row_number, leadId, match: { matchedJobId: lead.job_id, matchedRow: 0, matchedLeadId: lead.id } }], 'by review',
    );
    // Their merges changed the lead too: each is told as the decided row's merge is.
    if (onMerged && refiled.length > 0) {
      const key = (j: string, r: number) => `${j}\u0000${r}`;
      const wanted = new Set(refiled.map((r) => key(r.jobId, r.rowNumber)));
      for (const m of await leadMerges(tx, lead.id, tenantId)) if (wanted.has(key(m.jobId, m.rowNumber))) await onMerged(tx, m);
    }
    const moved: MovedLead = {
      jobId: dup.job_id, rowNumber: dup.row_number, fields, storedAt: new Date(dup.created_at).toISOString(),
      into: { leadId: lead.id, jobId: lead.job_id, rowNumber: lead.row_number, storedAt: new Date(lead.created_at).toISOString() },
    };
    return { status: 'decided', possibleDuplicate: await decide(), merge, moved };
  });
}
