import type { Logger } from '@leadflow/logger';
import type { Metrics } from '@leadflow/metrics';
import { Disposition, type LeadBatch, type LeadRow } from '@leadflow/proto';
import { LEAD_COLUMNS, leadRecord, type Sink } from '@leadflow/pipeline';
import type { SqlClient } from '@leadflow/stores';
import { eventId } from './event-ids.js';

/** Where a job's events go: a tenant's endpoint, or the job's own webhook URL (endpointId null). */
export interface Destination {
  endpointId: string | null;
  url: string;
  mode: 'record' | 'batch';
  batchSize: number;
  events: readonly string[];
}

export interface OutboxWriterOptions {
  db: SqlClient;
  logger: Logger;
  metrics: Metrics;
  /** Asked before each batch, uncached: a cancelled job's leads are not written (docs/job-cancel.md). */
  isCancelled?: (jobId: string) => Promise<boolean>;
  /** How long a tenant's endpoints are believed; an endpoint added or changed is used at most this long after. @default 1000 */
  endpointsForMs?: number;
  /** Called after a batch wrote events: the dispatcher of this process looks at once instead of at its next poll. */
  onWritten?: () => void;
  /** Leads an event to a job's own webhook URL carries. @default 500 */
  jobUrlBatchSize?: number;
  now?: () => number;
}

/** What a receiver gets for one lead. */
export function leadJson(batch: LeadBatch, row: LeadRow): Record<string, unknown> {
  return { id: row.leadId, row: row.rowNumber, supplier: batch.job?.supplier ?? '', ...leadRecord(row.lead), tags: row.tags };
}

/** One event as the outbox's write takes it. */
export interface EventRow {
  id: string;
  tenant_id: string;
  endpoint_id: string | null;
  url: string;
  event_type: string;
  job_id: string;
  lead_count: number;
  payload: unknown;
}

/**
 * Writes the events, and moves their job's `pending` by their leads, in one statement: a batch
 * consumed twice writes the same ids, which change nothing the second time.
 */
export const WRITE_EVENTS = `
  WITH written AS (
    INSERT INTO delivery_events (id, tenant_id, endpoint_id, url, event_type, job_id, lead_count, payload)
    SELECT e.id, e.tenant_id, e.endpoint_id, e.url, e.event_type, e.job_id, e.lead_count, e.payload
      FROM jsonb_to_recordset($1::jsonb) AS e(id text, tenant_id text, endpoint_id uuid, url text, event_type text, job_id text,
           lead_count int, payload jsonb)
    ON CONFLICT (id) DO NOTHING
    RETURNING job_id, lead_count
  )
  INSERT INTO delivery_progress AS d (job_id, pending)
  SELECT job_id, sum(lead_count) FROM written WHERE job_id IS NOT NULL GROUP BY job_id
  ON CONFLICT (job_id) DO UPDATE SET pending = d.pending + excluded.pending, updated_at = now()`;

/**
 * The delivery consumer (docs/delivery.md): it makes no request. For each batch of stored leads
 * it writes the events they make into the outbox (delivery_events), to each enabled endpoint of
 * the tenant that takes `lead.created` (one event per lead in `record` mode, one per up to
 * `batchSize` leads in `batch` mode), or, when the job names its own webhook URL, to that URL
 * only (in batches). The batch's offset is committed after, by the stage host. After the job's
 * last batch, a job that persistence completed also writes `job.completed` to the endpoints that
 * take it.
 */
