#!/usr/bin/env node
import { runStageMain, TOPICS } from '@leadflow/bus';
import { shared } from '@leadflow/config';
import { failedBatch } from '@leadflow/pipeline';
import { createPostgres, databaseModule } from '@leadflow/stores';
import { migrations } from './index.js';
import { createSqlLeadStore } from './lead-store.js';
import { createPersistenceStage } from './persistence-stage.js';
import { rawCleanupModule, rawRetentionSchema } from './raw-cleanup.js';

await runStageMain({
  name: 'persistence',
  input: TOPICS.leadsScreened,
  output: TOPICS.leadsStored,
  schema: { databaseUrl: shared.databaseUrl(), ...rawRetentionSchema },
  build: ({ config, lifecycle, logger, metrics }) => {
    const db = createPostgres({ url: config.databaseUrl, applicationName: 'leadflow-persistence' });
    lifecycle.add(databaseModule(db, migrations));
    lifecycle.add(rawCleanupModule({ db, retentionHours: config.rawRetentionHours, intervalMs: config.rawCleanupIntervalMs, logger }));
    return createPersistenceStage({ store: createSqlLeadStore(db), logger, metrics });
  },
  poisonOutput: (b) => failedBatch(b, 'persistence'),
});
