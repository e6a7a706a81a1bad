export { createMappingStage } from './mapping-stage.js';
export type { MappingStageOptions } from './mapping-stage.js';
export { mapHeaders, normalizeHeader, CANONICAL_FIELDS } from './map-headers.js';
export type { CanonicalField, HeaderMapping } from './map-headers.js';
export { normalizeEmail, normalizePhone, normalizeDomain } from './normalize.js';
