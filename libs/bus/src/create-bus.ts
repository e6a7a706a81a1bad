import kafkajs, { Kafka, logLevel, Partitioners, type Admin, type Consumer, type Producer, type IHeaders } from 'kafkajs';
import type { Logger } from '@leadflow/logger';
import { contextFromHeaders, headersFromContext, type Headers } from '@leadflow/telemetry';
import type { Context } from '@opentelemetry/api';
import { consumerLag, type GroupInput, type GroupLag } from './consumer-lag.js';
import { trackGroupMembership } from './group-membership.js';
import { createPriorityGate } from './priority-gate.js';
import type { Topic } from './topics.js';

// Not among the names Node finds in kafkajs's CommonJS exports: read from its default export.
const { ConfigResourceTypes, ConfigSource } = kafkajs;

export interface BusOptions {
  brokers: readonly string[];
  /** Shown in the broker's logs; the service name. */
  clientId: string;
  logger: Logger;
  /** Partitions of topics this process creates. @default 3 */
  partitions?: number;
  /** @default 1 */
  replicationFactor?: number;
  /**
   * `retention.ms` of the topics it creates, and of existing ones it is given (docs/data-retention.md):
   * their messages are raw rows. @default the broker's (Kafka's: 7 days), topics left as they are
   */
  retentionMs?: number;
  /**
   * How long the group waits for a heartbeat before it gives the member's partitions to another.
   * Heartbeats go on while a message is handled, however long that takes. @default 30000
   */
  sessionTimeoutMs?: number;
}

export interface OutgoingMessage<T> {
  key: string;
  value: T;
}

export interface ConsumedMessage<T> {
  key: string;
  value: T;
  /** The value's bytes as they arrived: decode them again for a fresh copy of `value`. */
  bytes: Buffer;
  /** The topic it came from: one of the lanes when the consumer reads several. */
  topic: string;
  partition: number;
  offset: string;
  /** Trace context of the producer, for the consumer's span. */
  traceContext: Context;
  /**
   * Aborts when the group takes the partition away while the message is handled (a rebalance):
   * the handler should stop at its next safe point, by throwing, rather than finish a batch that
   * another member will handle. The offset is then not committed.
   */
  signal: AbortSignal;
}

export interface ConsumerOptions<T> {
  /** Consumer group: the service name. */
  groupId: string;
  topic: Topic<T>;
  /**
   * Topics of one kind by priority, highest first, read instead of `topic` (its priority variants:
   * topics.ts): the lower ones are paused while a higher one has messages waiting
   * (docs/job-priority.md).
   */
  lanes?: { topics: readonly Topic<T>[]; /** How often the waiting messages are read. */ pollMs: number };
  /**
   * Handles one message. When it resolves the message's offset is committed, unless
   * `commitOffset` says otherwise. Messages of one partition are handled one at a time.
   */
  handle: (message: ConsumedMessage<T>) => Promise<void>;
  /**
   * The offset to commit after `handle` resolved, for consumers that may only commit at
   * boundaries of their own (ingest commits a file once it is read to the end).
   * @default the next offset
   */
  commitOffset?: (partition: number, nextOffset: string, topic: string) => string | undefined;
  /** A message whose bytes are not a `T`: handed over instead of `handle`, then committed. */
  onUndecodable: (raw: { topic: string; partition: number; offset: string; bytes: Buffer; key: string; error: Error }) => Promise<void>;
  /** Called when partitions are taken away in a rebalance, or found being taken while a message is handled. */
  onRevoked?: () => void;
  /**
   * Partitions handled at once, each still one message at a time: a replica works on that many
   * jobs together (a job's batches share its key, so its partition), its waits on I/O overlapping.
   * @default 1
   */
  concurrency?: number;
}

export interface Bus {
  /** Creates the topics that do not exist yet. */
  ensureTopics(topics: readonly Topic<unknown>[]): Promise<void>;
  /** Sends and waits for the acknowledgement of every in-sync replica. */
  send<T>(topic: Topic<T>, messages: readonly OutgoingMessage<T>[], headers?: Headers): Promise<void>;
  consume<T>(opts: ConsumerOptions<T>): Promise<void>;
  /** How many messages each group has not committed on its topic (consumer-lag.ts). */
  consumerLag(groups: readonly GroupInput[]): Promise<GroupLag[]>;
  /** Stops consuming (finishing the message in hand), then flushes and disconnects the producer. */
  stop(): Promise<void>;
  readonly consuming: boolean;
}

