import type { Logger } from '@leadflow/logger';
import { supplierLabeller, type Metrics } from '@leadflow/metrics';
import { fanout, type Fanout, type Stage } from '@leadflow/pipeline';
import type { LeadBatch } from '@leadflow/proto';
import type { LeadStore } from './lead-store.js';

/** Stores each batch and passes it on unchanged, for delivery; a cancelled job's batch is neither stored nor passed on. */
export function createPersistenceStage(deps: { store: LeadStore; logger: Logger; metrics: Metrics }): Stage<LeadBatch, LeadBatch | Fanout<LeadBatch>> {
  const supplierOf = supplierLabeller();
  return async (batch) => {
    const result = await deps.store.storeBatch(batch);
    if (result.cancelled) return fanout<LeadBatch>([]);
    // Rows stored for the first time only: a redelivered batch counts nothing (the supplier panel).
    const tenant = batch.job?.tenantId ?? '';
    const supplier = supplierOf(tenant, batch.job?.supplier ?? '');
    for (const [outcome, n] of Object.entries(result.inserted)) if (n > 0) deps.metrics.supplierRows.inc({ tenant, supplier, outcome }, n);
    if (result.finished) {
      deps.metrics.jobs.inc({ status: result.finished });
      deps.logger.info({ jobId: batch.job?.jobId, status: result.finished, failure: batch.failure?.code }, 'job finished');
    }
    return batch;
  };
}