export function createOutboxStage(opts: OutboxWriterOptions): Sink<LeadBatch> {
  const { db, metrics } = opts;
  const now = opts.now ?? Date.now;
  const forMs = opts.endpointsForMs ?? 1000;
  const known = new Map<string, { until: number; destinations: Promise<Destination[]> }>();

  const endpointsOf = (tenantId: string): Promise<Destination[]> => {
    const hit = known.get(tenantId);
    if (hit && hit.until > now()) return hit.destinations;
    const destinations = db
      .query<{ id: string; url: string; mode: 'record' | 'batch'; batch_size: number; events: string[] }>(
        `SELECT id, url, mode, batch_size, events FROM webhook_endpoints
          WHERE tenant_id = $1 AND active AND deleted_at IS NULL ORDER BY created_at, id`,
        [tenantId],
      )
      .then(({ rows }) => rows.map((r) => ({ endpointId: r.id, url: r.url, mode: r.mode, batchSize: r.batch_size, events: r.events })));
    destinations.catch(() => known.get(tenantId)?.destinations === destinations && known.delete(tenantId));
    if (known.size >= 1000) known.delete(known.keys().next().value!);
    known.set(tenantId, { until: now() + forMs, destinations });
    return destinations;
  };

  return async (batch) => {
    const job = batch.job!;
    if (await opts.isCancelled?.(job.jobId)) return;
    const accepted = batch.rows.filter((r) => r.disposition === Disposition.DISPOSITION_ACCEPTED);
    const destinations: Destination[] = job.webhookUrl
      ? [{ endpointId: null, url: job.webhookUrl, mode: 'batch', batchSize: opts.jobUrlBatchSize ?? 500, events: ['lead.created'] }]
      : await endpointsOf(job.tenantId);
    const events: EventRow[] = [];
    for (const d of destinations) {
      if (accepted.length === 0 || !d.events.includes('lead.created')) continue;
      const size = d.mode === 'record' ? 1 : d.batchSize;
      for (let i = 0; i < accepted.length; i += size) {
        const group = accepted.slice(i, i + size);
        const payload = d.mode === 'record' ? { jobId: job.jobId, ...leadJson(batch, group[0]!) } : { jobId: job.jobId, leads: group.map((r) => leadJson(batch, r)) };
        events.push({
          id: eventId(d.endpointId ?? d.url, 'lead.created', job.jobId, group[0]!.rowNumber),
          tenant_id: job.tenantId, endpoint_id: d.endpointId, url: d.url, event_type: 'lead.created', job_id: job.jobId,
          lead_count: group.length, payload,
        });
      }
    }
    const updatedTo = destinations.filter((d) => d.endpointId !== null && d.events.includes('lead.updated'));
    if (updatedTo.length > 0) events.push(...(await leadUpdatedEvents(db, batch, updatedTo)));
    if (events.length > 0) {
      await db.query(WRITE_EVENTS, [JSON.stringify(events)]);
      metrics.rows.inc({ stage: 'delivery', outcome: 'written' }, accepted.length);
    }
    const completedTo = destinations.filter((d) => d.endpointId !== null && d.events.includes('job.completed'));
    if (batch.last && completedTo.length > 0) await writeJobCompleted(db, job.jobId, job.tenantId, completedTo);
    if (events.length > 0 || (batch.last && completedTo.length > 0)) opts.onWritten?.();
  };
}

/** The fields of a lead an update sends: its canonical fields (no email_key). */
export const UPDATED_FIELDS = new Set<string>([...LEAD_COLUMNS.map((c) => c[0]), 'alternates']);

/**
 * `lead.updated` for each duplicate row of the batch whose merge changed the lead it matched
 * (docs/delivery.md, "Events and their schemas"): persistence merged it and recorded the merge
 * in lead_merges before it published the batch, and records only a merge that changed
 * something. One event per merged row and endpoint, whatever the endpoint's mode, with the lead
 * as it is when the event is written and the fields that merge changed; its id is the row's, so
 * a batch consumed twice writes the same ids (the first one's lead kept).
 */
