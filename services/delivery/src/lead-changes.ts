import { LEAD_COLUMNS } from '@leadflow/pipeline';
import type { SqlClient } from '@leadflow/stores';
import { eventId } from './event-ids.js';
import { UPDATED_FIELDS, WRITE_EVENTS, type EventRow } from './outbox-writer.js';

/**
 * A change of a stored lead made outside the pipeline's batches (docs/delivery.md, "lead.updated
 * after a review decision or a reverted merge"): a person decided a possible duplicate is the
 * same person (`review`: the row was merged into the lead), or undid a merge (`revert`).
 */
export interface LeadChange {
  tenantId: string;
  /** The lead that changed (as its lead.created named it). */
  leadId: string;
  /** The row merged into it (or whose merge was undone): the event's `jobId` and `row`. */
  jobId: string;
  row: number;
  /** The merge (lead_merges.id) made or undone. */
  mergeId: string;
  cause: 'review' | 'revert';
  /** The lead's fields the change changed (column names); `alternates` when it added or removed some. */
  changed: readonly string[];
}

/**
 * Writes `lead.updated` for each change to each enabled endpoint of its tenant that takes the
 * type, with the lead as it is now (read in `db`, which is the transaction that made the change
 * when the caller has one, so the event and the change commit together). A change that changed
 * no field a receiver gets writes nothing. Event ids: a review's is the one a merge of that row
 * as it was stored would have had (a row is merged once); a revert's also names the merge, so it
 * is another event. Answers the events written.
 */
export async function writeLeadChanges(db: SqlClient, changes: readonly LeadChange[]): Promise<number> {
  const relevant = changes
    .map((c) => ({ ...c, changed: [...new Set(c.changed.filter((f) => UPDATED_FIELDS.has(f)))] }))
    .filter((c) => c.changed.length > 0);
  if (relevant.length === 0) return 0;
  const tenants = [...new Set(relevant.map((c) => c.tenantId))];
  const { rows: endpoints } = await db.query<{ id: string; tenant_id: string; url: string }>(
    `SELECT id, tenant_id, url FROM webhook_endpoints
      WHERE tenant_id = ANY($1::text[]) AND active AND deleted_at IS NULL AND 'lead.updated' = ANY(events) ORDER BY created_at, id`,
    [tenants],
  );
  if (endpoints.length === 0) return 0;
  type Lead = Record<string, unknown> & { id: string; alternates: { emails?: string[]; phones?: string[] } | null };
  const { rows: leads } = await db.query<Lead>(
    `SELECT id, alternates, ${LEAD_COLUMNS.map((c) => c[0]).join(', ')} FROM leads WHERE id = ANY($1::uuid[])`,
    [[...new Set(relevant.map((c) => c.leadId))]],
  );
  const byId = new Map(leads.map((l) => [l.id, l]));
  const events: EventRow[] = [];
  for (const c of relevant) {
    const stored = byId.get(c.leadId);
    if (!stored) continue;
    const lead: Record<string, unknown> = {};
    for (const [col] of LEAD_COLUMNS) if (typeof stored[col] === 'string' && stored[col]) lead[col] = stored[col];
    const alternates = stored.alternates;
    if (alternates && (alternates.emails?.length ?? 0) + (alternates.phones?.length ?? 0) > 0) {
      lead.alternates = { emails: alternates.emails ?? [], phones: alternates.phones ?? [] };
    }
    const payload = { id: c.leadId, jobId: c.jobId, row: c.row, changed: c.changed, cause: c.cause, mergeId: c.mergeId, ...lead };
    for (const e of endpoints) {
      if (e.tenant_id !== c.tenantId) continue;
      const type = c.cause === 'review' ? 'lead.updated' : `lead.updated/revert/${c.mergeId}`;
      events.push({
        id: eventId(e.id, type, c.jobId, c.row), tenant_id: c.tenantId, endpoint_id: e.id, url: e.url, event_type: 'lead.updated', job_id: c.jobId,
        lead_count: 0, payload,
      });
    }
  }
  if (events.length > 0) await db.query(WRITE_EVENTS, [JSON.stringify(events)]);
  return events.length;
}
