#!/usr/bin/env node
import { runStageMain, TOPICS } from '@leadflow/bus';
import { str } from '@leadflow/config';
import { jobFailure } from '@leadflow/pipeline';
import { createMappingStage } from './mapping-stage.js';

await runStageMain({
  name: 'mapping',
  input: TOPICS.rowsRaw,
  output: TOPICS.leadsMapped,
  schema: {
    defaultRegion: ['MAPPING_DEFAULT_REGION', str({ default: 'US', description: 'ISO country for numbers without a country code' })],
  },
  build: ({ config }) => createMappingStage({ defaultRegion: config.defaultRegion }),
  poisonOutput: (b) => ({
    job: b.job, seq: b.seq, header: b.header, mapping: [], rows: [], last: b.last, totalRows: b.totalRows,
    failure: jobFailure('INTERNAL', `mapping failed on batch ${b.seq}; the batch is in the dead-letter topic`),
  }),
});