/** The only user of kafkajs (docs/style.md): topics, protobuf codec, trace headers, commit policy. */
/**
 * The largest message a pipeline topic takes (its `max.message.bytes`, set when the topic is
 * created; Kafka's default is 1 MB). Ingest cuts its batches by characters as well as rows
 * (`batchChars`), so that a batch of wide rows, and the batches of leads made of it, stay below.
 */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export function createBus(opts: BusOptions): Bus {
  const log = opts.logger.child({ component: 'kafka' });
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: [...opts.brokers],
    logLevel: logLevel.WARN,
    logCreator: () => ({ level, log: entry }) => {
      const { message, ...rest } = entry;
      const fields = { namespace: entry.namespace, broker: rest.broker, error: rest.error };
      // Services that start together race to create the same topics; ensureTopics treats
      // "already exists" as success and throws any real failure itself, so this is not an error.
      if (rest.error === 'Topic creation errors') log.debug(fields, message);
      else if (level <= logLevel.ERROR) log.error(fields, message);
      else if (level === logLevel.WARN) log.warn(fields, message);
      else log.debug(fields, message);
    },
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
  });
  let producer: Producer | undefined;
  let producerReady: Promise<Producer> | undefined;
  const consumers: Consumer[] = [];
  const gates: { stop(): void }[] = [];
  let consuming = false;
  /** One admin connection for lag reads, made at the first. */
  let lagAdmin: Promise<Admin> | undefined;

  const getProducer = () =>
    (producerReady ??= (async () => {
      producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // An idempotent producer keeps retrying (kafkajs warns otherwise); a send then waits out
        // a broker restart instead of failing the batch, and the input is not committed meanwhile.
        retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5_000 },
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      return producer;
    })());

  async function lagOf(groups: readonly GroupInput[]): Promise<GroupLag[]> {
    lagAdmin ??= (async () => {
      const admin = kafka.admin();
      await admin.connect();
      return admin;
    })();
    const admin = await lagAdmin.catch((err: unknown) => {
      lagAdmin = undefined;
      throw err;
    });
    return consumerLag(admin, groups);
  }

  return {
    get consuming() {
      return consuming;
    },

    async ensureTopics(topics) {
      // Services start together and may create the same topic at once: "already exists" is
      // success, and a topic whose leader is not elected yet is retried.
      const admin = kafka.admin();
      await admin.connect();
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            const existing = new Set(await admin.listTopics());
            const missing = topics.filter((t) => !existing.has(t.name));
            await alignTopicSettings(admin, topics.filter((t) => existing.has(t.name)).map((t) => t.name), opts.retentionMs);
            if (missing.length === 0) return;
            await admin.createTopics({
              waitForLeaders: true,
              topics: missing.map((t) => ({
                topic: t.name,
                numPartitions: opts.partitions ?? 3,
                replicationFactor: opts.replicationFactor ?? 1,
                configEntries: [
                  { name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) },
                  ...(opts.retentionMs === undefined
                    ? []
                    : [{ name: 'retention.ms', value: String(opts.retentionMs) }, { name: 'segment.ms', value: String(segmentMs(opts.retentionMs)) }]),
                ],
              })),
            });
          } catch (err) {
            const e = err as { type?: string; retriable?: boolean; errors?: { type?: string }[] };
            const benign = e.type === 'TOPIC_ALREADY_EXISTS' || e.errors?.every((x) => x.type === 'TOPIC_ALREADY_EXISTS') || e.retriable;
            if (!benign || attempt >= 10) throw err;
            await new Promise((r) => setTimeout(r, 200 * attempt));
          }
        }
      } finally {
        await admin.disconnect();
      }
    },

    async send(topic, messages, headers) {
      if (messages.length === 0) return;
      const p = await getProducer();
      const traceHeaders = headers ?? headersFromContext();
      await p.send({
        topic: topic.name,
        acks: -1,
        messages: messages.map((m) => ({
          key: m.key,
          value: Buffer.from(topic.codec.encode(m.value).finish()),
          headers: { ...traceHeaders, 'content-type': 'application/protobuf' },
        })),
      });
    },

    async consume<T>(c: ConsumerOptions<T>) {
      const sessionTimeout = opts.sessionTimeoutMs ?? 30_000;
      const heartbeatIntervalMs = Math.max(200, Math.floor(sessionTimeout / 10));
      const consumer = kafka.consumer({ groupId: c.groupId, sessionTimeout, heartbeatInterval: heartbeatIntervalMs, maxBytesPerPartition: MAX_MESSAGE_BYTES, maxBytes: 2 * MAX_MESSAGE_BYTES });
      consumers.push(consumer);
      const membership = trackGroupMembership(consumer, { heartbeatIntervalMs, logger: log, onLost: c.onRevoked });
      await consumer.connect();
      const topics = c.lanes?.topics ?? [c.topic];
      for (const t of topics) await consumer.subscribe({ topic: t.name, fromBeginning: true });
      const codecs = new Map(topics.map((t) => [t.name, t.codec]));
      const gate = c.lanes && c.lanes.topics.length > 1
        ? createPriorityGate({
            consumer,
            lanes: topics.map((t) => t.name),
            pollMs: c.lanes.pollMs,
            logger: log,
            waiting: async () => {
              const lag = await lagOf(topics.map((t) => ({ groupId: c.groupId, topic: t as Topic<unknown> })));
              return lag.map((l) => l.messages);
            },
          })
        : undefined;
      // kafkajs restarts a consumer that crashed: the gate goes on polling for it.
      if (gate) gates.push(gate);
      if (c.onRevoked) consumer.on(consumer.events.REBALANCING, () => c.onRevoked?.());
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: c.concurrency ?? 1,
        eachMessage: async ({ topic, partition, message, heartbeat }) => {
          gate?.handling(topic);
          const key = message.key?.toString() ?? '';
          const bytes = message.value ?? Buffer.alloc(0);
          let value: T;
          try {
            value = (codecs.get(topic) ?? c.topic.codec).decode(bytes);
          } catch (err) {
            await c.onUndecodable({ topic, partition, offset: message.offset, bytes, key, error: err as Error });
            await commit(consumer, topic, partition, next(message.offset));
            return;
          }
          const traceContext = contextFromHeaders(toHeaders(message.headers));
          await membership.keepAlive(heartbeat, (signal) => c.handle({ key, value, bytes, topic, partition, offset: message.offset, traceContext, signal }));
          const offset = c.commitOffset ? c.commitOffset(partition, next(message.offset), topic) : next(message.offset);
          if (offset !== undefined) await commit(consumer, topic, partition, offset);
        },
      });
      gate?.start();
      consuming = true;
    },

    consumerLag: lagOf,

    async stop() {
      consuming = false;
      for (const g of gates) g.stop();
      await Promise.allSettled(consumers.map((c) => c.disconnect()));
      if (lagAdmin) await lagAdmin.then((a) => a.disconnect()).catch(() => undefined);
      if (producerReady) {
        await producerReady.catch(() => undefined);
        await producer?.disconnect();
      }
    },
  };
}

