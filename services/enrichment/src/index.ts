export { createEnrichmentStage } from './enrichment-stage.js';
export { emailType, FREE_EMAIL_DOMAINS } from './email-type.js';
