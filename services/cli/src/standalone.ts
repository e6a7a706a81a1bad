import {
  createDedupStage,
  createSqlCandidateIndex,
  createSqlFingerprintStore,
  createSqlPolicies,
  createSqlStoredLeads,
  forgetRowsNeverStored,
  migrations as dedupMigrations,
  type CandidateIndex,
  type DedupPolicy,
} from '@leadflow/dedup';
import {
  createDispatcher,
  createMemoryTokenBuckets,
  createOutboxStage,
  createOutboxStore,
  createSqlEndpointStore,
  DEFAULT_RETRY_SCHEDULE,
  migrations as deliveryMigrations,
  parseRetrySchedule,
  sealEndpointSecrets,
  type Dispatcher,
  writeLeadSuppressed,
} from '@leadflow/delivery';
import {
  AUDIT_PHONE_PURPOSE, auditUpkeepModule, createDncStage, createErasedScreen, createSqlDncAudit, createSqlHeldRows, DEFAULT_WIRELESS_STATES, heldRowsReleaser, listAgeGauge, rescreenWorker,
  migrations as dncMigrations, sqlStalePolicy, type PhoneHash, type StaleListPolicy,
} from '@leadflow/dnc';
import { createEnrichmentStage, createSqlQualitySettings, createSqlTagRules } from '@leadflow/enrichment';
import { createSqlJobStore, migrations as gatewayMigrations, rescreeningRegistry, type JobStore, type LeadSink, type UploadSink } from '@leadflow/gateway';
import { openUploadReader, readRows, recordReads, saveRowsRead, type ReadLimits } from '@leadflow/ingest';
import type { Logger } from '@leadflow/logger';
import { createMappingStage, createSqlMappingStore, createSqlSynonymStore, createTenantAliases, migrations as mappingMigrations } from '@leadflow/mapping';
import type { Metrics } from '@leadflow/metrics';
import { createOutboundFetch, type OutboundRules } from '@leadflow/outbound';
import { createPersistenceStage, createSqlLeadStore, createSqlRescreenLeadStore, migrations as persistenceMigrations, rawCleanupModule } from '@leadflow/persistence';
import { createCancelledJobs, instrument, LeadflowError, outputsOf, runPipeline, skipCancelled, type CancelledJobs, type Sink } from '@leadflow/pipeline';
import type { JobRef, LeadBatch, RowBatch } from '@leadflow/proto';
import type { Keyring } from '@leadflow/secrets';
import { createInProcessLeadSink } from './in-process-lead-sink.js';
import { gatherIds } from './gathered-calls.js';
import { startJobRunner } from './job-runner.js';
import { createPriorityTurns } from './priority-turns.js';
import { secretKeyring } from './secret-keyring.js';
import {
  createPglite,
  createPostgres,
  createSqlDncExemptions,
  createSqlDncRegistry,
  createSqlErasedSubjects,
  dncListMigrations,
  migrate,
  sqlCancelLookup,
  sqlCancelLookupMany,
  createLocalCancels,
  type LocalCancels,
  type DncRegistry,
  type SqlClient,
} from '@leadflow/stores';

export interface StandaloneOptions {
  /** A PostgreSQL server; without it the embedded database (PGlite) is used. */
  databaseUrl?: string;
  /** Folder of the embedded database; kept between runs so later files dedupe against earlier ones. */
  dataDir?: string;
  logger: Logger;
  metrics: Metrics;
  /** Rows per batch. @default 500 */
  batchSize?: number;
  /** Region for phone numbers without a country code. @default 'US' */
  defaultRegion?: string;
  /** What one file may hold. */
  limits?: Partial<ReadLimits>;
  /** How duplicates are found. @default DEFAULT_POLICY */
  dedupPolicy?: DedupPolicy;
  /** Where webhooks may go (OUTBOUND_ALLOW_CIDRS, OUTBOUND_ALLOW_HTTP). */
  outbound: OutboundRules;
  /**
   * The keys that seal the webhook endpoints' secrets (LEADFLOW_SECRET_KEYS); null: the key file
   * beside `dataDir`, read (or made) once the database opened (secretKeyring).
   */
  secretKeys: Keyring | null;
  /** How often a tenant's header synonyms are checked for a change made by another process. @default 30000 */
  synonymsReloadMs?: number;
  /** Days the DNC audit keeps a check (DNC_AUDIT_RETENTION_DAYS). @default 1826 */
  auditRetentionDays?: number;
  /** Hours raw cells are kept, and how often they are cleaned (RAW_RETENTION_HOURS, RAW_CLEANUP_INTERVAL_MS). @default 48 h, hourly */
  rawRetention?: { hours: number; intervalMs: number };
  /** List freshness and wireless states (DNC_MAX_LIST_AGE_DAYS, DNC_STALE_LIST_POLICY, DNC_WIRELESS_STATES, DNC_HELD_RELEASE_MS). */
  dncSettings?: Partial<DncSettings>;
  /** The delivery dispatcher's settings (DELIVERY_RETRY_SCHEDULE, ...: dispatcherSchema). */
  delivery?: DeliverySettings;
}

