import { CANONICAL_FIELDS, FIELD_NAMES, type CanonicalField } from './field-names.js';
import { compact, foldHeader, isCjk } from './header-fold.js';

/** One name a header may give a field, folded as headers are. */
export interface Alias {
  field: CanonicalField;
  /** As written. */
  alias: string;
  compact: string;
  tokens: string[];
  cjk: boolean;
  /** A synonym the tenant set (PUT /v1/mapping/synonyms), not one Leadflow ships. */
  tenant: boolean;
}

/** The names header matching knows: every alias, and the first alias of each spelling (folded, without spaces). */
export interface AliasTable {
  readonly aliases: readonly Alias[];
  readonly byCompact: ReadonlyMap<string, Alias>;
}

/** Synonyms by field, as a tenant keeps them. */
export type FieldSynonyms = Partial<Record<CanonicalField, readonly string[]>>;

function aliasOf(field: CanonicalField, name: string, tenant: boolean): Alias {
  const folded = foldHeader(name);
  return { field, alias: name, compact: compact(folded), tokens: folded.split(' '), cjk: isCjk(folded), tenant };
}

function tableOf(aliases: Alias[]): AliasTable {
  const byCompact = new Map<string, Alias>();
  for (const a of aliases) if (!byCompact.has(a.compact)) byCompact.set(a.compact, a);
  return { aliases, byCompact };
}

/** The aliases Leadflow ships: each field's own name, then FIELD_NAMES. */
export const BUILT_IN_ALIASES: AliasTable = tableOf(
  CANONICAL_FIELDS.flatMap((field) => [field.replace(/_/g, ' '), ...FIELD_NAMES[field]].map((name) => aliasOf(field, name, false))),
);

/**
 * The built-in aliases and a tenant's synonyms after them. The built-in spelling stays first for
 * a header both name (validateSynonyms refuses a synonym that names another field than a
 * built-in alias does, so the two never disagree).
 */
export function withSynonyms(synonyms: FieldSynonyms): AliasTable {
  const own = (Object.entries(synonyms) as [CanonicalField, readonly string[]][]).flatMap(([field, names]) => names.map((n) => aliasOf(field, n, true)));
  return own.length === 0 ? BUILT_IN_ALIASES : tableOf([...BUILT_IN_ALIASES.aliases, ...own]);
}
