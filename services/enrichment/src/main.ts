#!/usr/bin/env node
import { runStageMain, TOPICS } from '@leadflow/bus';
import { int, shared } from '@leadflow/config';
import { failedBatch } from '@leadflow/pipeline';
import { createPostgres, databaseModule } from '@leadflow/stores';
import { DEFAULT_ENRICH_CACHE_SIZE } from './enrich-lead.js';
import { createEnrichmentStage } from './enrichment-stage.js';
import { createSqlQualitySettings } from './quality-settings.js';
import { createSqlTagRules } from './tag-rule-store.js';

await runStageMain({
  name: 'enrichment',
  input: TOPICS.leadsDeduped,
  output: TOPICS.leadsEnriched,
  schema: {
    databaseUrl: shared.databaseUrl(),
    cacheSize: [
      'ENRICHMENT_CACHE_SIZE',
      int({ min: 0, max: 10_000_000, default: DEFAULT_ENRICH_CACHE_SIZE, description: 'entries each of enrichment\'s caches of answers by key (email domain, phone prefix, job title, company) keeps; 0 keeps none' }),
    ],
  },
  build: ({ config, lifecycle, logger }) => {
    // The tenants' tag rules (table tag_rules, kept by the gateway), read again every 30 s.
    const db = createPostgres({ url: config.databaseUrl, maxConnections: 2, applicationName: 'leadflow-enrichment' });
    lifecycle.add(databaseModule(db));
    const tagRules = createSqlTagRules(db, {
      onUnreadable: (tenantId, err) => logger.warn({ tenantId, err: err.message }, 'a tenant\'s tag rules no longer parse: the tenant\'s leads get none until they are saved again'),
    });
    // Each tenant's weights, threshold and calling window, as set over PUT /v1/settings/quality.
    return createEnrichmentStage({ tagRules, settings: createSqlQualitySettings(db), cacheSize: config.cacheSize });
  },
  poisonOutput: (b) => failedBatch(b, 'enrichment'),
});
