import type { CandidateIndex } from '@leadflow/dedup';
import { setLogger } from '@grpc/grpc-js';
import { listenOrExplain } from '@leadflow/lifecycle';
import type { Logger } from '@leadflow/logger';
import { createSqlSupplierMappingStore, createSqlSynonymStore } from '@leadflow/mapping';
import { leadExists, leadMerges, recentRejections, revertMerge, type MergeRecord } from '@leadflow/persistence';
import type { Metrics } from '@leadflow/metrics';
import type { OutboundRules } from '@leadflow/outbound';
import { createEndpointAdmin, writeLeadChanges } from '@leadflow/delivery';
import type { Keyring } from '@leadflow/secrets';
import { createSqlDncExemptions, type DncRegistry, type LocalCancels, type Redis, type SqlClient } from '@leadflow/stores';
import type { Counter } from 'prom-client';
import { createSqlApiKeyStore } from './api-key-store.js';
import { createConcurrencyLimit, type ConcurrencyLimits } from './concurrency-limit.js';
import { createGrpcServer } from './grpc-server.js';
import { exportCsv } from './job-exports.js';
import { createJobAdmission } from './job-admission.js';
import { createJobFacts } from './job-facts.js';
import { jobMetrics, type JobMetricsOptions } from './job-metrics.js';
import { createJobService } from './job-service.js';
import { createSqlJobStore } from './job-store.js';
import { ownedElsewhere } from './owned-elsewhere.js';
import { createDncComplianceService } from './dnc-compliance-service.js';
import { createRescreenService, rescreeningRegistry } from './rescreen-service.js';
import { buildRestApp } from './rest-app.js';
import { possibleDuplicateReview } from './review.js';
import { createSqlScorecardFacts } from './supplier-scorecard.js';
import { createSqlSupplierStore } from './supplier-store.js';
import { storageReport } from './storage-report.js';
import { createErasure } from './erasure.js';
import { moveClearErasures } from './erasure-legacy.js';
import { createSqlTagRuleStore } from './tag-rule-settings.js';
import type { LeadSink } from './lead-sink.js';
import type { UploadSink } from './upload-sink.js';

/** How long a gateway believes a key that verified: a key revoked on another replica or by the CLI works at most this long after. */
export const KEY_VERIFIED_FOR_MS = 5_000;

export interface GatewayOptions {
  db: SqlClient;
  uploads: UploadSink;
  /** Where single leads go (POST /v1/leads, SubmitLead); none: the gateway takes none. */
  leads?: LeadSink;
  dnc: DncRegistry;
  /** The dedup service's blocking index (Redis, or standalone's in-process one), where reviewed duplicates are marked. */
  dedupIndex?: CandidateIndex;
  /** Kafka mode: the Redis dedup keeps its exact-key claims in, where an erasure forgets the person's (docs/erasure.md). */
  redis?: Redis;
  logger: Logger;
  /** Also serve /metrics on the REST port (standalone mode). */
  metrics?: Metrics;
  /** leadflow_auth_failures_total of the process's metrics. */
  authFailures?: Counter<'reason'>;
  /** leadflow_jobs_total of the process's metrics: the gateway counts the jobs it cancels. */
  jobsEnded?: Counter<'status'>;
  /** Uploads and event streams one tenant may hold open at once, over REST and gRPC together. @default DEFAULT_LIMITS */
  limits?: ConcurrencyLimits;
  httpPort: number;
  grpcPort: number;
  /** @default '0.0.0.0' */
  host?: string;
  maxUploadBytes: number;
  /** Tenants whose admins may load the shared Do-Not-Call lists over the API (DNC_OPERATOR_TENANTS). */
  dncOperators?: readonly string[];
  /**
   * The keyed hashes of a number under every installation key held (Keyring.keyedHashes, purpose
   * dnc-audit-phone): how GET /v1/dnc/audit finds a number's checks. None: that route answers 503.
   */
  auditHashes?: (phone: string) => Buffer[];
  /** What /readyz on the REST port answers. @default ready once the gateway listens */
  isReady?: () => boolean;
  /** A job whose rows stop arriving for longer than this is shown `stalled` (Kafka mode). @default never */
  stalledAfterMs?: number;
  /** The standalone process that runs the jobs uploaded here (see JobStore.run); none in Kafka mode. */
  runner?: string;
  /** Told of each job made and cancelled here (`leadflow serve` on its embedded database, local-cancels.ts). */
  cancels?: LocalCancels;
  /** Where a job's webhook may point (OUTBOUND_ALLOW_CIDRS, OUTBOUND_ALLOW_HTTP), checked when it is saved. */
  outbound: OutboundRules;
  /** Told when a tenant's header synonyms change: `leadflow serve`'s mapping stage rereads them at once. */
  onSynonymsChanged?: (tenantId: string) => void;
  /**
   * The keys webhook secrets are sealed with (LEADFLOW_SECRET_KEYS, or serve's key file): the
   * webhook routes make, rotate and show secrets with them. None: those routes answer INTERNAL.
   */
  secretKeys?: Keyring;
  /** Told when a review decision or a reverted merge wrote lead.updated to the outbox: `leadflow serve`'s dispatcher looks at once. */
  onLeadChanged?: () => void;
  /** Told when a tenant's tag rules change: `leadflow serve`'s enrichment stage rereads them at once. */
  onTagRulesChanged?: (tenantId: string) => void;
  /** Told when a tenant erased a person (POST /v1/erasure): `leadflow serve`'s dnc stage rereads the tenant's erased persons at once. */
  onErased?: (tenantId: string) => void;
  /** Told when a re-screening was asked for (a list change, POST /v1/dnc/rescreen): `leadflow serve`'s worker looks at once. */
  onRescreenRequested?: () => void;
  /** The operators' job metrics, read at an interval while the gateway runs (job-metrics.ts); none when left out. */
  jobMetrics?: Pick<JobMetricsOptions, 'metrics' | 'lag' | 'intervalMs' | 'maxJobs'>;
}

