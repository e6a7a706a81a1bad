import { fileURLToPath } from 'node:url';
import type { Migrations } from '@leadflow/stores';

export { createDncStage } from './dnc-stage.js';
export type { DncStageOptions } from './dnc-stage.js';
export { createSqlDncAudit } from './dnc-audit.js';
export type { DncAudit, DncCheck } from './dnc-audit.js';

export const migrations: Migrations = { owner: 'dnc', dir: fileURLToPath(new URL('../migrations', import.meta.url)) };
