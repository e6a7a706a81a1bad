import { randomUUID } from 'node:crypto';
import type { Keyring } from '@leadflow/secrets';
import type { SqlClient } from '@leadflow/stores';
import { defaultSecretContext, endpointSecretContext } from './endpoint-store.js';
import { newWebhookSecret } from './standard-webhooks.js';

/**
 * The control surface of delivery (docs/delivery.md, "Endpoints, rate, deliveries and replay
 * (API)"): a tenant's endpoints and their secrets, its default secret, a job's rate, the list of
 * deliveries and replays, over delivery's tables. Every call is scoped to one tenant: another
 * tenant's endpoint is not found, as one that never was. Values are checked by the caller (the
 * gateway); this module writes what it is given.
 */

export const WEBHOOK_EVENTS = ['lead.created', 'lead.updated', 'lead.suppressed', 'job.completed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const WEBHOOK_MODES = ['record', 'batch'] as const;
export type WebhookMode = (typeof WEBHOOK_MODES)[number];
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** How long a rotated-out secret still signs (every request then carries both signatures). */
export const PREVIOUS_SECRET_VALID_MS = 24 * 60 * 60 * 1000;
/** The window a job's current delivery rate is measured over. */
export const RATE_WINDOW_SECONDS = 5;


export interface EndpointSettings {
  url: string;
  mode: WebhookMode;
  /** Leads a request in batch mode, 1 to 1000. */
  batchSize: number;
  /** Requests a second over every replica; 0 is unlimited. */
  perSecond: number;
  events: WebhookEvent[];
  headers: Record<string, string>;
  description: string;
  enabled: boolean;
}

export interface EndpointView extends EndpointSettings {
  id: string;
  /** Why delivery turned it off (a 410 Gone); null unless it did. */
  disabledReason: string | null;
  /** Until when the secret before the last rotation still signs; null when none does. */
  previousSecretExpiresAt: string | null;
  /** Until when its circuit is open (no request but a probe); null when closed. */
  circuitOpenUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface EndpointSecrets {
  id: string;
  secret: string | null;
  /** The secret before the last rotation while it still signs; null otherwise. */
  previousSecret: string | null;
  previousSecretExpiresAt: string | null;
}

export interface DefaultSecret {
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
}

export interface DeliveryAttemptView {
  attempt: number;
  startedAt: string;
  durationMs: number;
  httpStatus: number | null;
  error: string | null;
}

export interface DeliveryView {
  /** The event's id: the `webhook-id` of each of its attempts. */
  id: string;
  /** The endpoint; null for a job's own webhook URL. */
  endpoint: string | null;
  url: string;
  event: string;
  job: string | null;
  /** Leads the payload carries. */
  leads: number;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastHttpStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  /** Its newest attempts, newest first (at most ATTEMPTS_SHOWN). */
  history: DeliveryAttemptView[];
}

export interface DeliveryQuery {
  status?: DeliveryStatus;
  job?: string;
  /** An endpoint id (a UUID). */
  endpoint?: string;
  limit: number;
  /** The id of the last delivery of the page before. */
  after?: string;
}

export interface ReplayQuery {
  job?: string;
  /** Events created at or after this time. */
  from?: Date;
  /** Events created before this time. */
  to?: Date;
  /** Only events with this status; both ended statuses when left out. */
  status?: 'failed' | 'delivered';
}

export interface JobRate {
  /** The job's own limit (PUT /v1/jobs/{id}/rate); null: each endpoint's own; 0: unlimited. */
  perSecond: number | null;
  /** Requests a second sent for the job over the last RATE_WINDOW_SECONDS, from delivery_attempts. */
  current: number;
}

/** Attempts shown with each delivery of a list. */
export const ATTEMPTS_SHOWN = 10;

interface EndpointRow {
  id: string;
  url: string;
  mode: WebhookMode;
  batch_size: number;
  per_second: number | null;
  events: WebhookEvent[];
  headers: Record<string, string>;
  description: string;
  active: boolean;
  disabled_reason: string | null;
  previous_secret_expires_at: Date | null;
  circuit_open_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id::text, url, mode, batch_size, per_second, events, headers, description, active, disabled_reason,
  CASE WHEN previous_secret_expires_at > now() THEN previous_secret_expires_at END AS previous_secret_expires_at,
  CASE WHEN circuit_open_until > now() THEN circuit_open_until END AS circuit_open_until, created_at, updated_at`;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

const toView = (r: EndpointRow): EndpointView => ({
  id: r.id,
  url: r.url,
  mode: r.mode,
  batchSize: r.batch_size,
  perSecond: r.per_second ?? 0,
  events: r.events,
  headers: r.headers,
  description: r.description,
  enabled: r.active,
  disabledReason: r.disabled_reason,
  previousSecretExpiresAt: iso(r.previous_secret_expires_at),
  circuitOpenUntil: iso(r.circuit_open_until),
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Whether `id` can be an endpoint's id: anything else is not found without asking the database (a uuid column). */
export const isEndpointId = (id: string) => UUID.test(id);

export type EndpointAdmin = ReturnType<typeof createEndpointAdmin>;

export function createEndpointAdmin(db: SqlClient, keyring: Keyring) {
  const open = (sealed: string | null, context: string) => (sealed === null ? null : keyring.open(sealed, context));

  async function create(tenantId: string, s: EndpointSettings): Promise<{ endpoint: EndpointView; secret: string }> {
    const id = randomUUID();
    const secret = newWebhookSecret();
    const { rows } = await db.query<EndpointRow>(
      `INSERT INTO webhook_endpoints (id, tenant_id, url, secret_sealed, mode, batch_size, per_second, events, headers, description, active)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
      [id, tenantId, s.url, keyring.seal(secret, endpointSecretContext(id)), s.mode, s.batchSize, s.perSecond, s.events, JSON.stringify(s.headers), s.description, s.enabled],
    );
    return { endpoint: toView(rows[0]!), secret };
  }

  async function list(tenantId: string): Promise<EndpointView[]> {
    const { rows } = await db.query<EndpointRow>(
      `SELECT ${COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`,
      [tenantId],
    );
    return rows.map(toView);
  }

  async function get(tenantId: string, id: string): Promise<EndpointView | undefined> {
    if (!isEndpointId(id)) return undefined;
    const { rows } = await db.query<EndpointRow>(`SELECT ${COLUMNS} FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL`, [id, tenantId]);
    return rows[0] && toView(rows[0]);
  }

  /** Changes the settings given; enabling an endpoint clears why delivery turned it off, and its circuit. */
  async function update(tenantId: string, id: string, patch: Partial<EndpointSettings>): Promise<EndpointView | undefined> {
    if (!isEndpointId(id)) return undefined;
    const sets: string[] = [];
    const values: unknown[] = [id, tenantId];
    const set = (column: string, value: unknown) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if (patch.url !== undefined) set('url', patch.url);
    if (patch.mode !== undefined) set('mode', patch.mode);
    if (patch.batchSize !== undefined) set('batch_size', patch.batchSize);
    if (patch.perSecond !== undefined) set('per_second', patch.perSecond);
    if (patch.events !== undefined) set('events', patch.events);
    if (patch.headers !== undefined) set('headers', JSON.stringify(patch.headers));
    if (patch.description !== undefined) set('description', patch.description);
    if (patch.enabled !== undefined) {
      set('active', patch.enabled);
      if (patch.enabled) sets.push('disabled_reason = NULL', 'consecutive_failures = 0', 'circuit_open_until = NULL');
    }
    sets.push('updated_at = now()');
    const { rows } = await db.query<EndpointRow>(
      `UPDATE webhook_endpoints SET ${sets.join(', ')} WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
      values,
    );
    return rows[0] && toView(rows[0]);
  }

  /** Marks the endpoint deleted (its events and attempts still name it); false when it is not the tenant's. */
  async function remove(tenantId: string, id: string): Promise<boolean> {
    if (!isEndpointId(id)) return false;
    const { rowCount } = await db.query(
      'UPDATE webhook_endpoints SET deleted_at = now(), active = false, updated_at = now() WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL',
      [id, tenantId],
    );
    return rowCount === 1;
  }

  /**
   * A new secret; the one before signs too for PREVIOUS_SECRET_VALID_MS. The previous secret stays
   * sealed as it was (for the context of the endpoint's secret_sealed), so it moves unopened; a
   * plain-text secret from before sealing is sealed on the way.
   */
  async function rotate(tenantId: string, id: string): Promise<EndpointSecrets | undefined> {
    if (!isEndpointId(id)) return undefined;
    const secret = newWebhookSecret();
    const context = endpointSecretContext(id);
    const { rows } = await db.query<{ secret: string | null; secret_sealed: string | null }>(
      'SELECT secret, secret_sealed FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL FOR UPDATE',
      [id, tenantId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const previous = row.secret ? keyring.seal(row.secret, context) : row.secret_sealed;
    const expires = new Date(Date.now() + PREVIOUS_SECRET_VALID_MS);
    const updated = await db.query(
      `UPDATE webhook_endpoints SET secret_sealed = $3, secret = NULL, previous_secret_sealed = $4, previous_secret_expires_at = $5, updated_at = now()
        WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL AND secret_sealed IS NOT DISTINCT FROM $6 AND secret IS NOT DISTINCT FROM $7`,
      [id, tenantId, keyring.seal(secret, context), previous, previous === null ? null : expires, row.secret_sealed, row.secret],
    );
    // Another rotation came between the read and the write: this one is made again over it.
    if (updated.rowCount !== 1) return rotate(tenantId, id);
    return { id, secret, previousSecret: open(previous, context), previousSecretExpiresAt: previous === null ? null : expires.toISOString() };
  }

  /** The endpoint's secrets, opened (admins only: the gateway's rule). */
  async function secrets(tenantId: string, id: string): Promise<EndpointSecrets | undefined> {
    if (!isEndpointId(id)) return undefined;
    const { rows } = await db.query<{ secret: string | null; secret_sealed: string | null; previous_secret_sealed: string | null; previous_secret_expires_at: Date | null }>(
      `SELECT secret, secret_sealed, CASE WHEN previous_secret_expires_at > now() THEN previous_secret_sealed END AS previous_secret_sealed,
              CASE WHEN previous_secret_expires_at > now() THEN previous_secret_expires_at END AS previous_secret_expires_at
         FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL`,
      [id, tenantId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const context = endpointSecretContext(id);
    return {
      id,
      secret: row.secret || open(row.secret_sealed, context),
      previousSecret: open(row.previous_secret_sealed, context),
      previousSecretExpiresAt: iso(row.previous_secret_expires_at),
    };
  }

  /** The tenant's default secret (it signs what goes to its jobs' own webhook URLs), made on first use. */
  async function defaultSecret(tenantId: string): Promise<DefaultSecret> {
    const context = defaultSecretContext(tenantId);
    await db.query('INSERT INTO webhook_default_secrets (tenant_id, secret_sealed) VALUES ($1, $2) ON CONFLICT (tenant_id) DO NOTHING', [
      tenantId, keyring.seal(newWebhookSecret(), context),
    ]);
    const { rows } = await db.query<{ secret_sealed: string; previous_secret_sealed: string | null; previous_secret_expires_at: Date | null; created_at: Date }>(
      `SELECT secret_sealed, CASE WHEN previous_secret_expires_at > now() THEN previous_secret_sealed END AS previous_secret_sealed,
              CASE WHEN previous_secret_expires_at > now() THEN previous_secret_expires_at END AS previous_secret_expires_at, created_at
         FROM webhook_default_secrets WHERE tenant_id = $1`,
      [tenantId],
    );
    const row = rows[0]!;
    return {
      secret: keyring.open(row.secret_sealed, context),
      previousSecret: open(row.previous_secret_sealed, context),
      previousSecretExpiresAt: iso(row.previous_secret_expires_at),
      createdAt: iso(row.created_at)!,
    };
  }

  /** A new default secret; the one before signs too for PREVIOUS_SECRET_VALID_MS. */
  async function rotateDefaultSecret(tenantId: string): Promise<DefaultSecret> {
    await defaultSecret(tenantId);
    const context = defaultSecretContext(tenantId);
    const secret = newWebhookSecret();
    const { rows } = await db.query<{ previous_secret_sealed: string; previous_secret_expires_at: Date; created_at: Date }>(
      `UPDATE webhook_default_secrets d SET previous_secret_sealed = d.secret_sealed, secret_sealed = $2,
              previous_secret_expires_at = now() + make_interval(secs => $3), created_at = now()
        WHERE tenant_id = $1 RETURNING previous_secret_sealed, previous_secret_expires_at, created_at`,
      [tenantId, keyring.seal(secret, context), PREVIOUS_SECRET_VALID_MS / 1000],
    );
    const row = rows[0]!;
    return { secret, previousSecret: keyring.open(row.previous_secret_sealed, context), previousSecretExpiresAt: iso(row.previous_secret_expires_at), createdAt: iso(row.created_at)! };
  }

  /** Sets a job's delivery rate (0: unlimited); answers the limit before (null: none was set, each endpoint's own). */
  async function setJobRate(tenantId: string, jobId: string, perSecond: number): Promise<{ previous: number | null; perSecond: number }> {
    const { rows } = await db.query<{ previous: number | null }>(
      `WITH before AS (SELECT per_second FROM delivery_job_rates WHERE job_id = $1 AND tenant_id = $2),
            saved AS (
              INSERT INTO delivery_job_rates (job_id, tenant_id, per_second) VALUES ($1, $2, $3)
              ON CONFLICT (job_id) DO UPDATE SET per_second = excluded.per_second, updated_at = now()
              WHERE delivery_job_rates.tenant_id = excluded.tenant_id
              RETURNING per_second)
       SELECT (SELECT per_second FROM before) AS previous, (SELECT count(*) FROM saved)::int AS saved`,
      [jobId, tenantId, perSecond],
    );
    return { previous: rows[0]?.previous ?? null, perSecond };
  }

  /** A job's limit and the rate its deliveries are sent at now. */
  async function jobRate(tenantId: string, jobId: string): Promise<JobRate> {
    const { rows } = await db.query<{ per_second: number | null; sent: number }>(
      `SELECT (SELECT per_second FROM delivery_job_rates WHERE job_id = $1 AND tenant_id = $2) AS per_second,
              (SELECT count(*) FROM delivery_attempts a JOIN delivery_events e ON e.id = a.event_id
                WHERE a.tenant_id = $2 AND a.started_at > now() - make_interval(secs => $3) AND e.job_id = $1)::int AS sent`,
      [jobId, tenantId, RATE_WINDOW_SECONDS],
    );
    const row = rows[0]!;
    return { perSecond: row.per_second, current: Math.round((10 * row.sent) / RATE_WINDOW_SECONDS) / 10 };
  }

  /**
   * The tenant's deliveries (events) that pass the query, newest first, each with its newest
   * attempts; `next` is the id to ask `after` for the page after, null on the last. undefined
   * when `after` names no delivery of the tenant.
   */
  async function listDeliveries(tenantId: string, q: DeliveryQuery): Promise<{ deliveries: DeliveryView[]; next: string | null } | undefined> {
    const where = ['e.tenant_id = $1'];
    const values: unknown[] = [tenantId];
    const add = (clause: (n: string) => string, value: unknown) => {
      values.push(value);
      where.push(clause(`$${values.length}`));
    };
    if (q.status) add((n) => `e.status = ${n}`, q.status);
    if (q.job) add((n) => `e.job_id = ${n}`, q.job);
    if (q.endpoint) {
      if (!isEndpointId(q.endpoint)) return { deliveries: [], next: null };
      add((n) => `e.endpoint_id = ${n}::uuid`, q.endpoint);
    }
    if (q.after) {
      const cursor = await db.query<{ created_at: Date }>('SELECT created_at FROM delivery_events WHERE id = $1 AND tenant_id = $2', [q.after, tenantId]);
      if (!cursor.rows[0]) return undefined;
      values.push(cursor.rows[0].created_at, q.after);
      where.push(`(e.created_at, e.id) < ($${values.length - 1}::timestamptz, $${values.length})`);
    }
    values.push(q.limit + 1);
    const { rows } = await db.query<{
      id: string; endpoint_id: string | null; url: string; event_type: string; job_id: string | null; lead_count: number; status: DeliveryStatus;
      attempts: number; next_attempt_at: Date; last_http_status: number | null; last_error: string | null; created_at: Date; delivered_at: Date | null;
    }>(
      `SELECT e.id, e.endpoint_id::text, e.url, e.event_type, e.job_id, e.lead_count, e.status, e.attempts, e.next_attempt_at, e.last_http_status,
              e.last_error, e.created_at, e.delivered_at
         FROM delivery_events e WHERE ${where.join(' AND ')} ORDER BY e.created_at DESC, e.id DESC LIMIT $${values.length}`,
      values,
    );
    const page = rows.slice(0, q.limit);
    const history = new Map<string, DeliveryAttemptView[]>();
    if (page.length > 0) {
      const attempts = await db.query<{ event_id: string; attempt: number; started_at: Date; duration_ms: number; http_status: number | null; error: string | null }>(
        `SELECT event_id, attempt, started_at, duration_ms, http_status, error FROM (
           SELECT a.*, row_number() OVER (PARTITION BY a.event_id ORDER BY a.attempt DESC) AS nth
             FROM delivery_attempts a WHERE a.event_id = ANY($1::text[]) AND a.tenant_id = $2) x
          WHERE nth <= ${ATTEMPTS_SHOWN} ORDER BY event_id, attempt DESC`,
        [page.map((r) => r.id), tenantId],
      );
      for (const a of attempts.rows) {
        const list = history.get(a.event_id) ?? [];
        list.push({ attempt: a.attempt, startedAt: iso(a.started_at)!, durationMs: a.duration_ms, httpStatus: a.http_status, error: a.error });
        history.set(a.event_id, list);
      }
    }
    return {
      deliveries: page.map((r) => ({
        id: r.id,
        endpoint: r.endpoint_id,
        url: r.url,
        event: r.event_type,
        job: r.job_id,
        leads: r.lead_count,
        status: r.status,
        attempts: r.attempts,
        nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at) : null,
        lastHttpStatus: r.last_http_status,
        lastError: r.last_error,
        createdAt: iso(r.created_at)!,
        deliveredAt: iso(r.delivered_at),
        history: history.get(r.id) ?? [],
      })),
      next: rows.length > q.limit ? page.at(-1)!.id : null,
    };
  }

  /**
   * Sets the endpoint's ended events that match back to pending, due now, their ids (the
   * webhook-id) and attempts kept, and moves the jobs' counts (failed or delivered to pending) in
   * the same statement. Answers the events and leads replayed; undefined when the endpoint is not
   * the tenant's.
   */
  async function replay(tenantId: string, endpointId: string, q: ReplayQuery): Promise<{ events: number; leads: number } | undefined> {
    if (!(await get(tenantId, endpointId))) return undefined;
    // An event of a lead a re-screening suppressed is not sent again (docs/rescreen.md).
    const where = ['tenant_id = $1', 'endpoint_id = $2::uuid', 'status = ANY($3::text[])', 'suppressed_at IS NULL'];
    const values: unknown[] = [tenantId, endpointId, q.status ? [q.status] : ['failed', 'delivered']];
    const add = (clause: (n: string) => string, value: unknown) => {
      values.push(value);
      where.push(clause(`$${values.length}`));
    };
    if (q.job) add((n) => `job_id = ${n}`, q.job);
    if (q.from) add((n) => `created_at >= ${n}`, q.from);
    if (q.to) add((n) => `created_at < ${n}`, q.to);
    const { rows } = await db.query<{ events: number; leads: number }>(
      `WITH picked AS (
         SELECT id, status AS was, job_id, lead_count FROM delivery_events WHERE ${where.join(' AND ')} FOR UPDATE
       ), replayed AS (
         UPDATE delivery_events e
            SET status = 'pending', next_attempt_at = now(), locked_by = NULL, locked_until = NULL, delivered_at = NULL, updated_at = now()
           FROM picked WHERE e.id = picked.id
         RETURNING picked.was, picked.job_id, picked.lead_count
       ), moved AS (
         UPDATE delivery_progress p
            SET pending = p.pending + s.leads, failed = greatest(0, p.failed - s.failed), delivered = greatest(0, p.delivered - s.delivered), updated_at = now()
           FROM (SELECT job_id, sum(lead_count)::int AS leads,
                        coalesce(sum(lead_count) FILTER (WHERE was = 'failed'), 0)::int AS failed,
                        coalesce(sum(lead_count) FILTER (WHERE was = 'delivered'), 0)::int AS delivered
                   FROM replayed WHERE job_id IS NOT NULL GROUP BY job_id) s
          WHERE p.job_id = s.job_id
         RETURNING p.job_id
       )
       SELECT count(*)::int AS events, coalesce(sum(lead_count), 0)::int AS leads, (SELECT count(*) FROM moved)::int AS jobs FROM replayed`,
      values,
    );
    return { events: rows[0]?.events ?? 0, leads: rows[0]?.leads ?? 0 };
  }

  return { create, list, get, update, remove, rotate, secrets, defaultSecret, rotateDefaultSecret, setJobRate, jobRate, listDeliveries, replay };
}