/** The dnc stage's settings of freshness and wireless states (docs/dnc-lists.md). */
export interface DncSettings {
  maxListAgeDays: number;
  staleListPolicy: StaleListPolicy;
  wirelessStates: readonly string[];
  heldReleaseMs: number;
  /** Re-screening (docs/rescreen.md): hours after which a stored lead is screened again (DNC_RESCREEN_INTERVAL_HOURS). @default 720 */
  rescreenIntervalHours?: number;
  /** How often the schedule looks (DNC_RESCREEN_SCHEDULE_MS). @default 3600000 */
  rescreenScheduleMs?: number;
  /** How often asked-for re-screenings are looked for (DNC_RESCREEN_POLL_MS). @default 5000 */
  rescreenPollMs?: number;
}

/** What the dispatcher of a standalone process is told (dispatcherSchema). */
export interface DeliverySettings {
  retrySchedule?: readonly number[];
  deliveryConcurrency?: number;
  timeoutMs?: number;
  deliveryPollMs?: number;
  circuitFailures?: number;
  circuitOpenMs?: number;
}

/** What every standalone command is given: the stores' place and the process's logger and metrics. */
export interface StandaloneEnvironment {
  logger: Logger;
  metrics: Metrics;
  databaseUrl?: string;
  dataDir: string;
  batchSize: number;
  tenantId: string;
  limits: ReadLimits;
  dedupPolicy?: DedupPolicy;
  outbound: OutboundRules;
  /** LEADFLOW_SECRET_KEYS; null: the key file beside the data folder (secretKeyring). */
  secretKeys: Keyring | null;
  synonymsReloadMs?: number;
  auditRetentionDays?: number;
  rawRetention?: { hours: number; intervalMs: number };
  dncSettings?: Partial<DncSettings>;
  delivery?: DeliverySettings;
}

export interface Standalone {
  db: SqlClient;
  /** The jobs, each created as run by this process (see startJobRunner). */
  jobs: JobStore;
  /** This process's name as the runner of its jobs. */
  runner: string;
  /**
   * The cancel marks of the jobs made and cancelled in this process, known without a statement
   * (local-cancels.ts): on the embedded database only, which this process alone opens; the
   * gateway's job store tells it of each. Undefined on DATABASE_URL.
   */
  cancels: LocalCancels | undefined;
  dnc: DncRegistry;
  /** The installation's keyed hashes of a number under every key held: how the DNC audit is searched (GET /v1/dnc/audit). */
  auditHashes(phone: string): Buffer[];
  /** Passes on the rows held for a stale list, if every list is fresh now; resolves once they went on. */
  releaseHeldRows(): Promise<void>;
  /** Works through the re-screenings asked for (docs/rescreen.md) now; resolves once they are done. */
  rescreen(): Promise<void>;
  /** Dedup's blocking index, shared with the gateway (it marks reviewed duplicates in it). */
  dedupIndex: CandidateIndex;
  /** Tells the mapping stage that a tenant's header synonyms changed (the gateway in `serve`): its next job reads them. */
  synonymsChanged(tenantId: string): void;
  /** Tells the enrichment stage that a tenant's tag rules changed (the gateway in `serve`): its next batch reads them. */
  tagRulesChanged(tenantId: string): void;
  /** Tells the dnc stage that a tenant erased a person (the gateway in `serve`): its next batch screens against them. */
  erased(tenantId: string): void;
  /**
   * Runs one job's bytes through every stage; resolves when its last batch is stored and delivered.
   * `onRead` sees each batch of rows as ingest reads it (progress).
   */
  /**
   * Runs a job of one file, or of several (each its name and bytes, read in turn as one upload's:
   * docs/several-files.md), through every stage.
   */
  processJob(
    job: JobRef,
    source: AsyncIterable<Uint8Array> | readonly { name: string; chunks: AsyncIterable<Uint8Array> }[],
    sinks?: readonly Sink<LeadBatch>[],
    onRead?: (batch: RowBatch) => void,
  ): Promise<void>;
  /** An upload sink that runs each upload's pipeline in this process (for the gateway in `serve`). */
  uploadSink(onError: (job: JobRef, err: unknown) => void): UploadSink;
  /** A sink that runs each single lead through the stages in this process (for the gateway in `serve`). */
  leadSink(onError: (job: JobRef, err: unknown) => void): LeadSink;
  /** The keys webhook secrets are sealed with: the gateway's webhook routes make and show secrets with them. */
  secretKeys: Keyring;
  /**
   * Waits, at most `maxWaitMs`, until the job's outbox holds no event due within that time (every
   * event delivered or failed, or waiting for a retry later): what `leadflow run --webhook` reports.
   */
  drainDelivery(jobId: string, maxWaitMs: number): Promise<void>;
  /** Something was written to the outbox outside the pipeline (a review decision's lead.updated): the dispatcher looks at once. */
  deliveryWritten(): void;
  /** Waits for the jobs in flight, stops the dispatcher, then closes the database. */
  close(): Promise<void>;
}

