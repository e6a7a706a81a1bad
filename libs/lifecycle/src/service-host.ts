import { ConfigError, loadConfig, shared, type ConfigOf, type ConfigSchema } from '@leadflow/config';
import { createLogger, type Logger } from '@leadflow/logger';
import { createMetrics, type Metrics } from '@leadflow/metrics';
import { startTelemetry } from '@leadflow/telemetry';
import { createLifecycle, type Lifecycle } from './lifecycle.js';
import { createOpsServer } from './ops-server.js';

const hostSchema = {
  logLevel: shared.logLevel(),
  otlpEndpoint: shared.otlpEndpoint(),
  metricsPort: shared.metricsPort(9464),
} as const;

export interface ServiceHostOptions<S extends ConfigSchema> {
  name: string;
  /** The service's own variables; LOG_LEVEL, OTEL_EXPORTER_OTLP_ENDPOINT and METRICS_PORT are added. */
  schema: S;
  env?: Record<string, string | undefined>;
}

export interface ServiceHost<C> {
  readonly config: C;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly lifecycle: Lifecycle;
  /** Adds a readiness condition beyond "every module started" (for example: consuming). */
  readyWhen(check: () => boolean): void;
  /** Starts every module (ops server first), then runs until SIGTERM or SIGINT. */
  run(): Promise<void>;
}

/**
 * The composition root's common part: config checked against the schema (a bad value stops
 * the process with one line per problem), logger, metrics, telemetry, and the ops server
 * with /healthz, /readyz and /metrics.
 */
export function createServiceHost<S extends ConfigSchema>(
  opts: ServiceHostOptions<S>,
): ServiceHost<ConfigOf<S> & ConfigOf<typeof hostSchema>> {
  let config: ConfigOf<S> & ConfigOf<typeof hostSchema>;
  try {
    config = loadConfig({ ...hostSchema, ...opts.schema }, opts.env ?? process.env) as typeof config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${opts.name}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ name: opts.name, level: config.logLevel });
  const metrics = createMetrics();
  const lifecycle = createLifecycle({ logger });
  const checks: (() => boolean)[] = [];
  const telemetry = startTelemetry({ serviceName: `leadflow-${opts.name}`, endpoint: config.otlpEndpoint, logger });
  lifecycle.add({ name: 'telemetry', stop: () => telemetry.shutdown() });
  lifecycle.add(
    createOpsServer({ port: config.metricsPort, metrics, isReady: () => lifecycle.ready && checks.every((c) => c()) }),
  );
  return {
    config,
    logger,
    metrics,
    lifecycle,
    readyWhen: (check) => void checks.push(check),
    async run() {
      try {
        await lifecycle.runUntilSignal();
      } catch (err) {
        logger.fatal({ err }, 'start-up failed');
        process.exit(1);
      }
      logger.info({ metricsPort: config.metricsPort }, 'started');
    },
  };
}
