import { ConfigError, int, shared, type ConfigOf, type ConfigSchema } from '@leadflow/config';
import { createServiceHost, type ServiceHost } from '@leadflow/lifecycle';
import { countDispositions, type CancelledJobs, type Fanout } from '@leadflow/pipeline';
import type { Logger } from '@leadflow/logger';
import type { LeadBatch } from '@leadflow/proto';
import { cancelledJobsFromConfig, cancelSchema } from './cancel-check.js';
import { createBus, type Bus } from './create-bus.js';
import { createStageService } from './stage-service.js';
import type { Topic } from './topics.js';

/** The Kafka variables every service reads. */
export const kafkaSchema = {
  kafkaBrokers: shared.kafkaBrokers(),
  kafkaPartitions: ['KAFKA_PARTITIONS', int({ min: 1, default: 3, description: 'partitions of the topics this service creates' })],
  kafkaReplicationFactor: ['KAFKA_REPLICATION_FACTOR', int({ min: 1, default: 1, description: 'replicas of the topics this service creates' })],
  kafkaConcurrentPartitions: [
    'KAFKA_CONCURRENT_PARTITIONS',
    int({ min: 1, max: 64, default: 1, description: "input partitions (so jobs) a replica works on at once, one batch of each; a stage's waits on Redis and PostgreSQL then overlap" }),
  ],
  kafkaPriorityPollMs: [
    'KAFKA_PRIORITY_POLL_MS',
    int({ min: 10, max: 60_000, default: 200, description: 'how often a stage reads the batches waiting at each job priority, to pause the lower ones while a higher one has some (docs/job-priority.md)' }),
  ],
  // Topics carry raw rows: kept no longer than raw cells are (docs/data-retention.md, docs/erasure.md).
  kafkaRetentionHours: [
    'KAFKA_RETENTION_HOURS',
    int({ min: 0, max: 24 * 3660, default: 0, description: "hours the topics Leadflow creates keep their messages (retention.ms); 0: RAW_RETENTION_HOURS's" }),
  ],
  kafkaRawRetentionHours: [
    'RAW_RETENTION_HOURS',
    int({ min: 0, max: 24 * 3660, default: 48, description: "hours the cells of rejected rows and the supplier's own values of stored leads are kept, then emptied" }),
  ],
} as const;

/**
 * The retention of the topics Leadflow creates, in milliseconds: KAFKA_RETENTION_HOURS, else
 * RAW_RETENTION_HOURS (at least one hour: a topic must keep a batch until its consumers read it).
 */
export const topicRetentionMs = (config: { kafkaRetentionHours: number; kafkaRawRetentionHours: number }): number =>
  Math.max(1, config.kafkaRetentionHours || config.kafkaRawRetentionHours) * 3600_000;

/** A bus configured by the variables of `kafkaSchema`. */
export function createBusFromConfig(config: ConfigOf<typeof kafkaSchema>, clientId: string, logger: Logger) {
  return createBus({
    brokers: config.kafkaBrokers,
    clientId,
    logger,
    partitions: config.kafkaPartitions,
    replicationFactor: config.kafkaReplicationFactor,
    retentionMs: topicRetentionMs(config),
  });
}

export type StageHost<S extends ConfigSchema> = ServiceHost<ConfigOf<S> & ConfigOf<typeof kafkaSchema>>;

export interface StageMainOptions<S extends ConfigSchema, I, O extends LeadBatch | void> {
  name: string;
  input: Topic<I>;
  output?: Topic<Exclude<O, void>>;
  /** The service's own variables; the Kafka ones and the host's are added. */
  schema: S;
  /** Builds the stage; adds the service's own modules (database, Redis) to `host.lifecycle`. */
  build: (host: StageHost<S>, shared: { cancelled: CancelledJobs; /** The service's bus, for what it sends besides its stage's output (the dnc stage's held rows). */ bus: Bus }) => (batch: I, signal?: AbortSignal) => Promise<O | Fanout<O>>;
  /** What goes downstream instead of a poison batch (see createStageService). */
  poisonOutput?: (batch: I) => O | undefined;
}

/**
 * The whole composition root of a stage service in Kafka mode: config, logger, metrics and
 * ops server (the host), the Kafka bus, the stage consuming `input` and producing `output`,
 * readiness once consuming; then it runs until SIGTERM.
 */
export async function runStageMain<S extends ConfigSchema, I extends { job?: { jobId: string } | undefined }, O extends LeadBatch | void>(
  opts: StageMainOptions<S, I, O>,
): Promise<void> {
  const host = createServiceHost({ name: opts.name, schema: { ...kafkaSchema, ...cancelSchema, ...opts.schema } }) as StageHost<S>;
  const { config, logger, metrics } = host;
  const bus = createBusFromConfig(config, opts.name, logger);
  const cancelled = cancelledJobsFromConfig(config as unknown as ConfigOf<typeof cancelSchema>, opts.name, host.lifecycle);
  let stage: ReturnType<typeof opts.build>;
  try {
    stage = opts.build(host, { cancelled, bus });
  } catch (err) {
    // Settings that are each valid but do not fit together are found while building.
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${opts.name}: ${err.message}\n`);
    process.exit(2);
  }
  host.lifecycle.add(
    createStageService<I, O>({
      name: opts.name,
      bus,
      input: opts.input,
      output: opts.output as Topic<O> | undefined,
      stage,
      jobIdOf: (b) => b.job?.jobId ?? '',
      poisonOutput: opts.poisonOutput,
      countRows: (b) => (b ? countDispositions((b as LeadBatch).rows) : {}),
      logger,
      metrics,
      concurrency: config.kafkaConcurrentPartitions,
      priorityPollMs: config.kafkaPriorityPollMs,
      cancelled,
    }),
  );
  host.readyWhen(() => bus.consuming);
  await host.run();
}
