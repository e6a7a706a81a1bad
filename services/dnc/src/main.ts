#!/usr/bin/env node
import { runStageMain, TOPICS } from '@leadflow/bus';
import { shared } from '@leadflow/config';
import { failedBatch } from '@leadflow/pipeline';
import { secretKeysSchema } from '@leadflow/secrets';
import { createPostgres, createRedis, createRedisDncRegistry, createSqlDncExemptions, databaseModule, dncListMigrations, importLegacyDncKeys, migrate, redisModule } from '@leadflow/stores';
import { auditUpkeepModule } from './audit-upkeep.js';
import { auditRetentionSchema } from './audit-config.js';
import { AUDIT_PHONE_PURPOSE, createSqlDncAudit } from './dnc-audit.js';
import { createDncStage } from './dnc-stage.js';
import { migrations } from './index.js';

/** How long the lists' versions read from PostgreSQL serve a tenant's screenings. */
const DNC_VERSIONS_TTL_MS = 1000;

await runStageMain({
  name: 'dnc',
  input: TOPICS.leadsEnriched,
  output: TOPICS.leadsScreened,
  // The audit keeps numbers as keyed hashes: the service needs the installation's keys.
  schema: { databaseUrl: shared.databaseUrl(), redisUrl: shared.redisUrl(), ...secretKeysSchema, ...auditRetentionSchema },
  build: ({ config, lifecycle, logger }) => {
    const db = createPostgres({ url: config.databaseUrl, applicationName: 'leadflow-dnc' });
    const redis = createRedis({ url: config.redisUrl, name: 'leadflow-dnc' });
    // The lists' versions are read from PostgreSQL once a second per tenant, not once a batch (docs/dnc-lists.md).
    const registry = createRedisDncRegistry(redis, db, { versionsTtlMs: DNC_VERSIONS_TTL_MS });
    const hashOf = (phone: string) => config.secretKeys.keyedHash(AUDIT_PHONE_PURPOSE, phone);
    lifecycle.add(databaseModule(db, migrations));
    lifecycle.add(redisModule(redis));
    // Before the service says it is ready: the lists in PostgreSQL, and whole in Redis (docs/dnc-lists.md).
    lifecycle.add({
      name: 'dnc-lists',
      async start() {
        await migrate(db, dncListMigrations);
        const imported = await importLegacyDncKeys(redis, db);
        if (imported > 0) logger.info({ imported }, 'DNC numbers kept only in Redis moved to PostgreSQL');
        logger.info({ loaded: await registry.warm() }, 'DNC lists loaded into Redis');
      },
      stop: async () => {},
    });
    lifecycle.add(auditUpkeepModule({ db, hashOf, retentionDays: config.auditRetentionDays, logger }));
    return createDncStage({ registry, audit: createSqlDncAudit(db, hashOf), exemptions: createSqlDncExemptions(db) });
  },
  poisonOutput: (b) => failedBatch(b, 'dnc'),
});
