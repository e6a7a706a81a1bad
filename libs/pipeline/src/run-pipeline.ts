import type { LeadBatch, RowBatch } from '@leadflow/proto';
import { bounded } from './bounded.js';
import { isFanout, type BatchStage, type Fanout, type Sink, type Stage } from './stage.js';

export interface PipelineOptions {
  /** Raw row batches of one or more jobs, in order per job. */
  source: AsyncIterable<RowBatch>;
  /** May hold batches back and release several at once (review mode). */
  mapping: Stage<RowBatch, LeadBatch | Fanout<LeadBatch>>;
  /** dedup, enrichment, dnc, persistence ... in pipeline order. */
  stages: readonly Stage<LeadBatch, LeadBatch | Fanout<LeadBatch>>[];
  sinks: readonly Sink<LeadBatch>[];
  /**
   * Batches each stage may run ahead of the next: the bounded queue between stages.
   * @default 4
   */
  queueCapacity?: number;
}

/**
 * Lets the event loop take its turn. The embedded database answers a statement without waiting
 * on I/O, so a job's whole run can be one chain of promise callbacks: without this, `serve`
 * read no request (not even /healthz) until a 20,000-row job had ended, 35 s later.
 */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function* through<I, O>(input: AsyncIterable<I>, stage: Stage<I, O | Fanout<O>>): AsyncGenerator<O> {
  for await (const batch of input) {
    await turn();
    const result = await stage(batch);
    if (!isFanout(result)) {
      yield result;
      continue;
    }
    for (const out of result.outputs) yield out;
    await result.settle?.();
  }
}

/**
 * Standalone mode: the stages composed in one process as an async pipeline with bounded
 * queues between them (docs/architecture.md section 1). Each stage sees batches in order.
 */
export async function runPipeline(opts: PipelineOptions): Promise<void> {
  const capacity = opts.queueCapacity ?? 4;
  let flow: AsyncIterable<LeadBatch> = bounded(through(bounded(opts.source, capacity), opts.mapping), capacity);
  for (const stage of opts.stages) flow = bounded(through(flow, stage), capacity);
  for await (const batch of flow) {
    for (const sink of opts.sinks) await sink(batch);
  }
}
