import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@leadflow/logger';
import type { Metrics } from '@leadflow/metrics';
import { SecretsError, type Keyring } from '@leadflow/secrets';
import { defaultSecretContext, endpointSecretContext } from './endpoint-store.js';
import type { ClaimedEvent, OutboxStore } from './outbox-store.js';
import { nextWait, retryAfterMs } from './retry-schedule.js';
import { envelope, newWebhookSecret, reservedHeader, webhookHeaders } from './standard-webhooks.js';
import type { Bucket, TokenBuckets } from './token-buckets.js';
import { attemptWebhook, type AttemptRequest } from './webhook.js';

/** How long a tenant's default secret is believed before it is read again (a rotation signs within it). */
const DEFAULT_SECRET_FOR_MS = 5_000;

/** The context of an endpoint's previous secret (after a rotation). */
export const previousSecretContext = (id: string) => `webhook_endpoints.previous_secret_sealed/${id}`;

export interface DispatcherOptions {
  store: OutboxStore;
  keyring: Keyring;
  buckets: TokenBuckets;
  fetch: AttemptRequest['fetch'];
  logger: Logger;
  metrics: Metrics;
  /** Waits before each attempt (retry-schedule.ts); the first is the first attempt's, made at once. */
  schedule: readonly number[];
  /** Requests in flight at once in this replica. @default 32 */
  concurrency?: number;
  /** @default 10000 */
  timeoutMs?: number;
  /** How often the outbox is looked at when nothing nudged. @default 250 */
  pollMs?: number;
  /** Consecutive failures that open an endpoint's circuit. @default 20 */
  circuitFailures?: number;
  /** How long an open circuit lets nothing but a probe through. @default 60000 */
  circuitOpenMs?: number;
  /** Asked for the jobs of the events claimed: a cancelled job's events are not sent. */
  areCancelled?: (jobIds: readonly string[]) => Promise<Set<string>>;
  /** This replica's name on its leases. @default host, pid and a random part */
  owner?: string;
}

export interface Dispatcher {
  start(): Promise<void>;
  /** Stops claiming, aborts the requests in flight (their events are sent again, same id) and waits for them. */
  stop(): Promise<void>;
  /** Something was written: look now rather than at the next poll. */
  nudge(): void;
}

/** How long a job's rate is believed: a change made over the API takes effect within a second. */
const JOB_RATE_FOR_MS = 500;

/**
 * The dispatcher (docs/delivery.md): outside the consumer, in every delivery replica and in
 * `leadflow serve`/`run`. It leases due events (FOR UPDATE SKIP LOCKED), takes a token of the
 * endpoint's and the job's buckets, sends the event as a Standard Webhooks request, and records
 * the attempt; a lease outlives the request's timeout, so an event another replica holds is
 * never sent twice at once, and one whose replica died is sent again, under the same id.
 */
