export { createDedupStage } from './dedup-stage.js';
export type { DedupStageOptions } from './dedup-stage.js';
export { createSqlStoredLeads } from './stored-leads.js';
export type { StoredLeads, StoredLeadMatch } from './stored-leads.js';
