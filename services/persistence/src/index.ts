import { fileURLToPath } from 'node:url';
import type { Migrations } from '@leadflow/stores';

export { createPersistenceStage } from './persistence-stage.js';
export { createSqlLeadStore } from './lead-store.js';
export type { LeadStore, StoreResult } from './lead-store.js';
export { leadExists, leadMerges, planMerge, revertMerge } from './merge.js';
export type { Alternates, LeadFields, MergePlan, MergeRecord, RevertResult } from './merge.js';
export { decidePossibleDuplicate, listPossibleDuplicates, POSSIBLE_DUPLICATE_STATUSES } from './possible-duplicates.js';
export type { DecideResult, MovedLead, PossibleDuplicate, PossibleDuplicateStatus } from './possible-duplicates.js';

export { createSqlRescreenLeadStore } from './rescreen-store.js';
export type { LeadCursor, LeadPageQuery, LeadSuppression, RescreenLeadStore, StoredLead, SuppressedLead } from './rescreen-store.js';

export const migrations: Migrations = {
  owner: 'persistence',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};
export { filedRows } from './filed.js';
export { recentRejections } from './recent-rejections.js';
export type { Rejection } from './recent-rejections.js';
export { outcomeOfRow, storedOutcomes } from './row-outcomes.js';
export type { DispositionName, RowOutcome } from './row-outcomes.js';
export { RAW_PLACES, rawCleanupModule, rawRetentionSchema, removeRawCells, runRawCleanup } from './raw-cleanup.js';
export type { CleanupCounts, RawCleanupOptions, RawPlace } from './raw-cleanup.js';
