import type { Metrics } from '@leadflow/metrics';
import type { LeadBatch } from '@leadflow/proto';
import { countDispositions } from './dispositions.js';
import type { Stage } from './stage.js';

/** Wraps a stage with the batch timer and the rows-out counter, as the Kafka stage service does. */
export function instrument<I>(name: string, stage: Stage<I, LeadBatch>, metrics: Metrics): Stage<I, LeadBatch> {
  return async (batch) => {
    const end = metrics.batchSeconds.startTimer({ stage: name });
    try {
      const out = await stage(batch);
      metrics.batches.inc({ stage: name, result: 'ok' });
      for (const [outcome, n] of Object.entries(countDispositions(out.rows))) if (n > 0) metrics.rows.inc({ stage: name, outcome }, n);
      return out;
    } catch (err) {
      metrics.batches.inc({ stage: name, result: 'error' });
      throw err;
    } finally {
      end();
    }
  };
}
