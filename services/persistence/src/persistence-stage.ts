import type { Logger } from '@leadflow/logger';
import type { Metrics } from '@leadflow/metrics';
import type { BatchStage } from '@leadflow/pipeline';
import type { LeadStore } from './lead-store.js';

/** Stores each batch and passes it on unchanged, for delivery. */
export function createPersistenceStage(deps: { store: LeadStore; logger: Logger; metrics: Metrics }): BatchStage {
  return async (batch) => {
    const result = await deps.store.storeBatch(batch);
    if (result.finished) {
      deps.metrics.jobs.inc({ status: result.finished });
      deps.logger.info({ jobId: batch.job?.jobId, status: result.finished, failure: batch.failure?.code }, 'job finished');
    }
    return batch;
  };
}
