#!/usr/bin/env node
import { runStageMain, TOPICS } from '@leadflow/bus';
import { shared } from '@leadflow/config';
import { failedBatch } from '@leadflow/pipeline';
import { createPostgres, createRedis, createRedisDncRegistry, databaseModule, redisModule } from '@leadflow/stores';
import { createSqlDncAudit } from './dnc-audit.js';
import { createDncStage } from './dnc-stage.js';
import { migrations } from './index.js';

await runStageMain({
  name: 'dnc',
  input: TOPICS.leadsEnriched,
  output: TOPICS.leadsScreened,
  schema: { databaseUrl: shared.databaseUrl(), redisUrl: shared.redisUrl() },
  build: ({ config, lifecycle }) => {
    const db = createPostgres({ url: config.databaseUrl, applicationName: 'leadflow-dnc' });
    const redis = createRedis({ url: config.redisUrl, name: 'leadflow-dnc' });
    lifecycle.add(databaseModule(db, migrations));
    lifecycle.add(redisModule(redis));
    return createDncStage({ registry: createRedisDncRegistry(redis), audit: createSqlDncAudit(db) });
  },
  poisonOutput: (b) => failedBatch(b, 'dnc'),
});
