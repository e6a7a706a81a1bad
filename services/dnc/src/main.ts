#!/usr/bin/env node
import { runStageMain, TOPICS } from '@leadflow/bus';
import { shared } from '@leadflow/config';
import { failedBatch } from '@leadflow/pipeline';
import type { LeadBatch } from '@leadflow/proto';
import { writeLeadSuppressed } from '@leadflow/delivery';
import { createSqlRescreenLeadStore } from '@leadflow/persistence';
import { secretKeysSchema } from '@leadflow/secrets';
import { createDncBitmapCache, createPostgres, createSqlErasedSubjects, createRedis, createRedisDncRegistry, createSqlDncExemptions, databaseModule, dncListMigrations, importLegacyDncKeys, migrate, redisModule } from '@leadflow/stores';
import { auditUpkeepModule } from './audit-upkeep.js';
import { auditRetentionSchema } from './audit-config.js';
import { AUDIT_PHONE_PURPOSE, createSqlDncAudit } from './dnc-audit.js';
import { createDncStage } from './dnc-stage.js';
import { createErasedScreen } from './erased-screen.js';
import { bitmapCacheSchema } from './bitmap-cache-config.js';
import { freshnessSchema } from './freshness-config.js';
import { createSqlHeldRows, heldRowsReleaser } from './held-rows.js';
import { listAgeGauge } from './list-age-gauge.js';
import { rescreenSchema } from './rescreen-config.js';
import { rescreenWorker } from './rescreen-worker.js';
import { sqlStalePolicy } from './stale-policy.js';
import { migrations } from './index.js';

/** How long the lists' versions read from PostgreSQL serve a tenant's screenings. */
const DNC_VERSIONS_TTL_MS = 1000;

await runStageMain({
  name: 'dnc',
  input: TOPICS.leadsEnriched,
  output: TOPICS.leadsScreened,
  // The audit keeps numbers as keyed hashes: the service needs the installation's keys.
  schema: { databaseUrl: shared.databaseUrl(), redisUrl: shared.redisUrl(), ...secretKeysSchema, ...auditRetentionSchema, ...freshnessSchema, ...bitmapCacheSchema, ...rescreenSchema },
  build: ({ config, lifecycle, logger, metrics }, { bus }) => {
    const db = createPostgres({ url: config.databaseUrl, applicationName: 'leadflow-dnc' });
    const redis = createRedis({ url: config.redisUrl, name: 'leadflow-dnc' });
    // The lists' versions are read from PostgreSQL once a second per tenant, not once a batch; the shared lists'
    // bitmaps are held in memory, read whole from Redis as they are met (docs/dnc-lists.md).
    const registry = createRedisDncRegistry(redis, db, {
      versionsTtlMs: DNC_VERSIONS_TTL_MS,
      bitmapCache: createDncBitmapCache(config.bitmapCacheMb * 1024 * 1024),
    });
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
    // The persons each tenant erased, by keyed hash, read again at most a second after an erasure (docs/erasure.md).
    const erased = createErasedScreen({ subjects: createSqlErasedSubjects(db), hashes: (purpose, value) => config.secretKeys.keyedHashes(purpose, value) });
    const stage = createDncStage({
      registry,
      erased,
      audit: createSqlDncAudit(db, hashOf),
      exemptions: createSqlDncExemptions(db),
      wirelessStates: config.wirelessStates,
      freshness: { maxAgeDays: config.maxListAgeDays, policyOf: sqlStalePolicy(db, config.staleListPolicy), held: createSqlHeldRows(db) },
    });
    // Rows held for a stale list go on, screened again, once every national and state list is fresh (docs/dnc-lists.md, "Freshness").
    lifecycle.add(heldRowsReleaser({
      db, screen: stage, maxAgeDays: config.maxListAgeDays, intervalMs: config.heldReleaseMs, logger,
      emit: (batch: LeadBatch) => bus.send(TOPICS.leadsScreened, [{ key: batch.job!.jobId, value: batch }]),
    }));
    lifecycle.add(listAgeGauge({ db, metrics, logger }));
    // Stored leads screened again when a list changes, when a tenant asks, and on a schedule (docs/rescreen.md): the
    // dnc service has the lists; the leads and the outbox are in the same PostgreSQL.
    const exemptions = createSqlDncExemptions(db);
    lifecycle.add(rescreenWorker({
      db, logger, leads: createSqlRescreenLeadStore(db), pollMs: config.rescreenPollMs,
      schedule: { intervalHours: config.rescreenIntervalHours, everyMs: config.rescreenScheduleMs },
      stageFor: (rescreen) => createDncStage({ registry, audit: createSqlDncAudit(db, hashOf, { rescreen }), exemptions, wirelessStates: config.wirelessStates, erased }),
      notify: (tx, tenantId, leads) => writeLeadSuppressed(tx, tenantId, leads),
    }));
    return stage;
  },
  poisonOutput: (b) => failedBatch(b, 'dnc'),
});
