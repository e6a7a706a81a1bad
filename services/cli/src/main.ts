import { readFileSync } from 'node:fs';
import { ConfigError, custom, int, loadConfig, port, shared, str } from '@leadflow/config';
import { createLogger } from '@leadflow/logger';
import { policyFromConfig, policySchema } from '@leadflow/dedup';
import { limitsFromConfig, limitsSchema } from '@leadflow/ingest';
import { synonymsSchema } from '@leadflow/mapping';
import { concurrencyFromConfig, concurrencySchema, jobMetricsSchema } from '@leadflow/gateway';
import { createMetrics } from '@leadflow/metrics';
import { outboundRulesFromConfig, outboundSchema } from '@leadflow/outbound';
import { auditRetentionSchema, freshnessSchema, rescreenSchema } from '@leadflow/dnc';
import { dispatcherSchema } from '@leadflow/delivery';
import { rawRetentionSchema } from '@leadflow/persistence';
import { optionalSecretKeysSchema, SecretsError } from '@leadflow/secrets';
import { storeFailure } from '@leadflow/stores';
import { parseArgs, USAGE, UsageError } from './args.js';
import { CommandError } from './command-error.js';
import { dncImportCommand } from './dnc-import-command.js';
import { keysCommand } from './keys-command.js';
import { mapCommand } from './map-command.js';
import { runCommand } from './run-command.js';
import { reportRun } from './run-report.js';
import { LOOPBACK_HOST, readHost } from './serve-bind.js';
import { serveCommand } from './serve-command.js';

const schema = {
  ...limitsSchema,
  ...concurrencySchema,
  ...policySchema,
  ...outboundSchema,
  ...optionalSecretKeysSchema,
  ...synonymsSchema,
  ...jobMetricsSchema,
  ...auditRetentionSchema,
  ...rawRetentionSchema,
  ...freshnessSchema,
  ...rescreenSchema,
  ...dispatcherSchema,
  databaseUrl: ['DATABASE_URL', str({ default: '', description: 'PostgreSQL URL; empty uses the embedded database' })],
  dataDir: ['LEADFLOW_DATA_DIR', str({ default: '.leadflow/data', description: 'folder of the embedded database' })],
  logLevel: shared.logLevel(),
  batchSize: ['BATCH_SIZE', int({ min: 1, max: 10_000, default: 500 })],
  tenantId: ['LEADFLOW_TENANT', str({ default: 'default' })],
  httpPort: ['HTTP_PORT', port({ default: 8080 })],
  grpcPort: ['GRPC_PORT', port({ default: 50051 })],
  httpHost: ['HTTP_HOST', custom('an IP address', readHost, { default: LOOPBACK_HOST, description: 'address serve listens on; other than loopback only with an admin key' })],
  // Unset: serve's /metrics, /healthz and /readyz are on the REST port only.
  metricsPort: ['METRICS_PORT', custom<number | null>('a port', (raw) => port().parse(raw), { default: null })],
  maxUploadBytes: ['GATEWAY_MAX_UPLOAD_BYTES', int({ min: 1, default: 1024 * 1024 * 1024 })],
  dncOperators: ['DNC_OPERATOR_TENANTS', str({ default: '', description: 'tenants (comma-separated) whose admins may load the shared Do-Not-Call lists over the API' })],
} as const;

const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.command === 'version') {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`leadflow ${pkg.version}\n`);
    return 0;
  }
  const config = loadConfig(schema);
  if (args.command === 'map') {
    try {
      const mapping = await mapCommand(args, { databaseUrl: config.databaseUrl || undefined, dataDir: config.dataDir, tenantId: config.tenantId, say });
      process.stdout.write(`${JSON.stringify(mapping, null, 2)}\n`);
      return 0;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      say(`leadflow map: ${(err as Error).message}`);
      return 1;
    }
  }
  if (args.command === 'keys') {
    const print = (line: string) => process.stdout.write(`${line}\n`);
    await keysCommand(args, { databaseUrl: config.databaseUrl || undefined, dataDir: config.dataDir }, { print, say });
    return 0;
  }
  if (args.command === 'dnc') {
    await dncImportCommand(args, { databaseUrl: config.databaseUrl || undefined, dataDir: config.dataDir, tenantId: config.tenantId, say });
    return 0;
  }
  const isRun = args.command === 'run';
  // `run` keeps the terminal for the progress bar and its result lines: its logs are errors only, on stderr.
  const logger = createLogger({
    name: 'leadflow',
    level: isRun && !process.env.LOG_LEVEL ? 'error' : config.logLevel,
    destination: isRun ? process.stderr : undefined,
  });
  const metrics = createMetrics();
  const limits = limitsFromConfig(config);
  const dedupPolicy = policyFromConfig(config);
  const common = { logger, metrics, databaseUrl: config.databaseUrl || undefined, dataDir: config.dataDir, batchSize: config.batchSize, tenantId: config.tenantId, limits, dedupPolicy, outbound: outboundRulesFromConfig(config), secretKeys: config.secretKeys,
    synonymsReloadMs: config.synonymsReloadMs, auditRetentionDays: config.auditRetentionDays,
    rawRetention: { hours: config.rawRetentionHours, intervalMs: config.rawCleanupIntervalMs },
    dncSettings: { maxListAgeDays: config.maxListAgeDays, staleListPolicy: config.staleListPolicy, wirelessStates: config.wirelessStates, heldReleaseMs: config.heldReleaseMs,
      rescreenIntervalHours: config.rescreenIntervalHours, rescreenScheduleMs: config.rescreenScheduleMs, rescreenPollMs: config.rescreenPollMs },
    delivery: {
      retrySchedule: config.retrySchedule, deliveryConcurrency: config.deliveryConcurrency, timeoutMs: config.timeoutMs, deliveryPollMs: config.deliveryPollMs,
      circuitFailures: config.circuitFailures, circuitOpenMs: config.circuitOpenMs,
    } };
  if (args.command === 'serve') {
    await serveCommand({
      ...common, httpPort: config.httpPort, grpcPort: config.grpcPort, host: config.httpHost, metricsPort: config.metricsPort ?? undefined, maxUploadBytes: config.maxUploadBytes,
      dncOperators: config.dncOperators.split(',').map((t) => t.trim()).filter(Boolean),
      concurrency: concurrencyFromConfig(config),
      jobMetrics: { intervalMs: config.jobMetricsIntervalMs, maxJobs: config.jobMetricsJobs },
    });
    return -1;
  }
  const report = reportRun(await runCommand(args, { ...common, say }), args.out);
  (report.stream === 'stdout' ? process.stdout : process.stderr).write(`${report.line}\n`);
  return report.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: Error) => {
    if (err instanceof UsageError) {
      say(`leadflow: ${err.message}\n${USAGE}`);
      process.exitCode = 2;
    } else if (err instanceof CommandError || err instanceof SecretsError) {
      say(`leadflow ${process.argv[2]}: ${err.message}`);
      process.exitCode = 1;
    } else if (err instanceof ConfigError) {
      say(`leadflow: ${err.message}`);
      process.exitCode = 2;
    } else if (storeFailure(err)) {
      say(`leadflow ${process.argv[2]}: ${storeFailure(err)}`);
      process.exitCode = 1;
    } else {
      say(`leadflow: internal error: ${err.message}. Run again with LOG_LEVEL=debug for details.`);
      if (process.env.LOG_LEVEL === 'debug') say(String(err.stack));
      process.exitCode = 1;
    }
  },
);
