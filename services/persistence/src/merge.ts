import { isUuid, LEAD_COLUMNS, type Alternates, type LeadColumn } from '@leadflow/pipeline';
import type { SqlClient } from '@leadflow/stores';
import { addAlternateKeys, removeAlternateKeys } from './alternate-keys.js';
import { keepFiled } from './filed.js';

export type { Alternates };

/** A lead's fields as stored, by column (the canonical fields and email_key). */
export type LeadFields = Partial<Record<LeadColumn | 'email_key', string | null>>;

/** Every column a merge may change: the only names ever written into its SQL. */
export const MERGE_COLUMNS = new Set<string>([
  'first_name', 'last_name', 'full_name', 'email', 'email_key', 'phone', 'phone_extension', 'phone_type', 'domain', 'industry',
  'job_title', 'company', 'street', 'address_line2', 'city', 'state', 'postal_code', 'country',
]);

export interface MergePlan {
  changes: Record<string, { before: string; after: string }>;
  alternates: Alternates;
}

/** Fields a duplicate fills when its lead has none. */
const FILL_EMPTY: readonly LeadColumn[] = [
  'first_name', 'last_name', 'full_name', 'email', 'phone', 'phone_extension', 'phone_type', 'domain', 'industry',
];
/** Fields where the most recent value wins: people change jobs and employers. */
const MOST_RECENT: readonly LeadColumn[] = ['job_title', 'company'];
/** The address moves as one block: the more complete one wins. */
const ADDRESS: readonly LeadColumn[] = ['street', 'address_line2', 'city', 'state', 'postal_code', 'country'];
const completeness = (f: LeadFields) => (['street', 'city', 'state', 'postal_code'] as const).filter((c) => f[c]).length;

const NO_ALTERNATES: Alternates = { emails: [], phones: [] };

/**
 * What merging a duplicate into its lead changes: empty fields filled, the newer job title and
 * company, the more complete address, and the duplicate's email and phone, and its own
 * alternates, kept as the lead's alternates when the lead does not have them yet.
 */
export function planMerge(lead: LeadFields, alternates: Alternates, dup: LeadFields, dupAlternates: Alternates = NO_ALTERNATES): MergePlan {
  const changes: MergePlan['changes'] = {};
  const set = (c: LeadColumn | 'email_key') => {
    const before = lead[c] ?? '';
    const after = dup[c] ?? '';
    if (after && after !== before) changes[c] = { before, after };
  };
  for (const c of FILL_EMPTY) if (!lead[c]) set(c);
  if (changes.email) changes.email_key = { before: lead.email_key ?? '', after: dup.email_key || dup.email || '' };
  for (const c of MOST_RECENT) set(c);
  if (completeness(dup) > completeness(lead)) {
    for (const c of ADDRESS) if ((dup[c] ?? '') !== (lead[c] ?? '')) changes[c] = { before: lead[c] ?? '', after: dup[c] ?? '' };
  }
  const added: Alternates = { emails: [], phones: [] };
  const keep = (kind: 'emails' | 'phones', own: string | null | undefined, values: readonly (string | null | undefined)[]) => {
    for (const v of values) {
      if (v && v !== own && !alternates[kind].includes(v) && !added[kind].includes(v)) added[kind].push(v);
    }
  };
  // The lead's email or phone after the merge: a duplicate's that fills an empty one is no alternate.
  keep('emails', changes.email?.after ?? lead.email, [dup.email, ...dupAlternates.emails]);
  keep('phones', changes.phone?.after ?? lead.phone, [dup.phone, ...dupAlternates.phones]);
  return { changes, alternates: added };
}

const isEmpty = (p: MergePlan) => Object.keys(p.changes).length === 0 && p.alternates.emails.length === 0 && p.alternates.phones.length === 0;

/** A duplicate to merge into the lead it names. */
export interface DuplicateToMerge {
  jobId: string;
  rowNumber: number;
  /** The lead: a duplicate of a row that did not become a lead has nothing to merge into. */
  leadId: string;
  fields: LeadFields;
  /** The duplicate's own alternates (its row's further email and phone columns). */
  alternates?: Alternates;
  /** The row whose storing caused this merge, when it is not the duplicate itself (an earlier copy re-filed: copies.ts). */
  via?: { jobId: string; rowNumber: number };
}

