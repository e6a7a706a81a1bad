import type { SqlClient } from '@leadflow/stores';
import { eventId } from './event-ids.js';

/** A stored lead a re-screening just suppressed (docs/rescreen.md). */
export interface SuppressedLeadEvent {
  id: string;
  tenantId: string;
  jobId: string;
  rowNumber: number;
  reasons: readonly { code: string; detail?: string }[];
  suppressedAt: string;
}

/** What the outbox did for a page of suppressed leads. */
export interface SuppressedOutcome {
  /** lead.suppressed events written. */
  events: number;
  /** Events not sent since: pending ones of the leads, cancelled (batch events that kept other leads are counted in `trimmed`). */
  cancelled: number;
  /** Batch events the leads were taken out of. */
  trimmed: number;
}

const CANCELLED = 'LEAD_SUPPRESSED: a re-screening found the lead on a Do-Not-Call or suppression list';

/**
 * A page of leads a re-screening suppressed, in the outbox, in the caller's transaction: a
 * `lead.suppressed` event to each enabled endpoint of the tenant that takes it (its id drawn from
 * the endpoint, the type and the lead, so a page done twice writes nothing twice), and the leads
 * taken out of what is still to be sent or could be replayed: an event of one of them (record mode,
 * lead.updated) is marked `suppressed_at`, and ends `cancelled` if pending; a batch event loses
 * them from its `leads` (and, pending, from its count), and ends cancelled when none is left. Job
 * counts move as the events' do.
 */
export async function writeLeadSuppressed(tx: SqlClient, tenantId: string, leads: readonly SuppressedLeadEvent[]): Promise<SuppressedOutcome> {
  if (leads.length === 0) return { events: 0, cancelled: 0, trimmed: 0 };
  const ids = leads.map((l) => l.id);
  const jobs = [...new Set(leads.map((l) => l.jobId))];
  const { rows: endpoints } = await tx.query<{ id: string; url: string }>(
    `SELECT id, url FROM webhook_endpoints
      WHERE tenant_id = $1 AND active AND deleted_at IS NULL AND 'lead.suppressed' = ANY(events) ORDER BY created_at, id`,
    [tenantId],
  );
  const events = endpoints.flatMap((d) =>
    leads.map((l) => ({
      id: eventId(d.id, 'lead.suppressed', l.id, 0), tenant_id: tenantId, endpoint_id: d.id, url: d.url, event_type: 'lead.suppressed', job_id: l.jobId,
      payload: { id: l.id, jobId: l.jobId, row: l.rowNumber, reasons: l.reasons.map((r) => (r.detail ? { code: r.code, detail: r.detail } : { code: r.code })), suppressedAt: l.suppressedAt },
    })),
  );
  const written = events.length === 0 ? 0 : (await tx.query(
    `INSERT INTO delivery_events (id, tenant_id, endpoint_id, url, event_type, job_id, lead_count, payload)
     SELECT e.id, e.tenant_id, e.endpoint_id, e.url, e.event_type, e.job_id, 0, e.payload
       FROM jsonb_to_recordset($1::jsonb) AS e(id text, tenant_id text, endpoint_id uuid, url text, event_type text, job_id text, payload jsonb)
     ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify(events)],
  )).rowCount;

  const single = await tx.query<{ n: number }>(
    `WITH hit AS (
       SELECT id, status, job_id, lead_count FROM delivery_events
        WHERE tenant_id = $1 AND suppressed_at IS NULL AND payload->>'id' = ANY($2::text[])
          AND ((event_type = 'lead.created' AND job_id = ANY($3::text[])) OR event_type = 'lead.updated')
     ), marked AS (
       UPDATE delivery_events e
          SET suppressed_at = now(), updated_at = now(),
              status = CASE WHEN e.status = 'pending' THEN 'cancelled' ELSE e.status END,
              last_error = CASE WHEN e.status = 'pending' THEN $4 ELSE e.last_error END,
              locked_by = CASE WHEN e.status = 'pending' THEN NULL ELSE e.locked_by END,
              locked_until = CASE WHEN e.status = 'pending' THEN NULL ELSE e.locked_until END
         FROM hit WHERE e.id = hit.id
       RETURNING hit.status AS was, hit.job_id, hit.lead_count
     ), moved AS (
       UPDATE delivery_progress d SET pending = greatest(0, d.pending - s.n), updated_at = now()
         FROM (SELECT job_id, sum(lead_count)::int AS n FROM marked WHERE was = 'pending' AND job_id IS NOT NULL GROUP BY job_id) s
        WHERE d.job_id = s.job_id
       RETURNING d.job_id
     )
     SELECT count(*) FILTER (WHERE was = 'pending')::int AS n, (SELECT count(*) FROM moved)::int AS jobs FROM marked`,
    [tenantId, ids, jobs, CANCELLED],
  );

  const batch = await tx.query<{ cancelled: number; trimmed: number }>(
    `WITH hit AS (
       SELECT e.id, e.status, e.job_id, x.kept, x.removed FROM delivery_events e,
              LATERAL (SELECT coalesce(jsonb_agg(l) FILTER (WHERE NOT (l->>'id' = ANY($2::text[]))), '[]'::jsonb) AS kept,
                              count(*) FILTER (WHERE l->>'id' = ANY($2::text[]))::int AS removed
                         FROM jsonb_array_elements(e.payload->'leads') AS l) x
        WHERE e.tenant_id = $1 AND e.event_type = 'lead.created' AND e.job_id = ANY($3::text[]) AND jsonb_typeof(e.payload->'leads') = 'array' AND x.removed > 0
     ), changed AS (
       UPDATE delivery_events e
          SET payload = jsonb_set(e.payload, '{leads}', hit.kept), updated_at = now(),
              lead_count = CASE WHEN hit.status = 'pending' THEN greatest(0, e.lead_count - hit.removed) ELSE e.lead_count END,
              status = CASE WHEN hit.status = 'pending' AND jsonb_array_length(hit.kept) = 0 THEN 'cancelled' ELSE e.status END,
              last_error = CASE WHEN hit.status = 'pending' AND jsonb_array_length(hit.kept) = 0 THEN $4 ELSE e.last_error END,
              suppressed_at = CASE WHEN jsonb_array_length(hit.kept) = 0 THEN now() ELSE e.suppressed_at END
         FROM hit WHERE e.id = hit.id
       RETURNING hit.status AS was, hit.job_id, hit.removed, jsonb_array_length(hit.kept) AS kept
     ), moved AS (
       UPDATE delivery_progress d SET pending = greatest(0, d.pending - s.n), updated_at = now()
         FROM (SELECT job_id, sum(removed)::int AS n FROM changed WHERE was = 'pending' AND job_id IS NOT NULL GROUP BY job_id) s
        WHERE d.job_id = s.job_id
       RETURNING d.job_id
     )
     SELECT count(*) FILTER (WHERE was = 'pending' AND kept = 0)::int AS cancelled, count(*) FILTER (WHERE kept > 0)::int AS trimmed,
            (SELECT count(*) FROM moved)::int AS jobs
       FROM changed`,
    [tenantId, ids, jobs, CANCELLED],
  );
  return { events: written, cancelled: (single.rows[0]?.n ?? 0) + (batch.rows[0]?.cancelled ?? 0), trimmed: batch.rows[0]?.trimmed ?? 0 };
}
