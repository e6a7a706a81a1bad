import type { JobFailure, JobRef, MappingDecision } from '@leadflow/proto';

/** The pipeline's way in: the topics in Kafka mode, the in-process stages in standalone mode. */
export interface UploadSink {
  /** Where an upload's bytes go: the uploads topic, or the in-process ingest. */
  open(job: JobRef): UploadWriter;
  /** A person's decision on the mapping of a job in review, sent in order with the job's rows. */
  decide(job: JobRef, decision: MappingDecision): Promise<void>;
}

export interface UploadWriter {
  /** Chunks in file order; resolves when the chunk is safely handed on. */
  write(chunk: Uint8Array): Promise<void>;
  /** The whole file was written. */
  end(): Promise<void>;
  /** The upload failed; the job fails with this. */
  fail(failure: JobFailure): Promise<void>;
}
