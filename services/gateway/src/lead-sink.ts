import type { RowOutcome } from '@leadflow/persistence';
import type { RowBatch } from '@leadflow/proto';

/** A lead handed to the pipeline: its outcome, once persistence has filed it. */
export interface SubmittedLead {
  /** How the lead was filed; undefined when that is not known within `waitMs` (it goes on regardless). */
  outcome(waitMs: number): Promise<RowOutcome | undefined>;
}

/**
 * The pipeline's way in for one lead at a time (POST /v1/leads, gRPC SubmitLead): a batch of one
 * row that is its job whole, past ingest (there is no file to read). The mapping topic in Kafka
 * mode, the in-process stages in `leadflow serve`.
 */
export interface LeadSink {
  /** Resolves once the batch is safely handed on (acknowledged by Kafka, or running in process). */
  submit(batch: RowBatch): Promise<SubmittedLead>;
  /** Answers every wait at once, unknown: the gateway stops. */
  close?(): void;
}