/**
 * Merges duplicates into their leads, in the order given, each lead locked; each lead takes the
 * next duplicate as the one before left it. Two statements for the whole lot: every changed lead
 * written once as its merges left it, and every merge recorded.
 */
export async function mergeIntoLeads(tx: SqlClient, tenantId: string, dups: readonly DuplicateToMerge[]): Promise<void> {
  const ids = [...new Set(dups.map((d) => d.leadId).filter(isUuid))];
  if (ids.length === 0) return;
  const { rows } = await tx.query<LeadFields & { id: string; alternates: Alternates }>(
    `SELECT id, ${LEAD_COLUMNS.map((c) => c[0]).join(', ')}, email_key, alternates FROM leads WHERE id = ANY($1::uuid[]) AND tenant_id = $2 ORDER BY id FOR UPDATE`,
    [ids, tenantId],
  );
  const leads = new Map(rows.map((l) => [l.id, { lead: l, changed: new Set<string>() }]));
  const merges: {
    lead_id: string; job_id: string; row_number: number; changes: MergePlan['changes']; alternates: Alternates; via_job_id: string | null; via_row: number | null;
  }[] = [];
  for (const dup of dups) {
    const target = leads.get(dup.leadId);
    if (!target) continue;
    const { lead, changed } = target;
    const plan = planMerge(lead, lead.alternates, dup.fields, dup.alternates);
    if (isEmpty(plan)) continue;
    // Only lead fields: the column names go into SQL.
    if (Object.keys(plan.changes).some((c) => !MERGE_COLUMNS.has(c))) throw new Error('a merge may only change lead fields');
    for (const [c, v] of Object.entries(plan.changes)) {
      (lead as Record<string, unknown>)[c] = v.after || null;
      changed.add(c);
    }
    lead.alternates = { emails: [...lead.alternates.emails, ...plan.alternates.emails], phones: [...lead.alternates.phones, ...plan.alternates.phones] };
    changed.add('alternates');
    merges.push({
      lead_id: lead.id, job_id: dup.jobId, row_number: dup.rowNumber, changes: plan.changes, alternates: plan.alternates,
      via_job_id: dup.via?.jobId ?? null, via_row: dup.via?.rowNumber ?? null,
    });
  }
  if (merges.length === 0) return;
  const columns = [...MERGE_COLUMNS];
  const touched = [...leads.values()].filter((t) => t.changed.size > 0);
  await tx.query(
    `UPDATE leads l SET ${columns.map((c) => `${c} = CASE WHEN v.changed ? '${c}' THEN v.${c} ELSE l.${c} END`).join(', ')}, alternates = v.alternates,
            ${keepFiled('l')}
       FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, changed jsonb, alternates jsonb, ${columns.map((c) => `${c} text`).join(', ')})
      WHERE l.id = v.id`,
    [
      JSON.stringify(
        touched.map(({ lead, changed }) => ({
          ...Object.fromEntries(columns.map((c) => [c, lead[c as keyof LeadFields] ?? null])),
          id: lead.id, changed: [...changed], alternates: lead.alternates,
        })),
      ),
    ],
  );
  await addAlternateKeys(tx, tenantId, merges.map((m) => ({ leadId: m.lead_id, alternates: m.alternates })));
  await tx.query(
    `INSERT INTO lead_merges (lead_id, tenant_id, job_id, row_number, changes, alternates, via_job_id, via_row)
     SELECT v.lead_id, $2, v.job_id, v.row_number, v.changes, v.alternates, v.via_job_id, v.via_row
       FROM jsonb_to_recordset($1::jsonb) AS v(lead_id uuid, job_id text, row_number int, changes jsonb, alternates jsonb, via_job_id text, via_row int)
     ON CONFLICT (job_id, row_number) DO NOTHING`,
    [JSON.stringify(merges), tenantId],
  );
}

export interface MergeRecord {
  id: string;
  leadId: string;
  jobId: string;
  rowNumber: number;
  changes: MergePlan['changes'];
  alternates: Alternates;
  mergedAt: string;
  revertedAt: string | null;
}

interface MergeRow {
  id: string;
  lead_id: string;
  job_id: string;
  row_number: number;
  changes: MergePlan['changes'];
  alternates: Alternates;
  merged_at: Date | string;
  reverted_at: Date | string | null;
}

