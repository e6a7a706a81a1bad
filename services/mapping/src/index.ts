import { fileURLToPath } from 'node:url';
import type { Migrations } from '@leadflow/stores';

export { createMappingStage } from './mapping-stage.js';
export type { MappingStageOptions, MappingStageResult } from './mapping-stage.js';
export { mapColumns, isGenericHeader, personEvidence } from './map-columns.js';
export type { ColumnDecision, Evidence, MappedField, MapColumnsOptions } from './map-columns.js';
export { CANONICAL_FIELDS } from './field-names.js';
export type { CanonicalField } from './field-names.js';
export { foldHeader, matchHeaderName } from './header-names.js';
export { profileValues } from './value-profile.js';
export { createMemoryMappingStore, createSqlMappingStore } from './mapping-store.js';
export type { FileMapping, JobMapping, MappingStatus, MappingStore, PreviewRow } from './mapping-store.js';
export {
  emailKey, inferCountry, isPhoneRegion, normalizeCountry, normalizeDomain, normalizeEmail, normalizePhone, normalizePostalCode, normalizeState, parsePhone,
} from './normalize.js';
export type { ParsedPhone } from './normalize.js';
export { nationalDigits } from './national-digits.js';
export { isCompanyName, readFullName, splitHonorifics, titleCaseName } from './names.js';
export type { PersonName } from './names.js';
export { BUILT_IN_ALIASES, withSynonyms } from './alias-table.js';
export type { AliasTable, FieldSynonyms } from './alias-table.js';
export { builtInSynonyms, MAX_SYNONYM_LENGTH, MAX_SYNONYMS, SynonymError, validateSynonyms } from './synonyms.js';
export { createSqlSynonymStore, KEPT_BACKUPS } from './synonym-store.js';
export type { SynonymBackup, SynonymSet, SynonymStore } from './synonym-store.js';
export { createTenantAliases, SYNONYMS_RELOAD_MS, synonymsSchema } from './tenant-aliases.js';
export type { TenantAliases } from './tenant-aliases.js';
export { MAPPABLE_FIELDS, MAX_MAPPED_HEADER_LENGTH, MAX_SUPPLIER_MAPPING, SupplierMappingError, validateSupplierMapping } from './supplier-mapping.js';
export type { Learned, LearnedBy, SupplierMappingEntry } from './supplier-mapping.js';
export { createSqlSupplierMappingStore } from './supplier-mapping-store.js';
export type { SupplierMappingStore } from './supplier-mapping-store.js';
export { TEMPLATE_EXAMPLE, TEMPLATE_FILE_NAME, templateCsv } from './template.js';

export const migrations: Migrations = { owner: 'mapping', dir: fileURLToPath(new URL('../migrations', import.meta.url)) };
