import type { LeadBatch } from '@leadflow/proto';

/**
 * A stage is a plain function of a batch. Its dependencies (stores, logger, metrics) are
 * bound when it is created (`createDedupStage(deps)`), never read from globals, so the
 * Kafka services and the standalone runner run the same code.
 *
 * `signal`, where given, aborts when the batch is no longer this process's to finish (in Kafka
 * mode: the consumer group gave its partition to another member). A stage that waits (for an
 * index rebuild, a webhook's retries) stops waiting then and throws; its side effects must
 * already be safe to repeat, since another member handles the batch again.
 */
export type Stage<I, O> = (batch: I, signal?: AbortSignal) => Promise<O>;

/** A stage after mapping: a lead batch in, the same rows marked, out. */
export type BatchStage = Stage<LeadBatch, LeadBatch>;

/** The end of a pipeline: stores or delivers a batch and returns nothing. */
export type Sink<I> = (batch: I, signal?: AbortSignal) => Promise<void>;

const FANOUT: unique symbol = Symbol('leadflow.fanout');

/**
 * A stage's result when one batch in gives zero or several out: mapping holds a job's rows while
 * a person reviews its mapping (none out), then releases them all at once (several out).
 */
export interface Fanout<O> {
  readonly [FANOUT]: true;
  readonly outputs: readonly O[];
  /** Runs once every output is safely handed on (sent to Kafka, or queued in process). */
  readonly settle?: () => Promise<void>;
}

export const fanout = <O>(outputs: readonly O[], settle?: () => Promise<void>): Fanout<O> => ({ [FANOUT]: true, outputs, settle });

export const isFanout = <O>(result: O | Fanout<O>): result is Fanout<O> =>
  typeof result === 'object' && result !== null && FANOUT in result;

/** A result's outputs: the fanout's, or the one batch. */
export const outputsOf = <O>(result: O | Fanout<O>): readonly O[] => (isFanout(result) ? result.outputs : [result]);