export interface Gateway {
  readonly name: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** grpc-js's own messages (it logs a failed bind, then throws it) go to the process's logger, not to the console. */
function routeGrpcLogs(logger: Logger): void {
  const log = logger.child({ component: 'grpc-js' });
  const text = (args: unknown[]) => args.map(String).join(' ');
  setLogger({ error: (...a: unknown[]) => log.error(text(a)), info: (...a: unknown[]) => log.info(text(a)), debug: (...a: unknown[]) => log.debug(text(a)) });
}

/** REST and gRPC over one job service, as a lifecycle module: the same in Kafka and standalone mode. */
export function createGateway(opts: GatewayOptions): Gateway {
  routeGrpcLogs(opts.logger);
  // A review decision that merged, or a merge undone, changed a lead: its lead.updated is written
  // to delivery's outbox in the same transaction (where delivery's tables are: webhooks managed here).
  const leadChanged =
    opts.secretKeys &&
    (async (tx: SqlClient, tenantId: string, c: { merge: MergeRecord; cause: 'review' | 'revert'; changed: string[] }) => {
      const changed = [...c.changed, ...(c.merge.alternates.emails.length + c.merge.alternates.phones.length > 0 ? ['alternates'] : [])];
      const written = await writeLeadChanges(tx, [
        { tenantId, leadId: c.merge.leadId, jobId: c.merge.jobId, row: c.merge.rowNumber, mergeId: c.merge.id, cause: c.cause, changed },
      ]);
      if (written > 0) opts.onLeadChanged?.();
    });
  const admission = createJobAdmission({ db: opts.db, uploads: opts.uploads, defaultMaxRunning: opts.limits?.runningJobs ?? 0, logger: opts.logger });
  const service = createJobService({
    admission,
    jobs: createSqlJobStore(opts.db, { stalledAfterMs: opts.stalledAfterMs, runner: opts.runner, cancels: opts.cancels }),
    exports: (kind, jobId, tenantId) => exportCsv(opts.db, kind, jobId, tenantId),
    uploads: opts.uploads,
    leads: opts.leads,
    // Every list change asks for the re-screening of the stored leads it concerns (docs/rescreen.md).
    dnc: rescreeningRegistry(opts.dnc, opts.db, opts.onRescreenRequested),
    dncOperators: opts.dncOperators,
    rescreens: createRescreenService(opts.db, opts.onRescreenRequested),
    dncExemptions: createSqlDncExemptions(opts.db),
    dncCompliance: createDncComplianceService(opts.db, opts.auditHashes),
    maxUploadBytes: opts.maxUploadBytes,
    outbound: opts.outbound,
    policies: {
      list: async (tenantId) =>
        (
          await opts.db.query<{ supplier: string; policy: unknown; updated_at: Date }>(
            'SELECT supplier, policy, updated_at FROM dedup_policies WHERE tenant_id = $1 ORDER BY supplier',
            [tenantId],
          )
        ).rows.map((r) => ({ supplier: r.supplier, policy: r.policy, updatedAt: new Date(r.updated_at).toISOString() })),
      save: async (tenantId, supplier, policy) => {
        await opts.db.query(
          `INSERT INTO dedup_policies (tenant_id, supplier, policy) VALUES ($1, $2, $3)
           ON CONFLICT (tenant_id, supplier) DO UPDATE SET policy = excluded.policy, updated_at = now()`,
          [tenantId, supplier, JSON.stringify(policy)],
        );
      },
    },
    qualitySettings: {
      get: async (tenantId) => {
        const { rows } = await opts.db.query<{ settings: unknown; updated_at: Date }>('SELECT settings, updated_at FROM quality_settings WHERE tenant_id = $1', [tenantId]);
        return rows[0] && { settings: rows[0].settings, updatedAt: new Date(rows[0].updated_at).toISOString() };
      },
      save: async (tenantId, settings) => {
        const { rows } = await opts.db.query<{ updated_at: Date }>(
          `INSERT INTO quality_settings (tenant_id, settings) VALUES ($1, $2)
           ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_at = now() RETURNING updated_at`,
          [tenantId, JSON.stringify(settings)],
        );
        return new Date(rows[0]!.updated_at).toISOString();
      },
    },
    merges: {
      exists: (leadId, tenantId) => leadExists(opts.db, leadId, tenantId),
      list: (leadId, tenantId) => leadMerges(opts.db, leadId, tenantId),
      revert: (id, tenantId) => revertMerge(opts.db, id, tenantId, leadChanged && (async (tx, { merge, restored }) => leadChanged(tx, tenantId, { merge, cause: 'revert', changed: restored }))),
    },
    possibleDuplicates: possibleDuplicateReview(opts.db, opts.dedupIndex, opts.logger, leadChanged && (async (tx, merge, tenantId) => leadChanged(tx, tenantId, { merge, cause: 'review', changed: Object.keys(merge.changes) }))),
    suppliers: createSqlSupplierStore(opts.db),
    supplierMappings: createSqlSupplierMappingStore(opts.db),
    mapping: { synonyms: createSqlSynonymStore(opts.db), onSynonymsChanged: opts.onSynonymsChanged },
    tagRules: { store: createSqlTagRuleStore(opts.db), onChanged: opts.onTagRulesChanged },
    scorecardFacts: createSqlScorecardFacts(opts.db),
    rejections: (jobId, tenantId, limit) => ownedElsewhere(recentRejections(opts.db, jobId, tenantId, limit), []),
    storage: (tenantId) => storageReport(opts.db, tenantId),
    erasure: createErasure({ db: opts.db, dnc: opts.dnc, dedupIndex: opts.dedupIndex, redis: opts.redis, keyring: opts.secretKeys, onErased: opts.onErased }),
    jobsEnded: opts.jobsEnded,
    webhooks: opts.secretKeys && createEndpointAdmin(opts.db, opts.secretKeys),
  });
  // Every call's key is looked up in the gateway's own tables (migration 005), in both modes; a key
  // that verified is believed for KEY_VERIFIED_FOR_MS (docs/api-keys.md, "Checking a key").
  const keys = createSqlApiKeyStore(opts.db, { verifiedForMs: KEY_VERIFIED_FOR_MS });
  const limits = createConcurrencyLimit(opts.limits);
  const grpc = createGrpcServer({ service, logger: opts.logger, keys, authFailures: opts.authFailures, limits });
  const operatorMetrics =
    opts.jobMetrics && jobMetrics({ ...opts.jobMetrics, facts: createJobFacts(opts.db, { stalledAfterMs: opts.stalledAfterMs }), logger: opts.logger });
  let rest: Awaited<ReturnType<typeof buildRestApp>> | undefined;
  let httpPort = opts.httpPort;
  let listening = false;
  return {
    name: 'gateway',
    get httpPort() {
      return httpPort;
    },
    get grpcPort() {
      return grpc.port;
    },
    async start() {
      // Erasures made before persons were kept as keyed hashes left them in clear on suppression lists: moved (docs/erasure.md).
      if (opts.secretKeys) {
        await moveClearErasures({ db: opts.db, dnc: opts.dnc, keyring: opts.secretKeys, logger: opts.logger }).catch((err: Error) =>
          opts.logger.warn({ err: err.message }, 'suppression entries of earlier erasures could not be moved to keyed hashes; the next start tries again'),
        );
      }
      const app = await buildRestApp({
        service,
        logger: opts.logger,
        metrics: opts.metrics,
        maxUploadBytes: opts.maxUploadBytes,
        keys,
        authFailures: opts.authFailures,
        limits,
        isReady: opts.isReady ?? (() => listening),
      });
      rest = app;
      // A port that cannot be had fails the start with the server and port named; what did
      // start is closed again, since a module whose start failed is never stopped.
      try {
        await listenOrExplain('REST', opts.httpPort, () => app.listen({ port: opts.httpPort, host: opts.host ?? '0.0.0.0' }));
        const address = app.server.address();
        if (address && typeof address === 'object') httpPort = address.port;
        await listenOrExplain('gRPC', opts.grpcPort, () => grpc.listen(opts.grpcPort, opts.host));
      } catch (err) {
        await Promise.allSettled([grpc.close(0), app.close()]);
        throw err;
      }
      listening = true;
      opts.logger.info({ httpPort, grpcPort: grpc.port }, 'gateway listening');
      await operatorMetrics?.start();
      admission.start();
    },
    async stop() {
      listening = false;
      opts.leads?.close?.();
      await operatorMetrics?.stop();
      await admission.stop();
      await grpc.close();
      await rest?.close();
    },
  };
}
