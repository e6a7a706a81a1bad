import { BUILT_IN_ALIASES, type FieldSynonyms } from './alias-table.js';
import { CANONICAL_FIELDS, type CanonicalField } from './field-names.js';
import { compact, foldHeader } from './header-fold.js';

/** Synonyms one tenant may keep, over every field. */
export const MAX_SYNONYMS = 1000;
/** Characters of one synonym: a header, not a sentence. */
export const MAX_SYNONYM_LENGTH = 100;

/** A tenant's synonyms refused: `entry` names the one that is wrong (`synonyms.email[2]`). */
export class SynonymError extends Error {
  constructor(
    readonly entry: string,
    message: string,
  ) {
    super(message);
    this.name = 'SynonymError';
  }
}

const FORMAT = 'send {"synonyms": {"<lead field>": ["<header>", ...]}}';

/** The built-in synonyms by field, as written, each spelling once (the field's own name first). */
export function builtInSynonyms(): Record<CanonicalField, string[]> {
  const out = Object.fromEntries(CANONICAL_FIELDS.map((f) => [f, [] as string[]])) as Record<CanonicalField, string[]>;
  const listed = new Set<string>();
  for (const a of BUILT_IN_ALIASES.aliases) {
    if (listed.has(`${a.field}:${a.compact}`)) continue;
    listed.add(`${a.field}:${a.compact}`);
    out[a.field].push(a.alias);
  }
  return out;
}

/**
 * A tenant's header synonyms as a client sends them, `{ "<lead field>": ["<header>", ...] }`,
 * checked: each field a lead field, each synonym a header with a letter or digit, at most
 * MAX_SYNONYM_LENGTH characters, none twice, none claimed by two fields (the tenant's own or a
 * built-in one: a header names one field; a supplier whose header means something else has its
 * own mapping). Synonyms compare as headers do: without case, accents, spaces and punctuation.
 * A synonym that is a built-in one of the same field is kept; it changes nothing.
 * Returns them trimmed, by field in canonical order; throws a SynonymError naming the first
 * entry that is wrong.
 */
export function validateSynonyms(input: unknown): FieldSynonyms {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new SynonymError('synonyms', `the synonyms must be an object of lead fields: ${FORMAT}`);
  const given = input as Record<string, unknown>;
  for (const field of Object.keys(given)) {
    if (!(CANONICAL_FIELDS as readonly string[]).includes(field)) {
      throw new SynonymError(`synonyms.${field.slice(0, 60)}`, `"${field.slice(0, 60)}" is not a lead field: use one of ${CANONICAL_FIELDS.join(', ')}`);
    }
  }
  const seen = new Map<string, { field: CanonicalField; entry: string; text: string }>();
  const out: FieldSynonyms = {};
  let count = 0;
  for (const field of CANONICAL_FIELDS) {
    if (!(field in given)) continue;
    const list = given[field];
    if (!Array.isArray(list)) throw new SynonymError(`synonyms.${field}`, `synonyms.${field} must be a list of headers, e.g. ["E-Mail Kunde"]`);
    const kept: string[] = [];
    list.forEach((raw: unknown, i) => {
      const entry = `synonyms.${field}[${i}]`;
      if (typeof raw !== 'string') throw new SynonymError(entry, `${entry} must be a header as text`);
      const text = raw.trim();
      const shown = `${entry} "${text.slice(0, 60)}"`;
      if (text.length > MAX_SYNONYM_LENGTH) throw new SynonymError(entry, `${shown}... is longer than ${MAX_SYNONYM_LENGTH} characters: a synonym is a header`);
      const key = compact(foldHeader(text));
      if (!key) throw new SynonymError(entry, `${entry} is empty: a synonym is a header with at least one letter or digit`);
      const before = seen.get(key);
      if (before?.field === field) {
        throw new SynonymError(entry, `${shown} repeats ${before.entry} "${before.text}": headers compare without case, accents, spaces and punctuation`);
      }
      if (before) throw new SynonymError(entry, `${shown} is claimed by two fields, ${before.field} (${before.entry}) and ${field}: a header names one field`);
      const builtIn = BUILT_IN_ALIASES.byCompact.get(key);
      if (builtIn && builtIn.field !== field) {
        throw new SynonymError(
          entry,
          `${shown} is claimed by two fields: it is a built-in synonym of ${builtIn.field} ("${builtIn.alias}"), and a header names one field; ` +
            "for one supplier whose header means something else, set that supplier's mapping",
        );
      }
      seen.set(key, { field, entry, text });
      kept.push(text);
    });
    count += kept.length;
    if (count > MAX_SYNONYMS) throw new SynonymError(`synonyms.${field}`, `more than ${MAX_SYNONYMS} synonyms: keep at most ${MAX_SYNONYMS} over every field`);
    if (kept.length > 0) out[field] = kept;
  }
  return out;
}
