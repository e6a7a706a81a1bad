import { createServer } from 'node:net';
import { createGateway, createSqlApiKeyStore, type ConcurrencyLimits } from '@leadflow/gateway';
import { createLifecycle, createOpsServer, ListenError, listenOrExplain } from '@leadflow/lifecycle';
import { jobFailure } from '@leadflow/pipeline';
import type { JobRef } from '@leadflow/proto';
import { CommandError } from './command-error.js';
import { checkBind, hostForUrl, loopbackNotice } from './serve-bind.js';
import { openStandalone, type StandaloneEnvironment } from './standalone.js';

export interface ServeEnvironment extends StandaloneEnvironment {
  httpPort: number;
  grpcPort: number;
  /** The address REST, gRPC and METRICS_PORT listen on (HTTP_HOST); one other than loopback needs an admin key (serve-bind.ts). */
  host: string;
  /** A port of its own for /metrics, /healthz and /readyz, as every service has; they are on the REST port either way. */
  metricsPort?: number;
  maxUploadBytes: number;
  /** Tenants whose admins may load the shared Do-Not-Call lists over the API (DNC_OPERATOR_TENANTS). */
  dncOperators?: readonly string[];
  /** Uploads and event streams one tenant may hold open at once. */
  concurrency?: ConcurrencyLimits;
  /** How often the job metrics are read, and the most jobs of the jobs table (GATEWAY_METRICS_*). @default none read */
  jobMetrics?: { intervalMs: number; maxJobs: number };
}

/** The variable that sets each server's port, to name in a message. */
const PORT_VARIABLES: Record<string, string> = { REST: 'HTTP_PORT', gRPC: 'GRPC_PORT', ops: 'METRICS_PORT' };

/** A failed start as one line a person can act on; undefined when it is not the user's to fix. */
function explainStartFailure(err: unknown): CommandError | undefined {
  if (!(err instanceof ListenError)) return undefined;
  const variable = PORT_VARIABLES[err.server] ?? 'its variable';
  if (err.reason === 'in_use') return new CommandError(`port ${err.port} (${variable}) is in use by another process: stop that process, or set ${variable} to a free port`);
  if (err.reason === 'denied') return new CommandError(`not allowed to listen on port ${err.port} (${variable}): set ${variable} to a port above 1023`);
  return new CommandError(`cannot listen on port ${err.port} (${variable}): ${(err.cause as Error | undefined)?.message ?? err.message}`);
}

/**
 * Fails at once, before the database is opened (which takes seconds), when a port is taken: the
 * common mistake of a second `leadflow serve`. The servers' own listen reports it too, if another
 * process takes the port in between.
 */
async function checkPortFree(server: string, port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await listenOrExplain(server, port, () =>
    new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, host, () => resolve());
    }),
  );
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** `leadflow serve`: the gateway and every stage in one process, until SIGTERM or SIGINT. */
export async function serveCommand(env: ServeEnvironment): Promise<void> {
  const { logger, metrics } = env;
  try {
    for (const [server, port] of [['REST', env.httpPort], ['gRPC', env.grpcPort], ['ops', env.metricsPort]] as const) {
      if (port !== undefined) await checkPortFree(server, port, env.host);
    }
  } catch (err) {
    throw explainStartFailure(err) ?? err;
  }
  const lifecycle = createLifecycle({ logger });
  let standalone: Awaited<ReturnType<typeof openStandalone>> | undefined;
  lifecycle.add({
    name: 'standalone',
    async start() {
      standalone = await openStandalone({
        databaseUrl: env.databaseUrl, dataDir: env.dataDir, logger, metrics, batchSize: env.batchSize, limits: env.limits, dedupPolicy: env.dedupPolicy, outbound: env.outbound,
        secretKeys: env.secretKeys, synonymsReloadMs: env.synonymsReloadMs, auditRetentionDays: env.auditRetentionDays, rawRetention: env.rawRetention, dncSettings: env.dncSettings,
        delivery: env.delivery,
      });
    },
    stop: async () => standalone?.close(),
  });
  // The keys are in the database, so the rule is checked once it is open, and before anything listens.
  let bind: { adminKey: boolean } | undefined;
  lifecycle.add({ name: 'bind-rule', start: async () => void (bind = await checkBind(env.host, createSqlApiKeyStore(standalone!.db))) });
  const ops =
    env.metricsPort === undefined
      ? undefined
      : lifecycle.add(createOpsServer({ port: env.metricsPort, host: env.host, metrics, isReady: () => lifecycle.ready }));
  let gateway: ReturnType<typeof createGateway> | undefined;
  lifecycle.add({
    name: 'gateway',
    async start() {
      const jobs = standalone!.jobs;
      const failed = (job: JobRef, err: unknown) => {
        logger.error({ err, jobId: job.jobId }, 'job failed in the pipeline');
        // The job must not wait forever for rows that will not come.
        void jobs.failUpload(job.jobId, jobFailure('INTERNAL', 'the pipeline stopped on an error')).catch(() => {});
      };
      gateway = createGateway({
        db: standalone!.db,
        uploads: standalone!.uploadSink(failed),
        leads: standalone!.leadSink(failed),
        dnc: standalone!.dnc,
        dedupIndex: standalone!.dedupIndex,
        logger,
        metrics,
        httpPort: env.httpPort,
        grpcPort: env.grpcPort,
        host: env.host,
        maxUploadBytes: env.maxUploadBytes,
        dncOperators: env.dncOperators,
        auditHashes: standalone!.auditHashes,
        authFailures: metrics.authFailures,
        jobsEnded: metrics.jobs,
        limits: env.concurrency,
        outbound: env.outbound,
        secretKeys: standalone!.secretKeys,
        onLeadChanged: standalone!.deliveryWritten,
        isReady: () => lifecycle.ready,
        runner: standalone!.runner,
        cancels: standalone!.cancels,
        onSynonymsChanged: standalone!.synonymsChanged,
        onTagRulesChanged: standalone!.tagRulesChanged,
        onErased: standalone!.erased,
        onRescreenRequested: () => void standalone!.rescreen(),
        // No consumer lag: the stages pass batches through bounded in-memory queues (docs/job-metrics.md).
        jobMetrics: env.jobMetrics && { ...env.jobMetrics, metrics },
      });
      await gateway.start();
      const alsoOps = ops ? `; /metrics, /healthz, /readyz also on port ${ops.port}` : '';
      const host = hostForUrl(env.host);
      const notice = loopbackNotice(env.host, bind!.adminKey);
      process.stdout.write(
        `leadflow serve: REST on http://${host}:${gateway.httpPort} (/metrics, /healthz, /readyz), gRPC on ${host}:${gateway.grpcPort}${alsoOps}\n` +
          (notice ? `leadflow serve: ${notice}\n` : ''),
      );
    },
    stop: async () => gateway?.stop(),
  });
  try {
    await lifecycle.runUntilSignal();
  } catch (err) {
    throw explainStartFailure(err) ?? err;
  }
}
