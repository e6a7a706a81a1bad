import type { SqlClient } from '@leadflow/stores';

/** An event a dispatcher holds the lease of, with what sending it needs of its endpoint. */
export interface ClaimedEvent {
  id: string;
  tenant_id: string;
  endpoint_id: string | null;
  /** The endpoint's URL now (an endpoint's URL may change while its events wait), else the job's own. */
  url: string;
  event_type: string;
  job_id: string | null;
  lead_count: number;
  /** Not read by the claim (null): the confirm right before the request reads it as it is then. */
  payload: unknown;
  /** Attempts made before this one. */
  attempts: number;
  created_at: Date;
  secret: string | null;
  secret_sealed: string | null;
  previous_secret_sealed: string | null;
  previous_valid: boolean | null;
  headers: Record<string, string> | null;
  per_second: number | null;
}

/** How an attempt ended. */
export interface Finish {
  status: 'delivered' | 'pending' | 'failed';
  /** When pending: the wait before the next attempt. */
  waitMs?: number;
  httpStatus?: number;
  error?: string;
  startedAt: Date;
  durationMs: number;
  /** A 410 Gone: the endpoint is disabled with this reason. */
  disable?: string;
  /** Consecutive failures that open the endpoint's circuit, and for how long. */
  circuitFailures: number;
  circuitOpenMs: number;
}

/** $5: an endpoint whose open circuit is due a probe (only its events), or null (every endpoint whose circuit is closed). */
const CLAIM = `
  WITH due AS (
    SELECT e.id, e.endpoint_id FROM delivery_events e
      LEFT JOIN webhook_endpoints w ON w.id = e.endpoint_id
     WHERE e.status = 'pending' AND e.next_attempt_at <= now()
       AND (e.locked_until IS NULL OR e.locked_until < now())
       AND CASE WHEN $5::uuid IS NOT NULL THEN e.endpoint_id = $5::uuid
                ELSE e.endpoint_id IS NULL OR (w.active AND w.deleted_at IS NULL AND w.circuit_open_until IS NULL) END
       AND NOT (coalesce(e.endpoint_id::text, e.url) = ANY($4::text[]))
       AND (e.job_id IS NULL OR NOT (e.job_id = ANY($6::text[])))
     ORDER BY e.next_attempt_at
     LIMIT $2
     FOR UPDATE OF e SKIP LOCKED
  )
  UPDATE delivery_events e SET locked_by = $1, locked_until = now() + make_interval(secs => $3::float8 / 1000)
    FROM due LEFT JOIN webhook_endpoints w ON w.id = due.endpoint_id
   WHERE e.id = due.id
  RETURNING e.id, e.tenant_id, e.endpoint_id, coalesce(w.url, e.url) AS url, e.event_type, e.job_id, e.lead_count, NULL::jsonb AS payload, e.attempts,
            e.created_at, w.secret, w.secret_sealed, w.previous_secret_sealed, w.previous_secret_expires_at > now() AS previous_valid,
            w.headers, w.per_second`;

/** Moves the counts of the jobs of `ev` (id, job_id, lead_count, status) that ended. */
const MOVE_COUNTS = `
  UPDATE delivery_progress d SET pending = d.pending - s.ended,
         delivered = d.delivered + s.delivered, failed = d.failed + s.failed, updated_at = now()
    FROM (SELECT job_id, sum(lead_count) FILTER (WHERE status <> 'pending') AS ended,
                 coalesce(sum(lead_count) FILTER (WHERE status = 'delivered'), 0) AS delivered,
                 coalesce(sum(lead_count) FILTER (WHERE status = 'failed'), 0) AS failed
            FROM ev WHERE job_id IS NOT NULL GROUP BY job_id) s
   WHERE d.job_id = s.job_id AND s.ended > 0`;

const FINISH = `
  WITH ev AS (
    UPDATE delivery_events SET attempts = attempts + 1, status = $3,
           next_attempt_at = CASE WHEN $3 = 'pending' THEN now() + make_interval(secs => $4::float8 / 1000) ELSE next_attempt_at END,
           locked_by = NULL, locked_until = NULL, last_http_status = $5, last_error = $6,
           delivered_at = CASE WHEN $3 = 'delivered' THEN now() END, updated_at = now()
     WHERE id = $1 AND locked_by = $2 AND status = 'pending'
    RETURNING id, tenant_id, job_id, endpoint_id, lead_count, attempts, status
  ), attempt AS (
    INSERT INTO delivery_attempts (event_id, attempt, tenant_id, started_at, duration_ms, http_status, error)
    SELECT id, attempts, tenant_id, $7, $8, $5, $6 FROM ev
  ), counts AS (${MOVE_COUNTS}
  ), health AS (
    UPDATE webhook_endpoints w SET
           consecutive_failures = CASE WHEN $3 = 'delivered' THEN 0 ELSE w.consecutive_failures + 1 END,
           circuit_open_until = CASE WHEN $3 = 'delivered' THEN NULL
                                     WHEN w.consecutive_failures + 1 >= $10 THEN now() + make_interval(secs => $11::float8 / 1000)
                                     ELSE w.circuit_open_until END,
           active = CASE WHEN $9::text IS NOT NULL THEN false ELSE w.active END,
           disabled_reason = coalesce($9::text, w.disabled_reason), updated_at = now()
      FROM ev WHERE w.id = ev.endpoint_id
       AND ($3 <> 'delivered' OR w.consecutive_failures > 0 OR w.circuit_open_until IS NOT NULL)
  )
  SELECT count(*)::int AS n FROM ev`;

