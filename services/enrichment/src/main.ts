#!/usr/bin/env node
import { runStageMain, TOPICS } from '@leadflow/bus';
import { failedBatch } from '@leadflow/pipeline';
import { createEnrichmentStage } from './enrichment-stage.js';

await runStageMain({
  name: 'enrichment',
  input: TOPICS.leadsDeduped,
  output: TOPICS.leadsEnriched,
  schema: {},
  build: () => createEnrichmentStage(),
  poisonOutput: (b) => failedBatch(b, 'enrichment'),
});
