import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@leadflow/logger';
import type { Metrics } from '@leadflow/metrics';
import { isFanout, isTransient, outputsOf, skipCancelled, type CancelledJobs, type Fanout, type Stage } from '@leadflow/pipeline';
import { withSpan } from '@leadflow/telemetry';
import type { Bus, ConsumedMessage } from './create-bus.js';
import { sendDeadLetter } from './dead-letter.js';
import { PRIORITIES, priorityTopic, priorityTopics, TOPICS, type Topic } from './topics.js';

export interface StageServiceOptions<I, O> {
  /** Service name: consumer group, span and metric label. */
  name: string;
  bus: Bus;
  input: Topic<I>;
  /** Where the stage's result goes; none for the last stage. */
  output?: Topic<O>;
  /**
   * One batch out, or a fanout of zero or more (sent together, then settled). `signal` aborts
   * when the group takes the batch's partition away: the stage should stop at a safe point.
   */
  stage: (batch: I, signal: AbortSignal) => Promise<O | Fanout<O>>;
  jobIdOf: (batch: I) => string;
  /**
   * What to send on when a batch is poison (fails after its retries for a reason that is not
   * transient): usually the batch with its rows removed and a failure set, so the job fails
   * visibly downstream instead of waiting forever. The batch itself goes to the dead-letter topic.
   */
  poisonOutput?: (batch: I, error: Error) => O | undefined;
  /** Rows out by outcome, for the rows counter. */
  countRows?: (result: O) => Record<string, number>;
  logger: Logger;
  metrics: Metrics;
  /** Attempts for a batch that fails for a reason that is not transient. @default 3 */
  maxAttempts?: number;
  /** How long to keep retrying a transient failure before giving up loudly. @default 300000 */
  transientRetryMs?: number;
  /** Batches of different partitions (so of different jobs) handled at once. @default 1 */
  concurrency?: number;
  /** A cancelled job's batches are dropped unread: nothing of them goes on (docs/job-cancel.md). */
  cancelled?: CancelledJobs;
  /**
   * How often the waiting batches of each priority are read: lower priorities pause while a
   * higher one has batches waiting (docs/job-priority.md). @default 200
   */
  priorityPollMs?: number;
}

/**
 * Kafka mode for one stage: consume `input` with the service's consumer group, run the stage,
 * produce the result, and commit the input offset only after the output is acknowledged.
 */
export function createStageService<I, O>(opts: StageServiceOptions<I, O>) {
  const { bus, logger, metrics, name } = opts;
  const maxAttempts = opts.maxAttempts ?? 3;
  const transientRetryMs = opts.transientRetryMs ?? 300_000;
  // The service always passes the signal on.
  const stage = skipCancelled<I, O>(opts.stage as Stage<I, O | Fanout<O>>, opts.cancelled, opts.jobIdOf);
  let stopping = false;

  /**
   * The batch as it arrived, for each attempt: stages mark rows in place (dispositions, reasons,
   * tags), so an attempt that failed half-way leaves its marks on the object it was given, and a
   * retry on that object would skip rows already marked and add reasons twice.
   */
  const arrived = (msg: ConsumedMessage<I>, attempt: number): I => (attempt === 1 ? msg.value : opts.input.codec.decode(msg.bytes));

  async function runWithRetries(msg: ConsumedMessage<I>): Promise<{ ok: true; result: O | Fanout<O> } | { ok: false; error: Error }> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return { ok: true, result: await stage(arrived(msg, attempt), msg.signal) };
      } catch (err) {
        const error = err as Error;
        // The partition is another member's now: no retry, no dead letter; the bus rejoins the group.
        msg.signal.throwIfAborted();
        if (isTransient(error)) {
          if (stopping || Date.now() - started > transientRetryMs) throw error;
          logger.warn({ err: error, attempt }, 'transient failure: retrying the batch');
        } else if (attempt >= maxAttempts) {
          return { ok: false, error };
        } else {
          logger.warn({ err: error, attempt }, 'batch failed: retrying');
        }
        await sleep(Math.min(200 * 2 ** (attempt - 1), 10_000), undefined, { signal: msg.signal });
      }
    }
  }

  const inputs = priorityTopics(opts.input);
  /** A batch goes on at the priority it came in at: the output variant of its input's. */
  const outputOf = (inputTopic: string): Topic<O> | undefined => {
    if (!opts.output) return undefined;
    const i = inputs.findIndex((t) => t.name === inputTopic);
    return priorityTopic(opts.output, PRIORITIES[i < 0 ? 1 : i]!);
  };

  async function deadLetter(msg: { topic: string; partition: number; offset: string; key: string }, payload: Uint8Array, error: Error & { code?: unknown }) {
    await sendDeadLetter(bus, { ...msg, service: name, sourceTopic: msg.topic, payload, error });
    metrics.batches.inc({ stage: name, result: 'dead_letter' });
  }

  async function handle(msg: ConsumedMessage<I>): Promise<void> {
    const jobId = opts.jobIdOf(msg.value);
    await withSpan(`leadflow-${name}`, `${name} batch`, msg.traceContext, { 'leadflow.job_id': jobId }, async () => {
      const timer = metrics.batchSeconds.startTimer({ stage: name });
      const outcome = await runWithRetries(msg);
      timer();
      // A safe point: a batch the group gave away is not sent on; its new owner handles it.
      msg.signal.throwIfAborted();
      const output = outputOf(msg.topic);
      if (outcome.ok) {
        const outputs = outputsOf(outcome.result);
        if (output && outputs.length > 0) await bus.send(output, outputs.map((value) => ({ key: jobId, value })));
        if (isFanout(outcome.result)) await outcome.result.settle?.();
        metrics.batches.inc({ stage: name, result: 'ok' });
        for (const output of outputs) {
          for (const [k, n] of Object.entries(opts.countRows?.(output) ?? {})) metrics.rows.inc({ stage: name, outcome: k }, n);
        }
        return;
      }
      logger.error({ err: outcome.error, jobId, partition: msg.partition, offset: msg.offset }, 'poison batch: sent to the dead-letter topic');
      await deadLetter({ ...msg, key: jobId }, msg.bytes, outcome.error);
      const poison = opts.poisonOutput?.(opts.input.codec.decode(msg.bytes), outcome.error);
      if (poison !== undefined && output) await bus.send(output, [{ key: jobId, value: poison }]);
    });
  }

  return {
    name,
    async start() {
      const topics: Topic<unknown>[] = [...(inputs as Topic<unknown>[]), TOPICS.dlq as Topic<unknown>];
      if (opts.output) topics.push(...(priorityTopics(opts.output) as Topic<unknown>[]));
      await bus.ensureTopics(topics);
      await bus.consume({
        groupId: name,
        topic: opts.input,
        lanes: { topics: inputs, pollMs: opts.priorityPollMs ?? 200 },
        concurrency: opts.concurrency,
        handle,
        onUndecodable: async (raw) => {
          logger.error({ err: raw.error, partition: raw.partition, offset: raw.offset }, 'undecodable message: sent to the dead-letter topic');
          await deadLetter(raw, raw.bytes, Object.assign(raw.error, { code: 'LEADFLOW_ERR_DECODE' }));
        },
      });
    },
    async stop() {
      stopping = true;
      await bus.stop();
    },
  };
}
