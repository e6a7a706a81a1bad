import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@leadflow/logger';
import type { Metrics } from '@leadflow/metrics';
import { SecretsError, type Keyring } from '@leadflow/secrets';
import { defaultSecretContext, endpointSecretContext } from './endpoint-store.js';
import type { ClaimedEvent, GroupedFinish, OutboxStore } from './outbox-store.js';
import { nextWait, retryAfterMs } from './retry-schedule.js';
import { envelope, newWebhookSecret, reservedHeader, webhookHeaders } from './standard-webhooks.js';
import type { Bucket, TokenBuckets } from './token-buckets.js';
import { attemptWebhook, type AttemptRequest } from './webhook.js';

/** The channel notified when events are written (migration 011): it wakes every replica's dispatcher. */
export const OUTBOX_CHANNEL = 'leadflow_delivery_outbox';

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

/** The most attempts one statement records (finishMany). */
const MAX_FINISH_GROUP = 500;

/** Events claimed ahead of the free slots, in slots: one claim feeds several rounds of requests. */
const PREFETCH_ROUNDS = 4;

/** A claimed event waiting for a slot: when it was claimed, and whether it is its endpoint's probe. */
type Queued = { ev: ClaimedEvent; at: number; probe: boolean };

/** Opened secrets kept by sealed value (an endpoint's secret is opened once, not per request). */
const OPENED_SECRETS_KEPT = 1_000;

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
  /**
   * A claim is made when at least this many slots are free (or nothing is in flight, or
   * something was written): under load, events are claimed in groups, not one per freed slot.
   */
  const claimAt = Math.max(1, Math.floor(concurrency / 4));
  /** The last claim took all it asked for: more may be due, so a freed slot looks again. */
  let backlog = false;
  /** Nudges so far: one that comes while a claim runs may name events that claim did not see. */
  let nudges = 0;
  /** Attempts that ended, in that order, waiting for the statement that records them. */
  const ended: { finish: GroupedFinish; done: (err?: unknown) => void }[] = [];
  let recording: Promise<void> | undefined;
  /** Claimed (leased), waiting for a slot; oldest first. */
  const queue: Queued[] = [];
  /** The group of queued events being prepared and confirmed (startGroup), and its size: slots taken. */
  let grouping: Promise<void> | undefined;
  let starting = 0;
  /**
   * Failures in a row per destination seen here: once they reach the circuit's count, the queued
   * events of the destination are given back rather than sent (its circuit opens as they are
   * recorded; only a probe goes then), as none would be claimed.
   */
  const failing = new Map<string, { n: number; at: number }>();
  /** Destinations that answered 410 Gone, when: their events queued before are not sent (they were failed). */
  const goneAway = new Map<string, number>();
  /** Leases to give back, in one statement. */
  const giveBack: { id: string; waitMs: number }[] = [];
  let givingBack: Promise<void> | undefined;
  const opened = new Map<string, string>();

  const wakeUp = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  /** Something was written: it may be due now, even if every slot is taken (then a freed one looks). */
  const nudge = () => {
    nudges++;
    backlog = true;
    wakeUp();
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => wakeUp(), ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
      if (stopping.signal.aborted) wakeUp();
    });

  /** A secret opened once per sealed value and context: opening is an AES-GCM decryption. */
  const open = (sealed: string, context: string): string => {
    const key = `${context}\n${sealed}`;
    let secret = opened.get(key);
    if (secret === undefined) {
      secret = opts.keyring.open(sealed, context);
      if (opened.size >= OPENED_SECRETS_KEPT) opened.delete(opened.keys().next().value!);
      opened.set(key, secret);
    }
    return secret;
  };

  /**
   * Records attempts in groups (finishMany): each one that ends joins the group being gathered
   * while the statement before runs, so a busy dispatcher makes one statement for many attempts
   * rather than one each. Resolves once this attempt is recorded.
   */
  const record = (finish: GroupedFinish) =>
    new Promise<void>((resolve, reject) => {
      ended.push({ finish, done: (err) => (err === undefined ? resolve() : reject(err)) });
      recording ??= recordEnded();
    });

  async function recordEnded(): Promise<void> {
    try {
      // The attempts that end in this turn of the event loop join the first group.
      await new Promise((resolve) => setImmediate(resolve));
      while (ended.length > 0) {
        const group = ended.splice(0, MAX_FINISH_GROUP);
        try {
          await store.finishMany(owner, group.map((g) => g.finish), { failures: circuitFailures, openMs: circuitOpenMs });
          for (const g of group) g.done();
          // A loop held back by attempts not yet recorded (below) goes on.
          if (backlog) wakeUp();
        } catch (err) {
          for (const g of group) g.done(err);
        }
      }
    } finally {
      recording = undefined;
    }
  }

  /** Gives a lease back with the others given back about now (releaseMany). */
  const release = (id: string, waitMs: number) => {
    giveBack.push({ id, waitMs });
    givingBack ??= (async () => {
      try {
        await new Promise((resolve) => setImmediate(resolve));
        while (giveBack.length > 0) {
          const group = giveBack.splice(0, MAX_FINISH_GROUP);
          // Not given back: the lease runs out and the event is sent then (same id).
          await store.releaseMany(owner, group).catch((err: unknown) => logger.warn({ err }, 'leases could not be given back; they run out'));
        }
      } finally {
        givingBack = undefined;
      }
    })();
  };

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
        const secrets = [sealed.current, ...(sealed.previous ? [sealed.previous] : [])].map((x) => open(x, context));
        if (defaultSecrets.size > 10_000) defaultSecrets.clear();
        defaultSecrets.set(ev.tenant_id, (known = { secrets, at: Date.now() }));
      }
      return known.secrets;
    }
    const secrets: string[] = [];
    if (ev.secret) secrets.push(ev.secret);
    else if (ev.secret_sealed) secrets.push(open(ev.secret_sealed, endpointSecretContext(ev.endpoint_id)));
    if (ev.previous_secret_sealed && ev.previous_valid) {
      // Sealed for its own column, or moved there as it was when the secret was rotated.
      try {
        secrets.push(open(ev.previous_secret_sealed, previousSecretContext(ev.endpoint_id)));
      } catch {
        secrets.push(open(ev.previous_secret_sealed, endpointSecretContext(ev.endpoint_id)));
      }
    }
    return secrets;
  }

  /**
   * What an event needs before its request: a token of its buckets (else its lease is given back,
   * due when the bucket has one) and its secrets opened (one that does not open is recorded as the
   * attempt, nothing sent). Undefined when it is not sent now.
   */
  async function prepare(ev: ClaimedEvent): Promise<string[] | undefined> {
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
        release(ev.id, wait);
        return undefined;
      }
    }
    try {
      return await secretsOf(ev);
    } catch (err) {
      if (!(err instanceof SecretsError)) throw err;
      // A secret that does not open: nothing is sent, unsigned or otherwise, until its key is back.
      await finish(ev, { ok: false, error: `${err.code}: ${err.message}` }, new Date(), 0);
      return undefined;
    }
  }

  /** Sends a confirmed event (its payload as the confirm read it) and records the attempt. */
  async function send(ev: ClaimedEvent, secrets: string[]): Promise<void> {
    const startedAt = new Date();
    const t0 = performance.now();
    const body = envelope(ev.event_type, new Date(ev.created_at), ev.payload);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(ev.headers ?? {})) if (!reservedHeader(name) && typeof value === 'string') headers[name] = value;
    Object.assign(headers, { 'content-type': 'application/json', 'user-agent': 'leadflow-delivery/0.1' }, webhookHeaders(secrets, ev.id, Math.floor(Date.now() / 1000), body));
    let result;
    try {
      result = await attemptWebhook({ fetch: opts.fetch, url: ev.url, headers, body, timeoutMs, signal: stopping.signal });
    } catch (err) {
      if (!stopping.signal.aborted) throw err;
      // Stopping: the event goes back as it was, to be sent again (same id) by whoever is next.
      release(ev.id, 0);
      return;
    }
    await finish(ev, result, startedAt, Math.round(performance.now() - t0));
  }

  /** Takes a slot for a confirmed event: its request starts now. */
  function start(ev: ClaimedEvent, secrets: string[]): void {
    const sending = send(ev, secrets)
      .catch((err: unknown) => logger.warn({ err, jobId: ev.job_id }, 'an event could not be sent or recorded; its lease expires and it is sent again'))
      .finally(() => {
        inFlight.delete(sending);
        pump();
        // More may be due: look again once the queue runs low, not for each freed slot.
        if (backlog && queue.length < claimAt) wakeUp();
      });
    inFlight.add(sending);
  }

  /**
   * Starts a group of queued events (docs/delivery.md "Nothing sent once ended"): prepared, then
   * confirmed in one statement, and the requests of those still pending under this lease started
   * in the turn its answer arrives, with their payload as it is now. One ended meanwhile by
   * another hand (a cancelled job, a suppressed lead, an erased person) or leased again elsewhere
   * is not sent: a cancel that commits before the confirm reads the row is seen by it, one that
   * commits after finds the request started (in flight).
   */
  async function startGroup(picked: readonly Queued[]): Promise<void> {
    const prepared = await Promise.all(
      picked.map(({ ev }) =>
        prepare(ev).catch((err: unknown) => {
          logger.warn({ err, jobId: ev.job_id }, 'an event could not be prepared; its lease expires and it is sent again');
          return undefined;
        }),
      ),
    );
    const ready = picked.flatMap(({ ev }, i) => (prepared[i] ? [{ ev, secrets: prepared[i] }] : []));
    if (ready.length === 0) return;
    let now;
    try {
      now = await store.confirm(owner, ready.map((r) => r.ev.id), leaseMs);
    } catch (err) {
      logger.warn({ err }, 'queued events could not be confirmed; given back unsent');
      for (const { ev } of ready) release(ev.id, 0);
      return;
    }
    if (stopping.signal.aborted) {
      for (const { ev } of ready) if (now.has(ev.id)) release(ev.id, 0);
      return;
    }
    const cancelled = new Set<string>();
    for (const { ev, secrets } of ready) {
      const current = now.get(ev.id);
      if (!current) continue;
      if (current.job_cancelled && ev.job_id) {
        cancelled.add(ev.job_id);
        continue;
      }
      start({ ...ev, payload: current.payload, lead_count: current.lead_count }, secrets);
    }
    if (cancelled.size > 0) await store.cancelJobs([...cancelled]).catch((err: unknown) => logger.warn({ err }, 'cancelled jobs\' events could not be ended; they are not sent'));
  }

  async function finish(ev: ClaimedEvent, result: Awaited<ReturnType<typeof attemptWebhook>>, startedAt: Date, durationMs: number) {
    const attempt = ev.attempts + 1;
    const gone = result.status === 410;
    const wait = result.ok || gone || result.forbidden ? null : nextWait(opts.schedule, attempt, retryAfterMs(result.retryAfter ?? null));
    const status = result.ok ? 'delivered' : wait === null ? 'failed' : 'pending';
    const disable = gone && ev.endpoint_id ? `the endpoint answered 410 Gone on ${startedAt.toISOString()}` : undefined;
    const finish = { id: ev.id, status, waitMs: wait ?? undefined, httpStatus: result.status, error: result.error, startedAt, durationMs } as const;
    const destination = ev.endpoint_id ?? ev.url;
    if (result.ok) failing.delete(destination);
    else {
      if (failing.size >= 10_000) failing.clear();
      failing.set(destination, { n: (failing.get(destination)?.n ?? 0) + 1, at: Date.now() });
    }
    if (gone) {
      // Its other events were failed with it: the queued ones are not sent.
      if (goneAway.size >= 10_000) goneAway.clear();
      goneAway.set(destination, Date.now());
    }
    const counted = () => {
      metrics.webhookRequests.inc({ result: result.ok ? 'delivered' : 'failed' });
      if (status !== 'pending') metrics.rows.inc({ stage: 'delivery', outcome: status }, ev.lead_count);
    };
    if (!gone) {
      // Recorded with the attempts that end about now, in one statement; the slot is free at once
      // (the event keeps its lease until then, so no dispatcher takes it meanwhile).
      void record(finish).then(counted, (err: unknown) =>
        logger.warn({ err, jobId: ev.job_id }, 'an attempt could not be recorded; its lease expires and the event is sent again'));
      if (status === 'failed') logger.warn({ jobId: ev.job_id, status: result.status, error: result.error, attempts: attempt }, 'webhook delivery failed');
      return;
    }
    // A 410 disables its endpoint: recorded alone, at once.
    await store.finish(ev.id, owner, { ...finish, disable, circuitFailures, circuitOpenMs });
    counted();
    logger.warn({ endpointId: ev.endpoint_id, jobId: ev.job_id }, 'webhook answered 410 Gone: its pending events failed');
    await store.failPending(ev.endpoint_id ? { endpointId: ev.endpoint_id } : { tenantId: ev.tenant_id, url: ev.url }, 'HTTP 410 (the endpoint is gone)');
  }

  async function claim(free: number): Promise<{ ev: ClaimedEvent; probe: boolean }[]> {
    const events: ClaimedEvent[] = [];
    let probes = 0;
    const nudgesBefore = nudges;
    let full = true;
    if (Date.now() - lastProbe >= pollMs) {
      lastProbe = Date.now();
      events.push(...(await store.claimProbes(owner, leaseMs, circuitOpenMs)));
      probes = events.length;
    }
    if (free > events.length) {
      const asked = free - events.length;
      const due = await store.claim(owner, asked, leaseMs, { destinations: current(throttled.destinations), jobs: current(throttled.jobs) });
      full = due.length === asked;
      events.push(...due);
    }
    backlog = full || nudges !== nudgesBefore;
    const jobs = [...new Set(events.map((e) => e.job_id).filter((j): j is string => !!j))];
    const cancelled = jobs.length > 0 && opts.areCancelled ? await opts.areCancelled(jobs) : new Set<string>();
    if (cancelled.size > 0) await store.cancelJobs([...cancelled]);
    await refreshJobRates(events);
    return events.map((ev, i) => ({ ev, probe: i < probes })).filter(({ ev }) => !ev.job_id || !cancelled.has(ev.job_id));
  }

  /** A throttled destination's or job's event waits (its lease given back) without asking the buckets. */
  const throttledFor = (ev: ClaimedEvent): number => {
    const now = Date.now();
    const d = throttled.destinations.get(ev.endpoint_id ?? ev.url) ?? 0;
    const j = ev.job_id ? (throttled.jobs.get(ev.job_id) ?? 0) : 0;
    return Math.max(d, j) - now;
  };

  /** Starts the queued events while slots are free, a group at a time (startGroup). */
  function pump(): void {
    // The group being confirmed pumps again when it is done, for the slots freed meanwhile.
    if (grouping) return;
    const picked: Queued[] = [];
    while (inFlight.size + picked.length < concurrency && queue.length > 0 && !stopping.signal.aborted) {
      const q = queue.shift()!;
      const { ev, at, probe } = q;
      const destination = ev.endpoint_id ?? ev.url;
      const f = failing.get(destination);
      // Claimed before: a claim made after sees the endpoint as it is (enabled again, circuit closed).
      if ((goneAway.get(destination) ?? -Infinity) >= at || (!probe && f && f.n >= circuitFailures && f.at >= at)) {
        release(ev.id, 0);
        continue;
      }
      // Its lease must outlast the request: one queued too long goes back (sent next time, same id).
      if (Date.now() - at > leaseMs - timeoutMs - 5_000) {
        release(ev.id, 0);
        continue;
      }
      const wait = throttledFor(ev);
      if (wait > 0) {
        release(ev.id, wait);
        continue;
      }
      picked.push(q);
    }
    if (picked.length === 0) return;
    starting = picked.length;
    grouping = startGroup(picked)
      .catch((err: unknown) => logger.warn({ err }, 'queued events could not be started; their leases expire and they are sent again'))
      .finally(() => {
        starting = 0;
        grouping = undefined;
        pump();
        if (backlog && queue.length < claimAt) wakeUp();
      });
  }

  async function run(): Promise<void> {
    let failures = 0;
    const prefetch = concurrency * PREFETCH_ROUNDS;
    while (!stopping.signal.aborted) {
      const room = prefetch - inFlight.size - starting - queue.length;
      // Claimed in groups: when the queue runs low, up to PREFETCH_ROUNDS slots' worth; held back
      // while too many ended attempts wait to be recorded.
      if (queue.length < claimAt && room >= claimAt && ended.length < MAX_FINISH_GROUP) {
        try {
          const at = Date.now();
          for (const c of await claim(room)) queue.push({ ...c, at });
          failures = 0;
        } catch (err) {
          failures++;
          logger.warn({ err }, 'the outbox could not be read; trying again');
          await sleep(Math.min(pollMs * 2 ** failures, 10_000));
          continue;
        }
        pump();
      }
      // More may be due and there is room: look again at once. Else wait for the queue, a nudge or the poll.
      if (backlog && queue.length < claimAt && prefetch - inFlight.size - starting - queue.length >= claimAt && ended.length < MAX_FINISH_GROUP) continue;
      await sleep(pollMs);
    }
    // Stopping: what was claimed and not started goes back as it was.
    for (const { ev } of queue.splice(0)) release(ev.id, 0);
  }

  return {
    async start() {
      loop ??= run();
    },
    async stop() {
      stopping.abort(new Error('delivery is stopping'));
      wakeUp();
      await loop;
      await grouping;
      await Promise.allSettled([...inFlight]);
      await recording;
      await givingBack;
    },
    nudge,
  };
}
