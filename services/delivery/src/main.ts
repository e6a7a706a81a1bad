#!/usr/bin/env node
import { runStageMain, TOPICS } from '@leadflow/bus';
import { int, shared } from '@leadflow/config';
import { createOutboundFetch, outboundRulesFromConfig, outboundSchema } from '@leadflow/outbound';
import { secretKeysSchema } from '@leadflow/secrets';
import { createPostgres, databaseModule, sqlCancelLookup } from '@leadflow/stores';
import { createDeliveryStage } from './delivery-stage.js';
import { createSqlDeliveryStore } from './delivery-store.js';
import { createSqlEndpointStore, sealEndpointSecrets } from './endpoint-store.js';
import { migrations } from './index.js';

await runStageMain({
  name: 'delivery',
  input: TOPICS.leadsStored,
  schema: {
    databaseUrl: shared.databaseUrl(),
    ...outboundSchema,
    // Delivery opens the endpoints' secrets to sign with them: it cannot start without their keys.
    ...secretKeysSchema,
    maxAttempts: ['DELIVERY_MAX_ATTEMPTS', int({ min: 1, max: 20, default: 5 })],
    // A request's wait stays below the Kafka consumer's session timeout (30 s), as every wait of a batch does.
    timeoutMs: ['DELIVERY_TIMEOUT_MS', int({ min: 100, max: 25_000, default: 10_000 })],
  },
  build: ({ config, lifecycle, logger, metrics }) => {
    const db = createPostgres({ url: config.databaseUrl, applicationName: 'leadflow-delivery' });
    lifecycle.add(databaseModule(db, migrations));
    const endpoints = createSqlEndpointStore(db, config.secretKeys);
    lifecycle.add({ name: 'webhook-secrets', start: async () => void (await sealEndpointSecrets(endpoints, logger)) });
    const fetch = createOutboundFetch(outboundRulesFromConfig(config));
    lifecycle.add({ name: 'outbound', stop: () => fetch.close() });
    return createDeliveryStage({
      fetch,
      store: createSqlDeliveryStore(db),
      endpoints,
      logger,
      metrics,
      webhook: { maxAttempts: config.maxAttempts, timeoutMs: config.timeoutMs },
      isCancelled: sqlCancelLookup(db),
    });
  },
});
