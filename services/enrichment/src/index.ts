export { createEnrichmentStage, type EnrichmentStageOptions } from './enrichment-stage.js';
export { createEnrichCaches, enrichLead, enrichLeadReference, DEFAULT_ENRICH_CACHE_SIZE, type EnrichCaches, type EnrichContext } from './enrich-lead.js';
export { BoundedCache } from './bounded-cache.js';
export { emailType, ROLE_LOCAL_PARTS, type EmailType } from './email-type.js';
export { emailSuggestion, typoDistance, BIG_PROVIDERS } from './email-suggestion.js';
export { phoneInfo, planTypeName, type PhoneInfo, type PhoneType } from './phone-info.js';
export { leadTimeZone, countryZone, type TimeZoneInput } from './time-zone.js';
export { callableNow, localMinutes, windowMinutes, DEFAULT_CALLING_WINDOW, type CallingWindow } from './calling-window.js';
export { classifyIndustry, type IndustryInput, type IndustryResult } from './industry.js';
export { NAICS_SECTORS } from './industry-keywords.js';
export { classifyJobTitle, type JobTitleResult, type Seniority } from './job-title.js';
export { builtInTags } from './lead-tags.js';
export { createSqlTagRules, TAG_RULES_RELOAD_MS, type TagRuleSource } from './tag-rule-store.js';
export { qualityFacts, qualityScore, qualityScorer, qualityScoreReference, type QualityScore } from './quality-score.js';
export {
  createSqlQualitySettings, DEFAULT_QUALITY_SETTINGS, mergeQualitySettings, parseQualitySettings, QUALITY_COMPONENTS, RISK_COMPONENTS,
  type QualityComponent, type QualitySettings, type ThresholdAction,
} from './quality-settings.js';
