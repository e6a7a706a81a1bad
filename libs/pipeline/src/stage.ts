import type { LeadBatch } from '@leadflow/proto';

/**
 * A stage is a plain function of a batch. Its dependencies (stores, logger, metrics) are
 * bound when it is created (`createDedupStage(deps)`), never read from globals, so the
 * Kafka services and the standalone runner run the same code.
 */
export type Stage<I, O> = (batch: I) => Promise<O>;

/** A stage after mapping: a lead batch in, the same rows marked, out. */
export type BatchStage = Stage<LeadBatch, LeadBatch>;

/** The end of a pipeline: stores or delivers a batch and returns nothing. */
export type Sink<I> = (batch: I) => Promise<void>;
