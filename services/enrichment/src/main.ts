#!/usr/bin/env node
import { runStageMain, TOPICS } from '@leadflow/bus';
import { shared } from '@leadflow/config';
import { failedBatch } from '@leadflow/pipeline';
import { createPostgres, databaseModule } from '@leadflow/stores';
import { createEnrichmentStage } from './enrichment-stage.js';
import { createSqlQualitySettings } from './quality-settings.js';

await runStageMain({
  name: 'enrichment',
  input: TOPICS.leadsDeduped,
  output: TOPICS.leadsEnriched,
  schema: { databaseUrl: shared.databaseUrl() },
  build: ({ config, lifecycle }) => {
    const db = createPostgres({ url: config.databaseUrl, applicationName: 'leadflow-enrichment' });
    lifecycle.add(databaseModule(db));
    // Each tenant's weights, threshold and calling window, as set over PUT /v1/settings/quality.
    return createEnrichmentStage({ settings: createSqlQualitySettings(db) });
  },
  poisonOutput: (b) => failedBatch(b, 'enrichment'),
});