/**
 * Many attempts recorded in one statement (the dispatcher's group of finishes, docs/delivery.md
 * "Throughput"): the events, their attempt rows, their jobs' counts and their endpoints' health,
 * as FINISH does for one. `seq` orders the attempts of one endpoint: its failure count is the
 * failures after its last success in the group (added to the count before when none succeeded),
 * and its circuit opens when that count reaches $3 with a failure last, else closes if one succeeded.
 * An event whose lease was lost (another dispatcher took it over) is left as it is.
 */
const FINISH_MANY = `
  WITH f AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS f(seq int, id text, status text, wait_ms float8, http_status int, error text,
           started_at timestamptz, duration_ms int)
  ), ev AS (
    UPDATE delivery_events e SET attempts = e.attempts + 1, status = f.status,
           next_attempt_at = CASE WHEN f.status = 'pending' THEN now() + make_interval(secs => f.wait_ms / 1000) ELSE e.next_attempt_at END,
           locked_by = NULL, locked_until = NULL, last_http_status = f.http_status, last_error = f.error,
           delivered_at = CASE WHEN f.status = 'delivered' THEN now() END, updated_at = now()
      FROM f
     WHERE e.id = f.id AND e.locked_by = $2 AND e.status = 'pending'
    RETURNING e.id, e.tenant_id, e.job_id, e.endpoint_id, e.lead_count, e.attempts, e.status, f.seq, f.started_at, f.duration_ms, f.http_status, f.error
  ), attempt AS (
    INSERT INTO delivery_attempts (event_id, attempt, tenant_id, started_at, duration_ms, http_status, error)
    SELECT id, attempts, tenant_id, started_at, duration_ms, http_status, error FROM ev
  ), counts AS (${MOVE_COUNTS}
  ), h AS (
    SELECT endpoint_id, bool_or(status = 'delivered') AS any_ok,
           (count(*) FILTER (WHERE status <> 'delivered' AND seq > coalesce(last_ok, -1)))::int AS fails,
           bool_or(status <> 'delivered' AND seq = last_seq) AS failed_last
      FROM (SELECT endpoint_id, status, seq, max(seq) FILTER (WHERE status = 'delivered') OVER (PARTITION BY endpoint_id) AS last_ok,
                   max(seq) OVER (PARTITION BY endpoint_id) AS last_seq
              FROM ev WHERE endpoint_id IS NOT NULL) x
     GROUP BY endpoint_id
  ), health AS (
    UPDATE webhook_endpoints w SET
           consecutive_failures = CASE WHEN h.any_ok THEN h.fails ELSE w.consecutive_failures + h.fails END,
           circuit_open_until = CASE WHEN h.failed_last AND (CASE WHEN h.any_ok THEN h.fails ELSE w.consecutive_failures + h.fails END) >= $3
                                       THEN now() + make_interval(secs => $4::float8 / 1000)
                                     WHEN h.any_ok THEN NULL
                                     ELSE w.circuit_open_until END,
           updated_at = now()
      FROM h WHERE w.id = h.endpoint_id
       AND (h.fails > 0 OR w.consecutive_failures > 0 OR w.circuit_open_until IS NOT NULL)
  )
  SELECT count(*)::int AS n FROM ev`;

/** One attempt of a group recorded by `finishMany`: no 410 (that one disables its endpoint, alone). */
export type GroupedFinish = Omit<Finish, 'disable' | 'circuitFailures' | 'circuitOpenMs'> & { id: string };

/**
 * What a queued event is right before its request starts (docs/delivery.md "Nothing sent once
 * ended"): only the events still `pending` under this lease come back, their lease renewed, with
 * their payload and count as they are now (a re-screening may have taken leads out of a batch).
 * The UPDATE waits for a transaction that holds one of the rows (a cancel, a suppression, an
 * erasure) and reads the row as that transaction left it. `job_cancelled`: the gateway marked its
 * job cancelled ($4 true, where the jobs table is in this database).
 */
