#!/usr/bin/env node
import { runStageMain, TOPICS } from '@leadflow/bus';
import { shared } from '@leadflow/config';
import { failedBatch } from '@leadflow/pipeline';
import { createPostgres, createRedis, createRedisFingerprintStore, databaseModule, redisModule } from '@leadflow/stores';
import { createDedupStage } from './dedup-stage.js';
import { createRedisCandidateIndex } from './matching/redis-candidate-index.js';
import { DEFAULT_EXCLUSIVITY_DAYS } from './exclusivity.js';
import { createSqlExclusivityDays, createSqlPolicies, policyFromConfig, policySchema } from './policy.js';
import { createSqlStoredLeads } from './stored-leads.js';

await runStageMain({
  name: 'dedup',
  input: TOPICS.leadsMapped,
  output: TOPICS.leadsDeduped,
  schema: { databaseUrl: shared.databaseUrl(), redisUrl: shared.redisUrl(), ...policySchema },
  build: ({ config, lifecycle, metrics }, { cancelled }) => {
    const policy = policyFromConfig(config);
    const db = createPostgres({ url: config.databaseUrl, applicationName: 'leadflow-dedup' });
    const redis = createRedis({ url: config.redisUrl, name: 'leadflow-dedup' });
    lifecycle.add(databaseModule(db));
    lifecycle.add(redisModule(redis));
    const stored = createSqlPolicies(db);
    return createDedupStage({
      fingerprints: createRedisFingerprintStore(redis),
      index: createRedisCandidateIndex(redis),
      leads: createSqlStoredLeads(db),
      metrics,
      cancelled,
      // The deployment's defaults, then what the tenant and the supplier set over the API.
      policy: async (tenantId, supplier) => ({ ...policy, ...(await stored(tenantId, supplier)) }),
      // The tenant's window for exclusivity, set with its quality settings (PUT /v1/settings/quality).
      exclusivityDays: createSqlExclusivityDays(db, DEFAULT_EXCLUSIVITY_DAYS),
    });
  },
  poisonOutput: (b) => failedBatch(b, 'dedup'),
});