export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const { store, logger, metrics } = opts;
  const concurrency = opts.concurrency ?? 32;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const pollMs = opts.pollMs ?? 250;
  const leaseMs = timeoutMs + 30_000;
  const circuitFailures = opts.circuitFailures ?? 20;
  const circuitOpenMs = opts.circuitOpenMs ?? 60_000;
  const owner = opts.owner ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  /** Destinations and jobs out of tokens, until when: not claimed meanwhile. */
  const throttled = { destinations: new Map<string, number>(), jobs: new Map<string, number>() };
  const jobRates = new Map<string, { perSecond: number | null; at: number }>();
  const defaultSecrets = new Map<string, { secrets: string[]; at: number }>();
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  let lastProbe = 0;

  const nudge = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => nudge(), ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
      if (stopping.signal.aborted) nudge();
    });

  const current = (m: Map<string, number>) => {
    const now = Date.now();
    for (const [k, until] of m) if (until <= now) m.delete(k);
    return [...m.keys()];
  };

  async function refreshJobRates(events: readonly ClaimedEvent[]): Promise<void> {
    const now = Date.now();
    const stale = [...new Set(events.map((e) => e.job_id).filter((j): j is string => !!j && !((jobRates.get(j)?.at ?? -Infinity) > now - JOB_RATE_FOR_MS)))];
    if (stale.length === 0) return;
    const rates = await store.jobRates(stale);
    if (jobRates.size > 10_000) jobRates.clear();
    for (const j of stale) jobRates.set(j, { perSecond: rates.get(j) ?? null, at: now });
  }

  async function secretsOf(ev: ClaimedEvent): Promise<string[]> {
    if (ev.endpoint_id === null) {
      // Believed DEFAULT_SECRET_FOR_MS: a rotation over the API signs within that long.
      let known = defaultSecrets.get(ev.tenant_id);
      if (!known || known.at <= Date.now() - DEFAULT_SECRET_FOR_MS) {
        const context = defaultSecretContext(ev.tenant_id);
        const sealed = (await store.defaultSecret(ev.tenant_id)) ?? (await store.saveDefaultSecret(ev.tenant_id, opts.keyring.seal(newWebhookSecret(), context)));
        // The one before moved over unopened at the rotation: sealed for the same context.
        const secrets = [sealed.current, ...(sealed.previous ? [sealed.previous] : [])].map((x) => opts.keyring.open(x, context));
        if (defaultSecrets.size > 10_000) defaultSecrets.clear();
        defaultSecrets.set(ev.tenant_id, (known = { secrets, at: Date.now() }));
      }
      return known.secrets;
    }
    const secrets: string[] = [];
    if (ev.secret) secrets.push(ev.secret);
    else if (ev.secret_sealed) secrets.push(opts.keyring.open(ev.secret_sealed, endpointSecretContext(ev.endpoint_id)));
    if (ev.previous_secret_sealed && ev.previous_valid) {
      // Sealed for its own column, or moved there as it was when the secret was rotated.
      try {
        secrets.push(opts.keyring.open(ev.previous_secret_sealed, previousSecretContext(ev.endpoint_id)));
      } catch {
        secrets.push(opts.keyring.open(ev.previous_secret_sealed, endpointSecretContext(ev.endpoint_id)));
      }
    }
    return secrets;
  }

  async function send(ev: ClaimedEvent): Promise<void> {
    const destination = ev.endpoint_id ?? ev.url;
    const buckets: Bucket[] = [];
    if (ev.per_second) buckets.push({ key: `endpoint:${destination}`, perSecond: ev.per_second });
    const jobRate = ev.job_id ? jobRates.get(ev.job_id)?.perSecond : null;
    if (jobRate) buckets.push({ key: `job:${ev.job_id}:${destination}`, perSecond: jobRate });
    if (buckets.length > 0) {
      const wait = await opts.buckets.take(buckets);
      if (wait > 0) {
        const until = Date.now() + wait;
        if (jobRate) throttled.jobs.set(ev.job_id!, until);
        else throttled.destinations.set(destination, until);
        await store.release(ev.id, owner, wait);
        return;
      }
    }
    const startedAt = new Date();
    const t0 = performance.now();
    let result;
    let secrets: string[];
    try {
      secrets = await secretsOf(ev);
    } catch (err) {
      if (!(err instanceof SecretsError)) throw err;
      // A secret that does not open: nothing is sent, unsigned or otherwise, until its key is back.
      return void (await finish(ev, { ok: false, error: `${err.code}: ${err.message}` }, startedAt, 0));
    }
    const body = envelope(ev.event_type, new Date(ev.created_at), ev.payload);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(ev.headers ?? {})) if (!reservedHeader(name) && typeof value === 'string') headers[name] = value;
    Object.assign(headers, { 'content-type': 'application/json', 'user-agent': 'leadflow-delivery/0.1' }, webhookHeaders(secrets, ev.id, Math.floor(Date.now() / 1000), body));
    try {
      result = await attemptWebhook({ fetch: opts.fetch, url: ev.url, headers, body, timeoutMs, signal: stopping.signal });
    } catch (err) {
      if (!stopping.signal.aborted) throw err;
      // Stopping: the event goes back as it was, to be sent again (same id) by whoever is next.
      await store.release(ev.id, owner, 0).catch(() => {});
      return;
    }
    await finish(ev, result, startedAt, Math.round(performance.now() - t0));
  }

  async function finish(ev: ClaimedEvent, result: Awaited<ReturnType<typeof attemptWebhook>>, startedAt: Date, durationMs: number) {
    const attempt = ev.attempts + 1;
    const gone = result.status === 410;
    const wait = result.ok || gone || result.forbidden ? null : nextWait(opts.schedule, attempt, retryAfterMs(result.retryAfter ?? null));
    const status = result.ok ? 'delivered' : wait === null ? 'failed' : 'pending';
    const disable = gone && ev.endpoint_id ? `the endpoint answered 410 Gone on ${startedAt.toISOString()}` : undefined;
    await store.finish(ev.id, owner, {
      status, waitMs: wait ?? undefined, httpStatus: result.status, error: result.error, startedAt, durationMs, disable, circuitFailures, circuitOpenMs,
    });
    metrics.webhookRequests.inc({ result: result.ok ? 'delivered' : 'failed' });
    if (status !== 'pending') metrics.rows.inc({ stage: 'delivery', outcome: status }, ev.lead_count);
    if (gone) {
      logger.warn({ endpointId: ev.endpoint_id, jobId: ev.job_id }, 'webhook answered 410 Gone: its pending events failed');
      await store.failPending(ev.endpoint_id ? { endpointId: ev.endpoint_id } : { tenantId: ev.tenant_id, url: ev.url }, 'HTTP 410 (the endpoint is gone)');
    } else if (status === 'failed') {
      logger.warn({ jobId: ev.job_id, status: result.status, error: result.error, attempts: attempt }, 'webhook delivery failed');
    }
  }

  async function claim(free: number): Promise<ClaimedEvent[]> {
    const events: ClaimedEvent[] = [];
    if (Date.now() - lastProbe >= pollMs) {
      lastProbe = Date.now();
      events.push(...(await store.claimProbes(owner, leaseMs, circuitOpenMs)));
    }
    if (free > events.length) {
      events.push(...(await store.claim(owner, free - events.length, leaseMs, { destinations: current(throttled.destinations), jobs: current(throttled.jobs) })));
    }
    const jobs = [...new Set(events.map((e) => e.job_id).filter((j): j is string => !!j))];
    const cancelled = jobs.length > 0 && opts.areCancelled ? await opts.areCancelled(jobs) : new Set<string>();
    if (cancelled.size > 0) await store.cancelJobs([...cancelled]);
    await refreshJobRates(events);
    return events.filter((e) => !e.job_id || !cancelled.has(e.job_id));
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping.signal.aborted) {
      const free = concurrency - inFlight.size;
      let claimed: ClaimedEvent[] = [];
      if (free > 0) {
        try {
          claimed = await claim(free);
          failures = 0;
        } catch (err) {
          failures++;
          logger.warn({ err }, 'the outbox could not be read; trying again');
          await sleep(Math.min(pollMs * 2 ** failures, 10_000));
          continue;
        }
      }
      for (const ev of claimed) {
        const sending = send(ev)
          .catch((err: unknown) => logger.warn({ err, jobId: ev.job_id }, 'an event could not be sent or recorded; its lease expires and it is sent again'))
          .finally(() => {
            inFlight.delete(sending);
            nudge();
          });
        inFlight.add(sending);
      }
      // A full claim: there may be more due at once. Else wait for a slot, a nudge or the poll.
      if (free > 0 && claimed.length === free) continue;
      await sleep(pollMs);
    }
  }

  return {
    async start() {
      loop ??= run();
    },
    async stop() {
      stopping.abort(new Error('delivery is stopping'));
      nudge();
      await loop;
      await Promise.allSettled([...inFlight]);
    },
    nudge,
  };
}
