import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The metrics of one process, on a registry of its own (never prom-client's global one), so
 * that several services in one process (`leadflow serve`) and tests do not collide.
 */
export interface Metrics {
  readonly registry: Registry;
  /** Rows that left a stage, by stage and outcome (accepted, invalid, duplicate, suppressed, ...). */
  readonly rows: Counter<'stage' | 'outcome'>;
  /** Batches a stage handled, by stage and result (ok, error, dead_letter). */
  readonly batches: Counter<'stage' | 'result'>;
  readonly batchSeconds: Histogram<'stage'>;
  /** Jobs by final status. */
  readonly jobs: Counter<'status'>;
  readonly webhookRequests: Counter<'result'>;
  readonly inFlightJobs: Gauge<'stage'>;
  /** Rows dedup found duplicates (exact_email, exact_phone, exact_key, fuzzy) or possible duplicates (possible). */
  readonly dedupMatches: Counter<'type'>;
  /** Candidates a row was compared with (bounded: it must not grow with the stored leads). */
  readonly dedupCandidates: Histogram;
  /** Rebuilds of a tenant's blocking index from PostgreSQL (after Redis was emptied, or in a new process). */
  readonly dedupIndexRebuildSeconds: Histogram;
  /** Jobs whose rows stopped arriving for longer than the gateway's stall time (Kafka mode), counted by the gateway. */
  readonly jobsStalled: Gauge;
  /** Age of each shared Do-Not-Call list's snapshot (docs/dnc-lists.md, "Freshness"). */
  readonly dncListAge: Gauge<'list'>;
  /** Rows held by the dnc stage while a national or state list is stale. */
  readonly dncHeldRows: Gauge;
  /** Calls refused by the gateway for their credential: missing, malformed, unknown, revoked, expired key, or a role that may not (forbidden). */
  readonly authFailures: Counter<'reason'>;
  /** Jobs of the last 7 days by their status now, counted by the gateway at an interval (job-metrics.ts). */
  readonly jobsByStatus: Gauge<'status'>;
  /** Upload to end of each job the gateway saw end, by final status. */
  readonly jobDuration: Histogram<'status'>;
  /** Percent done of each job running or recently ended, for the operators' jobs table; a job's series go when it leaves the table. */
  readonly jobProgress: Gauge<'job_id' | 'tenant' | 'supplier' | 'status'>;
  /** What each job of the jobs table cost so far: its price per lead times its rows, in its currency. */
  readonly jobCost: Gauge<'job_id' | 'currency'>;
  /** Messages each stage's consumer group has not committed on its input topic (Kafka mode, read by the gateway). */
  readonly stageLag: Gauge<'stage' | 'topic'>;
  /**
   * Rows stored, by tenant, supplier and outcome (accepted, invalid, duplicate, suppressed), counted once by persistence:
   * the supplier scorecard's panel. Past SUPPLIER_SERIES_LIMIT tenant and supplier pairs a process saw, the rest count as supplier `_other`.
   */
  readonly supplierRows: Counter<'tenant' | 'supplier' | 'outcome'>;
}

/** Tenant and supplier pairs one process gives series of their own in leadflow_supplier_rows_total: a bound on its cardinality. */
export const SUPPLIER_SERIES_LIMIT = 500;

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'leadflow_' });
  return {
    registry,
    rows: new Counter({
      name: 'leadflow_stage_rows_total',
      help: 'Rows that left a stage, by outcome.',
      labelNames: ['stage', 'outcome'],
      registers: [registry],
    }),
    batches: new Counter({
      name: 'leadflow_stage_batches_total',
      help: 'Batches a stage handled, by result.',
      labelNames: ['stage', 'result'],
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'leadflow_stage_batch_duration_seconds',
      help: 'Time a stage spent on one batch.',
      labelNames: ['stage'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'leadflow_jobs_total',
      help: 'Jobs that ended, by status.',
      labelNames: ['status'],
      registers: [registry],
    }),
    webhookRequests: new Counter({
      name: 'leadflow_delivery_webhook_requests_total',
      help: 'Webhook requests, by result.',
      labelNames: ['result'],
      registers: [registry],
    }),
    inFlightJobs: new Gauge({
      name: 'leadflow_stage_jobs_in_flight',
      help: 'Jobs a stage is working on now.',
      labelNames: ['stage'],
      registers: [registry],
    }),
    dedupMatches: new Counter({
      name: 'leadflow_dedup_matches_total',
      help: 'Rows dedup matched to an earlier row or lead, by match type (possible: kept, flagged for review).',
      labelNames: ['type'],
      registers: [registry],
    }),
    dedupCandidates: new Histogram({
      name: 'leadflow_dedup_candidates',
      help: 'Earlier rows and leads one row was compared with.',
      buckets: [0, 1, 2, 5, 10, 20, 50],
      registers: [registry],
    }),
    dedupIndexRebuildSeconds: new Histogram({
      name: 'leadflow_dedup_index_rebuild_duration_seconds',
      help: "Time to rebuild a tenant's blocking index from PostgreSQL.",
      buckets: [0.1, 1, 10, 60, 300, 900, 3600],
      registers: [registry],
    }),
    jobsStalled: new Gauge({
      name: 'leadflow_gateway_jobs_stalled',
      help: 'Jobs not ended whose rows stopped arriving for longer than GATEWAY_JOB_STALLED_AFTER_MS (jobs of the last 7 days).',
      registers: [registry],
    }),
    dncListAge: new Gauge({
      name: 'leadflow_dnc_list_age_seconds',
      help: "Age of each shared Do-Not-Call list's snapshot, by list (national, state:XX, ...); a national or state list older than DNC_MAX_LIST_AGE_DAYS holds or suppresses rows with phones.",
      labelNames: ['list'],
      registers: [registry],
    }),
    dncHeldRows: new Gauge({
      name: 'leadflow_dnc_held_rows',
      help: 'Rows held by the dnc stage until every national and state Do-Not-Call list is fresh again.',
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'leadflow_auth_failures_total',
      help: 'REST and gRPC calls refused for their API key, by reason (missing, malformed, unknown, revoked, expired, forbidden).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    jobsByStatus: new Gauge({
      name: 'leadflow_gateway_jobs',
      help: 'Jobs created in the last 7 days, by their status now (queued, running, awaiting_review, stalled, completed, failed, cancelled).',
      labelNames: ['status'],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'leadflow_job_duration_seconds',
      help: 'Time from upload to end of each job, by final status.',
      labelNames: ['status'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400],
      registers: [registry],
    }),
    jobProgress: new Gauge({
      name: 'leadflow_gateway_job_progress_percent',
      help: 'Percent done of each job not ended or ended in the last hour (at most GATEWAY_METRICS_JOBS of them), with its status and supplier.',
      labelNames: ['job_id', 'tenant', 'supplier', 'status'],
      registers: [registry],
    }),
    jobCost: new Gauge({
      name: 'leadflow_gateway_job_cost',
      help: 'Total cost so far of each job of leadflow_gateway_job_progress_percent that has a price: price per lead times rows, in its currency.',
      labelNames: ['job_id', 'currency'],
      registers: [registry],
    }),
    stageLag: new Gauge({
      name: 'leadflow_stage_consumer_lag_messages',
      help: "Messages on a stage's input topic its consumer group has not committed: batches of up to BATCH_SIZE rows (file chunks for ingest).",
      labelNames: ['stage', 'topic'],
      registers: [registry],
    }),
    supplierRows: new Counter({
      name: 'leadflow_supplier_rows_total',
      help: `Rows stored, by tenant, supplier (as the job names it; "" for none; _other past ${SUPPLIER_SERIES_LIMIT} pairs a process) and outcome.`,
      labelNames: ['tenant', 'supplier', 'outcome'],
      registers: [registry],
    }),
  };
}

/**
 * The supplier label of leadflow_supplier_rows_total for a tenant's supplier: its name while the
 * process has seen fewer than `limit` pairs, else `_other` for pairs it has not seen.
 */
export function supplierLabeller(limit = SUPPLIER_SERIES_LIMIT): (tenant: string, supplier: string) => string {
  const seen = new Set<string>();
  return (tenant, supplier) => {
    const key = `${tenant}\u0000${supplier}`;
    if (seen.has(key)) return supplier;
    if (seen.size >= limit) return '_other';
    seen.add(key);
    return supplier;
  };
}
