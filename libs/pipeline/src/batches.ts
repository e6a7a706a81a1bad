import type { JobFailure, LeadBatch } from '@leadflow/proto';
import { jobFailure } from './job-failures.js';

/**
 * A poison batch's stand-in for the next stage: the job and position without the rows, and a
 * failure, so that the job ends failed instead of waiting for rows that will not come.
 */
export function failedBatch(batch: LeadBatch, stage: string, failure?: JobFailure): LeadBatch {
  return {
    ...batch,
    rows: [],
    failure: failure ?? jobFailure('INTERNAL', `${stage} failed on batch ${batch.seq}; the batch is in the dead-letter topic`),
  };
}
