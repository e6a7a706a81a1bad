import { fileURLToPath } from 'node:url';
import type { Migrations } from '@leadflow/stores';

export { createDncStage } from './dnc-stage.js';
export type { DncStageOptions } from './dnc-stage.js';
export { AUDIT_PHONE_PURPOSE, createSqlDncAudit } from './dnc-audit.js';
export type { DncAudit, DncCheck, PhoneHash } from './dnc-audit.js';
export { auditUpkeepModule, hashRawAuditPhones, purgeExpiredAudit } from './audit-upkeep.js';
export type { AuditUpkeepOptions } from './audit-upkeep.js';
export { auditRetentionSchema } from './audit-config.js';

export const migrations: Migrations = { owner: 'dnc', dir: fileURLToPath(new URL('../migrations', import.meta.url)) };
