import { fileURLToPath } from 'node:url';
import type { Migrations } from '@leadflow/stores';

export { createDncStage } from './dnc-stage.js';
export type { DncStageOptions } from './dnc-stage.js';
export { AUDIT_PHONE_PURPOSE, createSqlDncAudit } from './dnc-audit.js';
export { createErasedScreen, ERASED_TTL_MS } from './erased-screen.js';
export type { ErasedScreen, KeyedHashes } from './erased-screen.js';
export type { DncAudit, DncCheck, PhoneHash } from './dnc-audit.js';
export { auditUpkeepModule, hashRawAuditPhones, purgeExpiredAudit } from './audit-upkeep.js';
export type { AuditUpkeepOptions } from './audit-upkeep.js';
export { auditRetentionSchema } from './audit-config.js';
export { bitmapCacheSchema } from './bitmap-cache-config.js';
export { DEFAULT_WIRELESS_STATES, freshnessSchema, snapshotAgeDays, STALE_LIST_POLICIES } from './freshness-config.js';
export type { StaleListPolicy } from './freshness-config.js';
export { createSqlHeldRows, heldRowsReleaser, releaseHeldRows, staleSharedLists } from './held-rows.js';
export type { HeldRows, ReleaseOptions } from './held-rows.js';
export { sqlStalePolicy } from './stale-policy.js';
export { listAgeGauge, readListAges } from './list-age-gauge.js';

export const migrations: Migrations = { owner: 'dnc', dir: fileURLToPath(new URL('../migrations', import.meta.url)) };
export { rescreenPage, rowOf } from './rescreen.js';
export type { PageOutcome, RescreenDeps, RescreenLead, RescreenLeads, RescreenReason, RescreenRun, RescreenSuppressed } from './rescreen.js';
export { claimRescreen, requestScheduledRescreen, rescreenWorker, workRescreens } from './rescreen-worker.js';
export type { RescreenWorkerOptions } from './rescreen-worker.js';
export { rescreenSchema } from './rescreen-config.js';
