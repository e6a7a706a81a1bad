import { CANONICAL_FIELDS } from './field-names.js';
import { foldHeader } from './header-fold.js';
import type { MappedField } from './map-columns.js';

/**
 * How a header of a supplier's confirmed mapping was learned:
 * `review` a person's decision on a job in review, `map_command` `leadflow map --confirm` of a
 * file, `api` PUT /v1/suppliers/{id}/mapping; `unrecorded` before this was kept (migration 005).
 */
export type LearnedBy = 'review' | 'map_command' | 'api' | 'unrecorded';

/** What a mapping was learned by, as the writer says it: a review names its job. */
export type Learned = { by: 'review'; jobId: string } | { by: 'map_command' | 'api' };

/** One header of a supplier's confirmed mapping, as GET /v1/suppliers/{id}/mapping shows it. */
export interface SupplierMappingEntry {
  /** As the supplier wrote it; the folded form for headers learned before that was kept. */
  header: string;
  field: MappedField;
  /** ISO 8601. */
  learnedAt: string;
  learnedBy: LearnedBy;
  /** The job whose review decided it; null otherwise. */
  jobId: string | null;
}

/** Headers one supplier's mapping may hold. */
export const MAX_SUPPLIER_MAPPING = 1000;
/** Characters of one header. */
export const MAX_MAPPED_HEADER_LENGTH = 200;

/** The fields a header may be mapped to: a lead field, or extra (kept by its header in the lead's extra). */
export const MAPPABLE_FIELDS: readonly MappedField[] = [...CANONICAL_FIELDS, 'extra'];

/** A supplier's mapping refused: `entry` names the one that is wrong (`mapping[2].field`). */
export class SupplierMappingError extends Error {
  constructor(
    readonly entry: string,
    message: string,
  ) {
    super(message);
    this.name = 'SupplierMappingError';
  }
}

/** Keys an entry may carry besides header and field: what GET shows, so that its answer can be sent back as it is. */
const READ_ONLY = new Set(['learnedAt', 'learnedBy', 'jobId']);

/**
 * A supplier's mapping as a client sends it, `[{ "header": "E-Mail Kunde", "field": "email" }, ...]`,
 * checked whole: each entry an object with a header (a letter or digit, at most
 * MAX_MAPPED_HEADER_LENGTH characters) and a lead field or "extra"; no header twice as mapping
 * compares headers (without case, accents and punctuation: "E-Mail" is "e mail"); at most
 * MAX_SUPPLIER_MAPPING. A field may take several headers (two phone columns: the first valid
 * number is the lead's, the others its alternates). Returns the entries trimmed; throws a
 * SupplierMappingError naming the first entry that is wrong.
 */
export function validateSupplierMapping(input: unknown): { header: string; field: MappedField }[] {
  if (!Array.isArray(input)) throw new SupplierMappingError('mapping', 'mapping must be a list of {"header": "...", "field": "..."}');
  if (input.length > MAX_SUPPLIER_MAPPING) throw new SupplierMappingError('mapping', `mapping has ${input.length} headers: keep at most ${MAX_SUPPLIER_MAPPING}`);
  const seen = new Map<string, { entry: string; header: string }>();
  return input.map((raw: unknown, i) => {
    const entry = `mapping[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SupplierMappingError(entry, `${entry} must be {"header": "...", "field": "..."}`);
    const { header: rawHeader, field: rawField, ...rest } = raw as Record<string, unknown>;
    const unknownKey = Object.keys(rest).find((k) => !READ_ONLY.has(k));
    if (unknownKey !== undefined) throw new SupplierMappingError(`${entry}.${unknownKey.slice(0, 40)}`, `${entry} takes header and field, not "${unknownKey.slice(0, 40)}"`);
    if (typeof rawHeader !== 'string') throw new SupplierMappingError(`${entry}.header`, `${entry}.header must be the header as text, as the supplier's files write it`);
    const header = rawHeader.trim();
    const shown = `${entry}.header "${header.slice(0, 60)}"`;
    if (header.length > MAX_MAPPED_HEADER_LENGTH) throw new SupplierMappingError(`${entry}.header`, `${shown}... is longer than ${MAX_MAPPED_HEADER_LENGTH} characters`);
    const key = foldHeader(header);
    if (!key) throw new SupplierMappingError(`${entry}.header`, `${entry}.header is empty: a header has at least one letter or digit`);
    const before = seen.get(key);
    if (before) {
      throw new SupplierMappingError(
        `${entry}.header`,
        `${shown} repeats ${before.entry}.header "${before.header.slice(0, 60)}": headers compare without case, accents and punctuation`,
      );
    }
    seen.set(key, { entry, header });
    if (typeof rawField !== 'string' || !(MAPPABLE_FIELDS as readonly string[]).includes(rawField)) {
      const what = typeof rawField === 'string' ? `"${rawField.slice(0, 60)}" is not a lead field` : 'is missing';
      throw new SupplierMappingError(`${entry}.field`, `${entry}.field ${what}: use one of ${MAPPABLE_FIELDS.join(', ')}`);
    }
    return { header, field: rawField as MappedField };
  });
}