async function leadUpdatedEvents(db: SqlClient, batch: LeadBatch, destinations: readonly Destination[]): Promise<EventRow[]> {
  const job = batch.job!;
  const dups = batch.rows.filter((r) => r.disposition === Disposition.DISPOSITION_DUPLICATE && r.match?.matchedLeadId);
  if (dups.length === 0) return [];
  type Merged = Record<string, unknown> & {
    job_id: string; row_number: number; lead_id: string; changes: Record<string, unknown>; added: { emails: string[]; phones: string[] };
  };
  const columns = LEAD_COLUMNS.map((c) => `l.${c[0]}`).join(', ');
  // The batch's own duplicate rows' merges, and those their storing caused: earlier copies of
  // them re-filed under the lead (lead_merges.via_*, persistence's copies.ts), recorded under the
  // earlier rows' job and row.
  const query = (via: boolean) =>
    db.query<Merged>(
      `SELECT m.job_id, m.row_number, m.lead_id, m.changes, m.alternates AS added, l.alternates, ${columns}
         FROM lead_merges m JOIN leads l ON l.id = m.lead_id AND l.tenant_id = m.tenant_id
        WHERE m.tenant_id = $1 AND m.reverted_at IS NULL
          AND ((m.job_id = $2 AND m.row_number = ANY($3::int[]))${via ? ' OR (m.via_job_id = $2 AND m.via_row = ANY($3::int[]))' : ''})
        ORDER BY m.job_id = $2 DESC, m.job_id, m.row_number`,
      [job.tenantId, job.jobId, dups.map((r) => r.rowNumber)],
    );
  const merged = await query(true)
    // A database persistence has not yet given the via columns (it migrates at its start): the batch's own merges.
    .catch((err: { code?: string }) => (err.code === '42703' ? query(false) : Promise.reject(err)))
    .then((r) => r.rows)
    // persistence's tables, not there on a database delivery has alone: nothing was merged.
    .catch((err: { code?: string }) => {
      if (err.code === '42P01') return [] as Merged[];
      throw err;
    });
  const events: EventRow[] = [];
  for (const m of merged) {
    const changed = Object.keys(m.changes).filter((c) => UPDATED_FIELDS.has(c));
    if (m.added.emails.length + m.added.phones.length > 0) changed.push('alternates');
    if (changed.length === 0) continue;
    const lead: Record<string, unknown> = {};
    for (const [c] of LEAD_COLUMNS) if (typeof m[c] === 'string' && m[c]) lead[c] = m[c];
    const alternates = m.alternates as { emails?: string[]; phones?: string[] } | null;
    if (alternates && (alternates.emails?.length ?? 0) + (alternates.phones?.length ?? 0) > 0) {
      lead.alternates = { emails: alternates.emails ?? [], phones: alternates.phones ?? [] };
    }
    // jobId and row: the duplicate merged in (an earlier copy re-filed names its own job and row).
    const payload = { id: m.lead_id, jobId: m.job_id, row: m.row_number, changed, ...lead };
    for (const d of destinations) {
      events.push({
        id: eventId(d.endpointId!, 'lead.updated', m.job_id, m.row_number), tenant_id: job.tenantId, endpoint_id: d.endpointId, url: d.url,
        event_type: 'lead.updated', job_id: m.job_id, lead_count: 0, payload,
      });
    }
  }
  return events;
}

/**
 * `job.completed` to each endpoint that takes it, once persistence completed the job (its
 * last batch is stored, so every lead of it was written to the outbox before this one: a job's
 * batches arrive in order). The payload carries the job's counts.
 */
async function writeJobCompleted(db: SqlClient, jobId: string, tenantId: string, destinations: readonly Destination[]): Promise<void> {
  type Progress = { total_rows: number; accepted: number; invalid: number; duplicate: number; suppressed: number; completed_at: Date };
  const rows = await db
    .query<Progress>(`SELECT total_rows, accepted, invalid, duplicate, suppressed, completed_at FROM job_progress WHERE job_id = $1 AND completed_at IS NOT NULL`, [jobId])
    .then((r) => r.rows)
    // persistence's table, not there on a database delivery has alone: no job of it completed.
    .catch((err: { code?: string }) => {
      if (err.code === '42P01') return [] as Progress[];
      throw err;
    });
  const p = rows[0];
  if (!p) return;
  const payload = {
    jobId, status: 'completed', completedAt: new Date(p.completed_at).toISOString(),
    counts: { rows: p.total_rows, accepted: p.accepted, invalid: p.invalid, duplicate: p.duplicate, suppressed: p.suppressed },
  };
  const events: EventRow[] = destinations.map((d) => ({
    id: eventId(d.endpointId!, 'job.completed', jobId, 0), tenant_id: tenantId, endpoint_id: d.endpointId, url: d.url,
    event_type: 'job.completed', job_id: jobId, lead_count: 0, payload,
  }));
  await db.query(WRITE_EVENTS, [JSON.stringify(events)]);
}
