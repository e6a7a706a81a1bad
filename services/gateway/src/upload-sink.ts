import type { JobFailure, JobRef } from '@leadflow/proto';

/** Where an upload's bytes go: the uploads topic in Kafka mode, the in-process ingest in standalone mode. */
export interface UploadSink {
  open(job: JobRef): UploadWriter;
}

export interface UploadWriter {
  /** Chunks in file order; resolves when the chunk is safely handed on. */
  write(chunk: Uint8Array): Promise<void>;
  /** The whole file was written. */
  end(): Promise<void>;
  /** The upload failed; the job fails with this. */
  fail(failure: JobFailure): Promise<void>;
}
