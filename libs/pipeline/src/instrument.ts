import type { Metrics } from '@leadflow/metrics';
import type { LeadBatch } from '@leadflow/proto';
import { countDispositions } from './dispositions.js';
import { outputsOf, type Fanout, type Stage } from './stage.js';

/** Wraps a stage with the batch timer and the rows-out counter, as the Kafka stage service does. */
export function instrument<I, O extends LeadBatch | Fanout<LeadBatch>>(name: string, stage: Stage<I, O>, metrics: Metrics): Stage<I, O> {
  return async (batch, signal) => {
    const end = metrics.batchSeconds.startTimer({ stage: name });
    try {
      const out = await stage(batch, signal);
      metrics.batches.inc({ stage: name, result: 'ok' });
      for (const batch of outputsOf<LeadBatch>(out)) {
        for (const [outcome, n] of Object.entries(countDispositions(batch.rows))) if (n > 0) metrics.rows.inc({ stage: name, outcome }, n);
      }
      return out;
    } catch (err) {
      metrics.batches.inc({ stage: name, result: 'error' });
      throw err;
    } finally {
      end();
    }
  };
}