const next = (offset: string) => (BigInt(offset) + 1n).toString();

async function commit(consumer: Consumer, topic: string, partition: number, offset: string) {
  await consumer.commitOffsets([{ topic, partition, offset }]);
}

function toHeaders(headers: IHeaders | undefined): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v !== undefined) out[k] = Array.isArray(v) ? String(v[0]) : String(v);
  }
  return out;
}

/**
 * Kafka deletes a partition's messages a segment at a time, once the segment's newest is past the
 * retention, and closes a segment after `segment.ms` (7 days by default): a quiet partition would
 * keep its rows that long past the retention. A quarter of the retention bounds it (48 h: 12 h).
 */
const segmentMs = (retentionMs: number) => Math.max(600_000, Math.floor(retentionMs / 4));

/**
 * Raises `max.message.bytes` of topics created before it was set at creation (an upgrade), and
 * sets their `retention.ms` to `retentionMs` when given and different (topics made before it was
 * set, or under another setting). kafkajs has only the non-incremental AlterConfigs, which resets
 * what it is not given: the topic's other settings are read first and given back as they are.
 */
async function alignTopicSettings(admin: Admin, names: string[], retentionMs: number | undefined): Promise<void> {
  if (names.length === 0) return;
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  const value = (r: (typeof resources)[number], name: string) => r.configEntries.find((e) => e.configName === name)?.configValue;
  const wanted = (r: (typeof resources)[number]) => ({
    'max.message.bytes': Number(value(r, 'max.message.bytes') ?? 0) < MAX_MESSAGE_BYTES ? String(MAX_MESSAGE_BYTES) : undefined,
    'retention.ms': retentionMs !== undefined && value(r, 'retention.ms') !== String(retentionMs) ? String(retentionMs) : undefined,
    'segment.ms': retentionMs !== undefined && value(r, 'segment.ms') !== String(segmentMs(retentionMs)) ? String(segmentMs(retentionMs)) : undefined,
  });
  const changed = resources.filter((r) => Object.values(wanted(r)).some((v) => v !== undefined));
  if (changed.length === 0) return;
  await admin.alterConfigs({
    validateOnly: false,
    resources: changed.map((r) => {
      const set = Object.entries(wanted(r)).filter((e): e is [string, string] => e[1] !== undefined);
      return {
        type: ConfigResourceTypes.TOPIC,
        name: r.resourceName,
        configEntries: [
          ...r.configEntries
            .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG && !set.some(([name]) => name === e.configName))
            .map((e) => ({ name: e.configName, value: e.configValue })),
          ...set.map(([name, v]) => ({ name, value: v })),
        ],
      };
    }),
  });
}
