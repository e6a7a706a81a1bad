import { createGateway, createSqlJobStore } from '@leadflow/gateway';
import { jobFailure } from '@leadflow/pipeline';
import { createLifecycle } from '@leadflow/lifecycle';
import { openStandalone, type StandaloneEnvironment } from './standalone.js';

export interface ServeEnvironment extends StandaloneEnvironment {
  httpPort: number;
  grpcPort: number;
  maxUploadBytes: number;
}

/** `leadflow serve`: the gateway and every stage in one process, until SIGTERM or SIGINT. */
export async function serveCommand(env: ServeEnvironment): Promise<void> {
  const { logger, metrics } = env;
  const lifecycle = createLifecycle({ logger });
  let standalone: Awaited<ReturnType<typeof openStandalone>> | undefined;
  lifecycle.add({
    name: 'standalone',
    async start() {
      standalone = await openStandalone({ databaseUrl: env.databaseUrl, dataDir: env.dataDir, logger, metrics, batchSize: env.batchSize, limits: env.limits, dedupPolicy: env.dedupPolicy });
    },
    stop: async () => standalone?.close(),
  });
  let gateway: ReturnType<typeof createGateway> | undefined;
  lifecycle.add({
    name: 'gateway',
    async start() {
      const jobs = createSqlJobStore(standalone!.db);
      gateway = createGateway({
        db: standalone!.db,
        uploads: standalone!.uploadSink((job, err) => {
          logger.error({ err, jobId: job.jobId }, 'job failed in the pipeline');
          // The job must not wait forever for rows that will not come.
          void jobs.failUpload(job.jobId, jobFailure('INTERNAL', 'the pipeline stopped on an error')).catch(() => {});
        }),
        dnc: standalone!.dnc,
        dedupIndex: standalone!.dedupIndex,
        logger,
        metrics,
        httpPort: env.httpPort,
        grpcPort: env.grpcPort,
        maxUploadBytes: env.maxUploadBytes,
        tenantId: env.tenantId,
      });
      await gateway.start();
      process.stdout.write(`leadflow serve: REST on http://127.0.0.1:${gateway.httpPort} (metrics on /metrics), gRPC on 127.0.0.1:${gateway.grpcPort}\n`);
    },
    stop: async () => gateway?.stop(),
  });
  await lifecycle.runUntilSignal();
}
