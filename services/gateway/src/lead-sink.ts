import type { RowOutcome } from '@leadflow/persistence';
import type { RowBatch } from '@leadflow/proto';
import type { LeadBatchingOptions } from './lead-batcher.js';

/** A lead handed to the pipeline: its outcome, once persistence has filed it. */
export interface SubmittedLead {
  /** How the lead of row `row` (default 1) was filed; undefined when that is not known within `waitMs` (it goes on regardless). */
  outcome(waitMs: number, row?: number): Promise<RowOutcome | undefined>;
}

/**
 * The pipeline's way in for leads that arrive one at a time (POST /v1/leads, gRPC SubmitLead): a
 * batch of one row, or of a row for each lead sent at once, that is its job whole, past ingest (there is no file to read). The mapping topic in Kafka
 * mode, the in-process stages in `leadflow serve`.
 */
export interface LeadSink {
  /** Resolves once the batch is safely handed on (acknowledged by Kafka, or running in process). */
  submit(batch: RowBatch): Promise<SubmittedLead>;
  /** How leads sent at once are gathered into one batch (lead-batcher.ts). */
  batching?: LeadBatchingOptions;
  /** Answers every wait at once, unknown: the gateway stops. */
  close?(): void;
}