/** The job's row batches until it is cancelled: then its file is read no further (docs/job-cancel.md). */
async function* untilCancelled(batches: AsyncIterable<RowBatch>, jobId: string, cancelled: CancelledJobs, onCancel: () => void): AsyncGenerator<RowBatch> {
  for await (const batch of batches) {
    if (await cancelled.isCancelled(jobId)) return onCancel();
    yield batch;
  }
}

async function* observed<T>(items: AsyncIterable<T>, see: (item: T) => void): AsyncGenerator<T> {
  for await (const item of items) {
    see(item);
    yield item;
  }
}

async function* once<T>(item: T): AsyncGenerator<T> {
  yield item;
}

/** How long the jobs of single leads that ended are gathered before they are let go together (jobs.ran). */
const LET_GO_MS = 100;

/** How long delivery believes a tenant's webhook endpoints: one added or changed over the API is used at most this long after. */
const ENDPOINTS_FOR_MS = 1_000;

/**
 * Standalone mode (docs/architecture.md section 1): the same stages as the services, composed in
 * one process, on the embedded database (or DATABASE_URL), which also holds what Redis holds
 * for the services: dedup's index and claims in tables, so that memory stays bounded.
 */
export async function openStandalone(opts: StandaloneOptions): Promise<Standalone> {
  const outbound = createOutboundFetch(opts.outbound);
  const db = opts.databaseUrl ? createPostgres({ url: opts.databaseUrl, applicationName: 'leadflow' }) : await createPglite({ dataDir: opts.dataDir });
  // The embedded database is this process's alone (its folder's lock): what it wrote is known without reading it back.
  const soleWriter = db.kind === 'pglite';
  const cancels = soleWriter ? createLocalCancels() : undefined;
  const { logger, metrics } = opts;
  let dispatcher: Dispatcher;
  let auditUpkeep: ReturnType<typeof auditUpkeepModule>;
  let rawCleanup: ReturnType<typeof rawCleanupModule>;
  let hashOf: PhoneHash;
  let keys: Keyring;
  let auditHashes: (phone: string) => Buffer[];
  try {
    for (const m of [gatewayMigrations, mappingMigrations, persistenceMigrations, dedupMigrations, dncListMigrations, dncMigrations, deliveryMigrations]) {
      await migrate(db, m);
    }
    // After the database: a data folder that cannot be used is the problem to report, not its key file.
    keys = secretKeyring(opts.secretKeys, opts.dataDir);
    await sealEndpointSecrets(createSqlEndpointStore(db, keys), logger);
    // The outbox's sender (docs/delivery.md): what this process's jobs wrote, and what an earlier
    // run left pending, is sent outside the pipeline; rate buckets in this process.
    const d = opts.delivery ?? {};
    dispatcher = createDispatcher({
      store: createOutboxStore(db), keyring: keys, buckets: createMemoryTokenBuckets(), fetch: outbound, logger, metrics,
      schedule: d.retrySchedule ?? parseRetrySchedule(DEFAULT_RETRY_SCHEDULE), concurrency: d.deliveryConcurrency ?? 16, timeoutMs: d.timeoutMs,
      pollMs: d.deliveryPollMs, circuitFailures: d.circuitFailures, circuitOpenMs: d.circuitOpenMs, areCancelled: sqlCancelLookupMany(db, cancels),
    });
    hashOf = (phone) => keys.keyedHash(AUDIT_PHONE_PURPOSE, phone);
    auditHashes = (phone) => keys.keyedHashes(AUDIT_PHONE_PURPOSE, phone).map((h) => h.hash);
    auditUpkeep = auditUpkeepModule({ db, hashOf, retentionDays: opts.auditRetentionDays ?? 1826, logger });
    await auditUpkeep.start();
    const raw = opts.rawRetention ?? { hours: 48, intervalMs: 3600_000 };
    rawCleanup = rawCleanupModule({ db, retentionHours: raw.hours, intervalMs: raw.intervalMs, logger });
    await rawCleanup.start();
  } catch (err) {
    // The embedded folder is given up, so that the next start is not told another process holds it.
    await db.close().catch(() => {});
    await outbound.close().catch(() => {});
    throw err;
  }
  const runner = await startJobRunner(db, createSqlJobStore(db), logger);
  const jobs = createSqlJobStore(db, { runner: runner.name, cancels });
  const dncSettings: DncSettings = { maxListAgeDays: 31, staleListPolicy: 'hold', wirelessStates: DEFAULT_WIRELESS_STATES, heldReleaseMs: 5_000, ...opts.dncSettings };
  // The lists live in the database, so they outlast the process (docs/dnc-lists.md). A load passes
  // on the rows held for a stale list, once it made every list fresh (below).
  const dncTables = createSqlDncRegistry(db);
  // Every change of a list asks for the re-screening of the stored leads it concerns (docs/rescreen.md).
  const dnc: DncRegistry = rescreeningRegistry({
    ...dncTables,
    async load(req, parts) {
      const loaded = await dncTables.load(req, parts);
      await releaser.nudge();
      return loaded;
    },
  }, db, () => void rescreens.nudge());
  const storedPolicies = createSqlPolicies(db);
  // Each tenant's quality settings (PUT /v1/settings/quality): weights, threshold, calling window, exclusivity window.
  const qualitySettings = createSqlQualitySettings(db);
  const aliases = createTenantAliases(createSqlSynonymStore(db), { reloadMs: opts.synonymsReloadMs });
  const tagRules = createSqlTagRules(db, {
    onUnreadable: (tenantId, err) => logger.warn({ tenantId, err: err.message }, "a tenant's tag rules no longer parse: its leads get none until they are saved again"),
  });
  const cancelLookup = sqlCancelLookup(db, cancels);
  const cancelled = createCancelledJobs(cancelLookup, { lookupMany: sqlCancelLookupMany(db, cancels) });
  const mapping = instrument(
    'mapping',
    skipCancelled(createMappingStage({ defaultRegion: opts.defaultRegion, store: createSqlMappingStore(db), aliases: aliases.get }), cancelled),
    metrics,
  );
  const dedupIndex = createSqlCandidateIndex(db, { soleWriter });
  // The persons each tenant erased, by keyed hash (docs/erasure.md): every row screened against them.
  const erased = createErasedScreen({ subjects: createSqlErasedSubjects(db), hashes: (purpose, value) => keys.keyedHashes(purpose, value) });
  const dncStage = createDncStage({
    registry: dnc,
    erased,
    audit: createSqlDncAudit(db, hashOf),
    exemptions: createSqlDncExemptions(db),
    wirelessStates: dncSettings.wirelessStates,
    freshness: { maxAgeDays: dncSettings.maxListAgeDays, policyOf: sqlStalePolicy(db, dncSettings.staleListPolicy), held: createSqlHeldRows(db) },
  });
  const persistenceStage = createPersistenceStage({ store: createSqlLeadStore(db, { cancels }), logger, metrics });
  const stages = [
    ['dedup', createDedupStage({
      fingerprints: createSqlFingerprintStore(db),
      index: dedupIndex,
      metrics,
      leads: createSqlStoredLeads(db),
      cancelled,
      policy: async (tenantId, supplier) => ({ ...opts.dedupPolicy, ...(await storedPolicies(tenantId, supplier)) }),
      exclusivityDays: async (tenantId) => (await qualitySettings(tenantId)).exclusivityDays,
    })],
    ['enrichment', createEnrichmentStage({ tagRules, settings: qualitySettings })],
    ['dnc', dncStage],
    ['persistence', persistenceStage],
  ] as const;
  const instrumented = stages.map(([name, stage]) => instrument(name, skipCancelled(stage, cancelled), metrics));
  // The endpoints are read once per ENDPOINTS_FOR_MS, not per batch (each single lead is one).
  const delivery = createOutboxStage({ db, logger, metrics, isCancelled: cancelLookup, endpointsForMs: ENDPOINTS_FOR_MS, onWritten: dispatcher.nudge });
  await dispatcher.start();
  const outbox = createOutboxStore(db);
  // Rows held for a stale list go on, screened again, through persistence and delivery once every
  // national and state list is fresh: at start, every DNC_HELD_RELEASE_MS and after a load.
  const releaser = heldRowsReleaser({
    db, screen: dncStage, maxAgeDays: dncSettings.maxListAgeDays, intervalMs: dncSettings.heldReleaseMs, logger,
    emit: async (batch) => {
      if (await cancelLookup(batch.job!.jobId)) return;
      for (const stored of outputsOf(await persistenceStage(batch))) await delivery(stored);
    },
  });
  // Stored leads screened again: asked for (a list change, POST /v1/dnc/rescreen) and on the schedule (docs/rescreen.md).
  const rescreenExemptions = createSqlDncExemptions(db);
  const rescreens = rescreenWorker({
    db, logger, leads: createSqlRescreenLeadStore(db), pollMs: dncSettings.rescreenPollMs ?? 5_000,
    schedule: { intervalHours: dncSettings.rescreenIntervalHours ?? 720, everyMs: dncSettings.rescreenScheduleMs ?? 3_600_000 },
    stageFor: (rescreen) => createDncStage({ registry: dnc, audit: createSqlDncAudit(db, hashOf, { rescreen }), exemptions: rescreenExemptions, wirelessStates: dncSettings.wirelessStates, erased }),
    notify: (tx, tenantId, leads) => writeLeadSuppressed(tx, tenantId, leads),
    onSuppressed: () => dispatcher.nudge(),
  });
  const ages = listAgeGauge({ db, metrics, logger });
  await releaser.start();
  await ages.start();
  await rescreens.start();
  void releaser.nudge();
  const inFlight = new Set<Promise<void>>();
  const priority = createPriorityTurns();
  const saveRows = saveRowsRead(db);
  // A single lead's job ended here: it no longer needs this process (a job that ended is never
  // interrupted, so it may be said a moment later, with the others of that moment).
  const letGo = gatherIds((ids) => jobs.ran(ids, runner.name), LET_GO_MS);

  /**
   * Runs one job's batches through every stage. A job cancelled meanwhile leaves dedup's claims
   * and index entries of the rows it never stored: forgotten once its last batch went through,
   * so that they make no later row a duplicate of a lead that does not exist. `filed` sinks see
   * each batch as persistence passed it on, before delivery. `allStored` says, once the run is
   * over, that every row of the job was stored: then nothing is left to forget, and no look-up is made.
   */
  const run = async (
    job: JobRef, source: AsyncIterable<RowBatch>, sinks: readonly Sink<LeadBatch>[] = [], onCancel = () => {}, filed: readonly Sink<LeadBatch>[] = [],
    allStored = () => false,
  ) => {
    const { jobId } = job;
    // A job's batches wait while a job of a higher priority runs (docs/job-priority.md).
    const turns = priority.gate(untilCancelled(source, jobId, cancelled, onCancel), job.priority);
    try {
      await runPipeline({ source: turns.batches, mapping, stages: instrumented, sinks: [...filed, delivery, ...sinks] });
    } finally {
      turns.done();
    }
    if (!allStored() && (await cancelLookup(jobId))) await forgetRowsNeverStored(db, [jobId]);
  };
  const processJob: Standalone['processJob'] = (job, source, sinks, onRead) =>
    runner.running(job.jobId, async () => {
      if (!Array.isArray(source)) {
        const rows = readRows(source as AsyncIterable<Uint8Array>, { ...opts.limits, job, batchSize: opts.batchSize, sheet: job.sheet || undefined });
        return run(job, onRead ? observed(rows, onRead) : rows, sinks);
      }
      const files = source as readonly { name: string; chunks: AsyncIterable<Uint8Array> }[];
      // As an upload of several files is read: each file's rows numbered within it, one job.
      const saved = recordReads(
        (rows, total, fileRows) => saveRows(job.jobId, rows, total, fileRows),
        (err) => logger.warn({ err, jobId: job.jobId }, 'the rows read of a job could not be recorded'),
      );
      const reader = openUploadReader(job, {
        batchSize: opts.batchSize, limits: opts.limits, onRead: (batch) => (saved(batch), onRead?.(batch)),
      });
      const feeding = (async () => {
        for (const [i, file] of files.entries()) {
          if (i > 0) await reader.nextFile(file.name);
          for await (const chunk of file.chunks) await reader.write(chunk);
        }
        await reader.end();
      })();
      // A file that cannot be read refuses the rest: the job fails with it, its rows before kept (the batches say so).
      const fed = feeding.catch((err) => {
        if (!(err as { jobFailure?: unknown }).jobFailure) reader.abort(err as Error);
      });
      await run(job, reader.batches, sinks);
      await fed;
    });
  /** Runs in the background until close(); a failure goes to `onError`. */
  const track = (running: Promise<void>, onError: (err: unknown) => void) => {
    const tracked = running.catch(onError);
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
  };

  return {
    db,
    jobs,
    secretKeys: keys,
    runner: runner.name,
    cancels,
    dnc,
    auditHashes: (phone) => auditHashes(phone),
    releaseHeldRows: releaser.nudge,
    rescreen: rescreens.nudge,
    dedupIndex,
    synonymsChanged: aliases.forget,
    tagRulesChanged: tagRules.forget,
    erased: erased.forget,
    processJob,
    uploadSink(onError) {
      return {
        // Read as it arrives, so an unreadable file is refused at once; its rows go on once it is whole.
        open(job) {
          const onRead = recordReads(
            (rows, total, files) => saveRows(job.jobId, rows, total, files),
            (err) => logger.warn({ err, jobId: job.jobId }, 'the rows read of a job could not be recorded'),
          );
          const reader = openUploadReader(job, { batchSize: opts.batchSize, limits: opts.limits, onRead });
          // Cancelled while its bytes still arrive: the reader is dropped, the rest of the upload taken and let go.
          let dropped = false;
          const drop = () => {
            dropped = true;
            reader.abort(new LeadflowError('JOB_CANCELLED', 'the job was cancelled', false));
          };
          track(runner.running(job.jobId, () => run(job, reader.batches, [], drop)), (err) => {
            reader.abort(err as Error);
            onError(job, err);
          });
          return {
            write: async (chunk) => (dropped ? undefined : reader.write(chunk)),
            nextFile: async (fileName) => (dropped ? undefined : reader.nextFile(fileName)),
            end: async (final) => (dropped ? undefined : reader.end(final)),
            fail: async (failure) => reader.fail(failure),
          };
        },
        // The mapping stage holds a job in review; the decision releases its rows through the stages.
        async decide(job, decision) {
          const batch: RowBatch = { job, seq: 0, header: [], rows: [], last: false, totalRows: 0, failure: undefined, decision };
          track(runner.running(job.jobId, () => run(job, once(batch))), (err) => onError(job, err));
        },
      };
    },
    leadSink(onError) {
      return createInProcessLeadSink({
        // The gateway of this process made the job with this process as its runner (no runner.running's
        // first statement): it only lets go of it once the lead went through.
        run: async (batch, filed) => {
          const { jobId } = batch.job!;
          // Made by the gateway a moment ago, not cancelled then: the stages need not ask before
          // its one batch (persistence and delivery still check the mark themselves).
          cancelled.notCancelledNow(jobId);
          // Its rows (one, or one per lead sent at once) passed persistence: stored, so nothing of them is left to forget.
          let passed = 0;
          const seen: Sink<LeadBatch> = async (b) => {
            passed += b.rows.length;
            await filed(b);
          };
          // A single lead goes first, as on Kafka's high-priority topics.
          await run({ ...batch.job!, priority: 'high' }, once(batch), [], undefined, [seen], () => passed >= batch.rows.length);
          await letGo(jobId);
        },
        track,
        onError,
      });
    },
    deliveryWritten: () => dispatcher.nudge(),
    async drainDelivery(jobId, maxWaitMs) {
      const until = Date.now() + maxWaitMs;
      for (let i = 0; Date.now() < until && i < 100_000; i++) {
        if ((await outbox.pendingOf(jobId, until - Date.now())).due === 0) return;
        dispatcher.nudge();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await Promise.allSettled([...inFlight]);
      await releaser.stop();
      await rescreens.stop();
      await ages.stop();
      await dispatcher.stop();
      await runner.stop();
      await auditUpkeep.stop();
      await rawCleanup.stop();
      await outbound.close();
      await db.close();
    },
  };
}
