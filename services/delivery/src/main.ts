#!/usr/bin/env node
import { runStageMain, TOPICS } from '@leadflow/bus';
import { shared } from '@leadflow/config';
import { createOutboundFetch, outboundRulesFromConfig, outboundSchema } from '@leadflow/outbound';
import { secretKeysSchema } from '@leadflow/secrets';
import { createPostgres, createRedis, listenPostgres, type Listening, createRedisTokenBuckets, databaseModule, redisModule, sqlCancelLookup, sqlCancelLookupMany } from '@leadflow/stores';
import { createDispatcher, OUTBOX_CHANNEL } from './dispatcher.js';
import { dispatcherSchema } from './dispatcher-config.js';
import { createSqlEndpointStore, sealEndpointSecrets } from './endpoint-store.js';
import { migrations } from './index.js';
import { createOutboxStore } from './outbox-store.js';
import { createOutboxStage } from './outbox-writer.js';

await runStageMain({
  name: 'delivery',
  input: TOPICS.leadsStored,
  schema: {
    databaseUrl: shared.databaseUrl(),
    // The rate buckets every replica shares.
    redisUrl: shared.redisUrl(),
    ...outboundSchema,
    // Delivery opens the endpoints' secrets to sign with them: it cannot start without their keys.
    ...secretKeysSchema,
    ...dispatcherSchema,
  },
  build: ({ config, lifecycle, logger, metrics }) => {
    const db = createPostgres({ url: config.databaseUrl, applicationName: 'leadflow-delivery' });
    lifecycle.add(databaseModule(db, migrations));
    const redis = createRedis({ url: config.redisUrl, name: 'leadflow-delivery' });
    lifecycle.add(redisModule(redis));
    const endpoints = createSqlEndpointStore(db, config.secretKeys);
    lifecycle.add({ name: 'webhook-secrets', start: async () => void (await sealEndpointSecrets(endpoints, logger)) });
    const fetch = createOutboundFetch(outboundRulesFromConfig(config));
    lifecycle.add({ name: 'outbound', stop: () => fetch.close() });
    // The consumer only writes the outbox; this replica's dispatcher sends, outside it.
    const dispatcher = createDispatcher({
      store: createOutboxStore(db),
      keyring: config.secretKeys,
      buckets: createRedisTokenBuckets(redis),
      fetch,
      logger,
      metrics,
      schedule: config.retrySchedule,
      concurrency: config.deliveryConcurrency,
      timeoutMs: config.timeoutMs,
      pollMs: config.deliveryPollMs,
      circuitFailures: config.circuitFailures,
      circuitOpenMs: config.circuitOpenMs,
      areCancelled: sqlCancelLookupMany(db),
    });
    lifecycle.add({ name: 'dispatcher', start: () => dispatcher.start(), stop: () => dispatcher.stop() });
    // Events written by any replica (or the gateway) wake this one's dispatcher; it polls too.
    let listening: Listening | undefined;
    lifecycle.add({
      name: 'outbox-listener',
      start: async () => {
        listening = await listenPostgres({
          url: config.databaseUrl, channel: OUTBOX_CHANNEL, onNotify: dispatcher.nudge, applicationName: 'leadflow-delivery-listen',
          onError: (err) => logger.warn({ err }, 'outbox notifications not heard; the dispatcher polls meanwhile'),
        });
      },
      stop: async () => listening?.close(),
    });
    return createOutboxStage({ db, logger, metrics, isCancelled: sqlCancelLookup(db), onWritten: dispatcher.nudge });
  },
});
