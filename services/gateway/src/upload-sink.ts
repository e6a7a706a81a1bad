import type { JobFailure, JobRef, MappingDecision } from '@leadflow/proto';

/** The pipeline's way in: the topics in Kafka mode, the in-process stages in standalone mode. */
export interface UploadSink {
  /** Where an upload's bytes go: the uploads topic, or the in-process ingest. */
  open(job: JobRef): UploadWriter;
  /** A person's decision on the mapping of a job in review, sent in order with the job's rows. */
  decide(job: JobRef, decision: MappingDecision): Promise<void>;
}

export interface UploadWriter {
  /**
   * Chunks in file order; resolves when the chunk is safely handed on. Where the file is read
   * as it arrives (standalone mode), rejects once it is found unreadable, with an error that
   * carries the job failure as `jobFailure`.
   */
  write(chunk: Uint8Array): Promise<void>;
  /**
   * The chunks after this are the next file's, named `fileName` as uploaded (several files, one
   * job: docs/several-files.md). Rejects like `write`. A sink without it takes one file an upload.
   */
  nextFile?(fileName: string): Promise<void>;
  /**
   * The whole file was written; `job` is the job as it stands now (a form may send fields after
   * the file), and replaces the one the writer was opened with. Rejects like `write`.
   */
  end(job: JobRef): Promise<void>;
  /** The upload failed (refused or cut off): the job fails with this, and nothing of the file is kept. */
  fail(failure: JobFailure): Promise<void>;
}