const toRecord = (r: MergeRow): MergeRecord => ({
  id: String(r.id), leadId: r.lead_id, jobId: r.job_id, rowNumber: r.row_number, changes: r.changes, alternates: r.alternates,
  mergedAt: new Date(r.merged_at).toISOString(), revertedAt: r.reverted_at ? new Date(r.reverted_at).toISOString() : null,
});

/** The merges into a lead, oldest first. */
/** Whether the tenant has a lead with this id (a stored row that is a lead, not a duplicate). */
export async function leadExists(db: SqlClient, leadId: string, tenantId: string): Promise<boolean> {
  if (!isUuid(leadId)) return false;
  return (await db.query('SELECT 1 FROM leads WHERE id = $1 AND tenant_id = $2', [leadId, tenantId])).rows.length > 0;
}

export async function leadMerges(db: SqlClient, leadId: string, tenantId: string): Promise<MergeRecord[]> {
  if (!isUuid(leadId)) return [];
  const { rows } = await db.query<MergeRow>('SELECT * FROM lead_merges WHERE lead_id = $1 AND tenant_id = $2 ORDER BY id', [leadId, tenantId]);
  return rows.map(toRecord);
}

export type RevertResult =
  | { status: 'reverted'; merge: MergeRecord; restored: string[]; kept: string[] }
  | { status: 'not_found' }
  | { status: 'already_reverted'; merge: MergeRecord };

/**
 * Undoes a merge: each field it changed goes back to its value before, unless the field has
 * changed again since (then it is kept, and named); the alternates it added are removed.
 */
export async function revertMerge(
  db: SqlClient,
  mergeId: string,
  tenantId: string,
  /** Called in the revert's transaction (delivery writes its `lead.updated` there, to commit with it). */
  onReverted?: (tx: SqlClient, reverted: { merge: MergeRecord; restored: string[] }) => Promise<void>,
): Promise<RevertResult> {
  if (!/^\d{1,18}$/.test(mergeId)) return { status: 'not_found' };
  return db.transaction(async (tx) => {
    const [merge] = (await tx.query<MergeRow>('SELECT * FROM lead_merges WHERE id = $1 AND tenant_id = $2 FOR UPDATE', [mergeId, tenantId])).rows;
    if (!merge) return { status: 'not_found' as const };
    if (merge.reverted_at) return { status: 'already_reverted' as const, merge: toRecord(merge) };
    const columns = [...MERGE_COLUMNS].filter((c) => c in merge.changes);
    const [lead] = (
      await tx.query<Record<string, string | null> & { alternates: Alternates }>(
        `SELECT ${[...columns, 'alternates'].join(', ')} FROM leads WHERE id = $1 FOR UPDATE`,
        [merge.lead_id],
      )
    ).rows;
    const restored: string[] = [];
    const kept: string[] = [];
    const values: (string | null)[] = [];
    for (const c of columns) {
      if ((lead?.[c] ?? '') === merge.changes[c]!.after) {
        restored.push(c);
        values.push(merge.changes[c]!.before || null);
      } else kept.push(c);
    }
    if (lead) {
      const alternates: Alternates = {
        emails: lead.alternates.emails.filter((e) => !merge.alternates.emails.includes(e)),
        phones: lead.alternates.phones.filter((p) => !merge.alternates.phones.includes(p)),
      };
      const sets = restored.map((c, i) => `${c} = $${i + 3}`);
      await tx.query(`UPDATE leads SET ${[...sets, 'alternates = $2', keepFiled('leads')].join(', ')} WHERE id = $1`, [merge.lead_id, JSON.stringify(alternates), ...values]);
      await removeAlternateKeys(tx, tenantId, merge.lead_id, merge.alternates, alternates);
    }
    await tx.query('UPDATE lead_merges SET reverted_at = now() WHERE id = $1', [mergeId]);
    const [after] = (await tx.query<MergeRow>('SELECT * FROM lead_merges WHERE id = $1', [mergeId])).rows;
    if (lead && onReverted) await onReverted(tx, { merge: toRecord(after!), restored });
    return { status: 'reverted' as const, merge: toRecord(after!), restored, kept };
  });
}
