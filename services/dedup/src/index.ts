import { fileURLToPath } from 'node:url';
import type { Migrations } from '@leadflow/stores';

export { createDedupStage } from './dedup-stage.js';
export type { DedupStageOptions } from './dedup-stage.js';
export { createSqlStoredLeads, matchFieldsOf, type Delivery } from './stored-leads.js';
export type { StoredLeads, StoredLeadMatch } from './stored-leads.js';
export type { MatchFields, StoredLead, ScanCursor } from './stored-leads.js';
export { createMemoryCandidateIndex } from './matching/candidate-index.js';
export type { CandidateIndex, IndexEntry, IndexRow } from './matching/candidate-index.js';
export { createRedisCandidateIndex } from './matching/redis-candidate-index.js';
export { comparePair, DEFAULT_MODEL, PRIOR_LOG_ODDS } from './matching/compare.js';
export type { PairScore, FieldResult } from './matching/compare.js';
export { blockingKeys } from './matching/blocking.js';
export { toMatchRecord } from './matching/record.js';
export type { MatchRecord } from './matching/record.js';
export { createSqlExclusivityDays, createSqlPolicies, DEFAULT_POLICY, parseCompositeKeys, parsePolicy, policyFromConfig, policySchema } from './policy.js';
export type { DedupPolicy, KeyField } from './policy.js';
export { createSqlCandidateIndex } from './matching/sql-candidate-index.js';
export { createSqlFingerprintStore } from './sql-fingerprint-store.js';
export { forgetRowsNeverStored } from './forget-rows.js';

/** Dedup's tables where no Redis is: the blocking index and the exact-key claims (standalone mode). */
export const migrations: Migrations = { owner: 'dedup', dir: fileURLToPath(new URL('../migrations', import.meta.url)) };
export { DEFAULT_EXCLUSIVITY_DAYS, markExclusivity, type PriorDelivery } from './exclusivity.js';