const confirmSql = (jobs: boolean) => `
  UPDATE delivery_events e SET locked_until = now() + make_interval(secs => $3::float8 / 1000)
   WHERE e.id = ANY($1::text[]) AND e.locked_by = $2 AND e.status = 'pending'
  RETURNING e.id, e.payload, e.lead_count,
            ${jobs ? 'e.job_id IS NOT NULL AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = e.job_id AND j.cancelled_at IS NOT NULL)' : 'false'} AS job_cancelled`;

/** A queued event confirmed: still this dispatcher's to send, as it is now. */
export interface ConfirmedEvent {
  id: string;
  payload: unknown;
  lead_count: number;
  job_cancelled: boolean;
}

const UNDEFINED_TABLE = '42P01';
const UNDEFINED_COLUMN = '42703';

/** The outbox as the dispatcher uses it: every change of an event moves its job's counts in the same statement. */
export function createOutboxStore(db: SqlClient) {
  /** When the gateway's jobs table (its cancellation mark) was last found missing here: asked again a minute later. */
  let jobsMissingAt = -Infinity;
  return {
    /**
     * The queued events `ids` still pending under `owner`'s lease, renewed for `leaseMs`, in one
     * statement: the others (cancelled, suppressed, erased, leased again elsewhere) are not sent.
     */
    async confirm(owner: string, ids: readonly string[], leaseMs: number): Promise<Map<string, ConfirmedEvent>> {
      if (ids.length === 0) return new Map();
      let rows: ConfirmedEvent[] | undefined;
      if (Date.now() - jobsMissingAt >= 60_000) {
        try {
          ({ rows } = await db.query<ConfirmedEvent>(confirmSql(true), [ids, owner, leaseMs]));
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code !== UNDEFINED_TABLE && code !== UNDEFINED_COLUMN) throw err;
          jobsMissingAt = Date.now();
        }
      }
      rows ??= (await db.query<ConfirmedEvent>(confirmSql(false), [ids, owner, leaseMs])).rows;
      return new Map(rows.map((r) => [r.id, r]));
    },

    /** Leases up to `limit` due events, oldest first, of destinations and jobs not in `skip`. */
    async claim(owner: string, limit: number, leaseMs: number, skip: { destinations: string[]; jobs: string[] }): Promise<ClaimedEvent[]> {
      const { rows } = await db.query<ClaimedEvent>(CLAIM, [owner, limit, leaseMs, skip.destinations, null, skip.jobs]);
      return rows;
    },

    /**
     * The probes: each endpoint whose open circuit is due gets one event, and its circuit stays
     * open `openMs` more (a success closes it).
     */
    async claimProbes(owner: string, leaseMs: number, openMs: number): Promise<ClaimedEvent[]> {
      const { rows: due } = await db.query<{ id: string }>(
        `UPDATE webhook_endpoints SET circuit_open_until = now() + make_interval(secs => $1::float8 / 1000)
          WHERE circuit_open_until IS NOT NULL AND circuit_open_until <= now() AND active AND deleted_at IS NULL RETURNING id`,
        [openMs],
      );
      const probes: ClaimedEvent[] = [];
      for (const { id } of due) probes.push(...(await db.query<ClaimedEvent>(CLAIM, [owner, 1, leaseMs, [], id, []])).rows);
      return probes;
    },

    /** Records an attempt and what it changed; false when the lease was lost (another dispatcher has the event). */
    async finish(id: string, owner: string, f: Finish): Promise<boolean> {
      const { rows } = await db.query<{ n: number }>(FINISH, [
        id, owner, f.status, f.waitMs ?? 0, f.httpStatus ?? null, f.error ?? null, f.startedAt, f.durationMs, f.disable ?? null,
        f.circuitFailures, f.circuitOpenMs,
      ]);
      return rows[0]!.n === 1;
    },

    /**
     * Records a group of attempts, in the order they ended, in one statement; answers how many
     * were recorded (an event whose lease was lost is not).
     */
    async finishMany(owner: string, finishes: readonly GroupedFinish[], circuit: { failures: number; openMs: number }): Promise<number> {
      if (finishes.length === 0) return 0;
      const rows = finishes.map((f, seq) => ({
        seq, id: f.id, status: f.status, wait_ms: f.waitMs ?? 0, http_status: f.httpStatus ?? null, error: f.error ?? null,
        started_at: f.startedAt.toISOString(), duration_ms: f.durationMs,
      }));
      const { rows: n } = await db.query<{ n: number }>(FINISH_MANY, [JSON.stringify(rows), owner, circuit.failures, circuit.openMs]);
      return n[0]!.n;
    },

    /** Gives the lease back, the attempt not made (stopping, or no token yet): due again after `waitMs`. */
    async release(id: string, owner: string, waitMs: number): Promise<void> {
      await db.query(
        `UPDATE delivery_events SET locked_by = NULL, locked_until = NULL,
                next_attempt_at = greatest(next_attempt_at, now() + make_interval(secs => $3::float8 / 1000))
          WHERE id = $1 AND locked_by = $2 AND status = 'pending'`,
        [id, owner, waitMs],
      );
    },

    /** Gives back many leases in one statement, each due again after its `waitMs` (no attempt counted). */
    async releaseMany(owner: string, events: readonly { id: string; waitMs: number }[]): Promise<void> {
      if (events.length === 0) return;
      await db.query(
        `UPDATE delivery_events e SET locked_by = NULL, locked_until = NULL,
                next_attempt_at = greatest(e.next_attempt_at, now() + make_interval(secs => r.wait_ms / 1000))
           FROM jsonb_to_recordset($1::jsonb) AS r(id text, wait_ms float8)
          WHERE e.id = r.id AND e.locked_by = $2 AND e.status = 'pending'`,
        [JSON.stringify(events.map((e) => ({ id: e.id, wait_ms: e.waitMs }))), owner],
      );
    },

    /** Ends the pending events of a disabled endpoint (or of a job's URL that answered 410) as failed. */
    async failPending(where: { endpointId: string } | { tenantId: string; url: string }, error: string): Promise<void> {
      const [cond, params] = 'endpointId' in where ? ['endpoint_id = $2', [where.endpointId]] : ['endpoint_id IS NULL AND tenant_id = $2 AND url = $3', [where.tenantId, where.url]];
      await db.query(
        `WITH ev AS (
           UPDATE delivery_events SET status = 'failed', last_error = $1, locked_by = NULL, locked_until = NULL, updated_at = now()
            WHERE ${cond} AND status = 'pending' RETURNING id, job_id, lead_count, status
         ) ${MOVE_COUNTS}`,
        [error, ...params],
      );
    },

    /** Ends the pending events of cancelled jobs as cancelled: their leads are not sent (docs/job-cancel.md). */
    async cancelJobs(jobIds: readonly string[]): Promise<void> {
      await db.query(
        `WITH ev AS (
           UPDATE delivery_events SET status = 'cancelled', locked_by = NULL, locked_until = NULL, updated_at = now()
            WHERE job_id = ANY($1::text[]) AND status = 'pending' RETURNING job_id, lead_count
         )
         UPDATE delivery_progress d SET pending = d.pending - s.n, updated_at = now()
           FROM (SELECT job_id, sum(lead_count) AS n FROM ev GROUP BY job_id) s WHERE d.job_id = s.job_id`,
        [jobIds],
      );
    },

    /** The rates set on jobs (PUT /v1/jobs/{id}/rate); a job without a row is absent. */
    async jobRates(jobIds: readonly string[]): Promise<Map<string, number>> {
      const { rows } = await db.query<{ job_id: string; per_second: number }>('SELECT job_id, per_second FROM delivery_job_rates WHERE job_id = ANY($1::text[])', [jobIds]);
      return new Map(rows.map((r) => [r.job_id, r.per_second]));
    },

    /**
     * The tenant's default secret, sealed, and the one before it while it still signs (a day after
     * a rotation, POST /v1/settings/webhook-secret/rotate); null when it has none yet.
     */
    async defaultSecret(tenantId: string): Promise<{ current: string; previous: string | null } | null> {
      const { rows } = await db.query<{ s: string; p: string | null }>(
        `SELECT secret_sealed AS s, CASE WHEN previous_secret_expires_at > now() THEN previous_secret_sealed END AS p
           FROM webhook_default_secrets WHERE tenant_id = $1`,
        [tenantId],
      );
      return rows[0] ? { current: rows[0].s, previous: rows[0].p } : null;
    },

    /** Saves the tenant's default secret unless another process saved one first; answers the one kept. */
    async saveDefaultSecret(tenantId: string, sealed: string): Promise<{ current: string; previous: string | null }> {
      await db.query('INSERT INTO webhook_default_secrets (tenant_id, secret_sealed) VALUES ($1, $2) ON CONFLICT (tenant_id) DO NOTHING', [tenantId, sealed]);
      return (await this.defaultSecret(tenantId))!;
    },

    /** Pending events of a job, and whether any is due within `withinMs`. */
    async pendingOf(jobId: string, withinMs: number): Promise<{ pending: number; due: number }> {
      const { rows } = await db.query<{ pending: number; due: number }>(
        `SELECT count(*)::int AS pending, count(*) FILTER (WHERE next_attempt_at <= now() + make_interval(secs => $2::float8 / 1000))::int AS due
           FROM delivery_events WHERE job_id = $1 AND status = 'pending'`,
        [jobId, withinMs],
      );
      return rows[0]!;
    },
  };
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;
