export { createEnrichmentStage } from './enrichment-stage.js';
export { emailType } from './email-type.js';
