import { LEAD_COLUMNS } from './lead-record.js';

/**
 * Tenants' tag rules (docs/tags-and-scorecards.md): `{ "tag", "when": condition }`, a condition
 * being JSON data, never code. Checked whole when saved (parseTagRules: every problem named by its
 * path, `rules[2].when.all[0].in`), compiled once into plain functions (compileTagRules), and
 * evaluated per lead by the enrichment stage in both modes.
 */

/** A comparison of one field: exactly one operator beside `field`. */
export type FieldCondition = { field: string } & (
  | { equals: string | number | boolean }
  | { in: (string | number)[] }
  | { contains: string }
  | { startsWith: string }
  | { exists: boolean }
  | { '>': number }
  | { '>=': number }
  | { '<': number }
  | { '<=': number }
);
export type TagCondition = FieldCondition | { all: TagCondition[] } | { any: TagCondition[] } | { not: TagCondition };

export interface TagRule {
  tag: string;
  when: TagCondition;
}

/** What a rule sees of a lead: its canonical fields, its tags so far, its quality score (and, later, its exclusivity). */
export interface TagFacts {
  fields: Readonly<Record<string, string>>;
  tags: readonly string[];
  /** LeadRow.quality_score: 0 until the quality score is computed. */
  quality: number;
}

export const MAX_TAG_RULES = 100;
export const MAX_CONDITION_DEPTH = 8;
export const MAX_LIST_VALUES = 200;
export const MAX_VALUE_LENGTH = 200;
/** A tag: letters, digits and `: _ . - /`, at most 64 characters, starting with a letter or digit. */
export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9:_.\-/]{0,63}$/;
/** Prefixes of the tags the enrichment stage sets itself; a rule may test them, not set them. */
export const BUILT_IN_TAG_PREFIXES = ['email:', 'phone:', 'tz:', 'industry:', 'seniority:', 'department:'] as const;
export const BUILT_IN_TAGS = ['exclusive', 'non-exclusive', 'possible_duplicate'] as const;

/** The fields a condition may name: the lead's columns, `supplier`, `tags`, `quality` (and `exclusivity` once it is computed). */
export const TAG_RULE_FIELDS: readonly string[] = [...LEAD_COLUMNS.map(([c]) => c), 'supplier', 'tags', 'quality', 'exclusivity'];
const FIELDS = new Set(TAG_RULE_FIELDS);
const NUMERIC_FIELDS = new Set(['quality', 'industry_confidence']);

const STRING_OPS = ['equals', 'in', 'contains', 'startsWith', 'exists'] as const;
const NUMBER_OPS = ['>', '>=', '<', '<='] as const;
export const TAG_RULE_OPERATORS: readonly string[] = [...STRING_OPS, ...NUMBER_OPS];
const OPERATORS = new Set(TAG_RULE_OPERATORS);

/** A rule set that cannot be saved; `message` names the part (`rules[1].when.field`). */
export class TagRuleError extends Error {}

const fail = (path: string, what: string): never => {
  throw new TagRuleError(`${path}: ${what}`);
};
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const shown = (v: unknown) => JSON.stringify(v)?.slice(0, 40) ?? String(v);

function parseText(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_VALUE_LENGTH) fail(path, `must be text of 1 to ${MAX_VALUE_LENGTH} characters, not ${shown(v)}`);
  return v as string;
}

function parseCondition(v: unknown, path: string, depth: number): TagCondition {
  if (!isObject(v)) return fail(path, `must be a condition object such as {"field": "email_type", "equals": "business"}, not ${shown(v)}`);
  if (depth > MAX_CONDITION_DEPTH) fail(path, `conditions nest at most ${MAX_CONDITION_DEPTH} deep`);
  const keys = Object.keys(v);
  for (const group of ['all', 'any'] as const) {
    if (!(group in v)) continue;
    if (keys.length !== 1) fail(path, `"${group}" stands alone in its object; found also ${keys.filter((k) => k !== group).join(', ').slice(0, 60)}`);
    const list = v[group];
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_LIST_VALUES) fail(`${path}.${group}`, `must be a list of 1 to ${MAX_LIST_VALUES} conditions`);
    return { [group]: (list as unknown[]).map((c, i) => parseCondition(c, `${path}.${group}[${i}]`, depth + 1)) } as TagCondition;
  }
  if ('not' in v) {
    if (keys.length !== 1) fail(path, `"not" stands alone in its object; found also ${keys.filter((k) => k !== 'not').join(', ').slice(0, 60)}`);
    return { not: parseCondition(v.not, `${path}.not`, depth + 1) };
  }
  if (!('field' in v)) return fail(path, 'must name a "field" (or be "all", "any" or "not")');
  const field = v.field;
  if (typeof field !== 'string' || !FIELDS.has(field)) fail(`${path}.field`, `${shown(field)} is not a field a rule can test; use one of ${TAG_RULE_FIELDS.join(', ')}`);
  const ops = keys.filter((k) => k !== 'field');
  const unknown = ops.find((k) => !OPERATORS.has(k));
  if (unknown !== undefined) fail(`${path}.${unknown.slice(0, 40)}`, `is not an operator; use one of ${TAG_RULE_OPERATORS.join(', ')}, all, any, not`);
  if (ops.length !== 1) fail(path, `needs exactly one operator beside "field", found ${ops.length}`);
  const op = ops[0]!;
  const value = v[op];
  const at = `${path}.${op}`;
  if ((NUMBER_OPS as readonly string[]).includes(op)) {
    if (!NUMERIC_FIELDS.has(field as string)) fail(at, `compares numbers, and ${field as string} is not one; numbers are ${[...NUMERIC_FIELDS].join(', ')}`);
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(at, `must be a number, not ${shown(value)}`);
    return { field, [op]: value } as FieldCondition;
  }
  switch (op) {
    case 'exists':
      if (typeof value !== 'boolean') fail(at, `must be true or false, not ${shown(value)}`);
      break;
    case 'equals':
      if (typeof value === 'string') parseText(value, at);
      else if (!(typeof value === 'number' && Number.isFinite(value)) && typeof value !== 'boolean') fail(at, `must be text, a number or true/false, not ${shown(value)}`);
      break;
    case 'in':
      if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST_VALUES) fail(at, `must be a list of 1 to ${MAX_LIST_VALUES} values`);
      (value as unknown[]).forEach((x, i) => (typeof x === 'number' && Number.isFinite(x) ? x : parseText(x, `${at}[${i}]`)));
      break;
    default:
      parseText(value, at);
  }
  return { field, [op]: value } as FieldCondition;
}

/**
 * A tenant's rules as saved: `[{ "tag": "hot", "when": {...} }]`, at most MAX_TAG_RULES. Throws
 * TagRuleError naming the first bad part; a tag the stage sets itself (`email:free`) is refused.
 */
export function parseTagRules(input: unknown): TagRule[] {
  if (!Array.isArray(input)) return fail('rules', 'must be a list of {"tag": "<tag>", "when": <condition>}');
  if (input.length > MAX_TAG_RULES) fail('rules', `at most ${MAX_TAG_RULES} rules, not ${input.length}`);
  return input.map((raw, i) => {
    const path = `rules[${i}]`;
    if (!isObject(raw)) return fail(path, 'must be {"tag": "<tag>", "when": <condition>}');
    const extra = Object.keys(raw).find((k) => k !== 'tag' && k !== 'when');
    if (extra !== undefined) fail(`${path}.${extra.slice(0, 40)}`, 'is not part of a rule; a rule has "tag" and "when"');
    const tag = raw.tag;
    if (typeof tag !== 'string' || !TAG_PATTERN.test(tag)) {
      fail(`${path}.tag`, `must be 1 to 64 letters, digits or ": _ . - /", starting with a letter or digit, not ${shown(tag)}`);
    }
    const t = tag as string;
    if (BUILT_IN_TAG_PREFIXES.some((p) => t.toLowerCase().startsWith(p)) || (BUILT_IN_TAGS as readonly string[]).includes(t.toLowerCase())) {
      fail(`${path}.tag`, `"${t}" is a tag the enrichment stage sets itself; choose another (a rule may test it with {"field": "tags", "contains": "${t}"})`);
    }
    if (!('when' in raw)) fail(`${path}.when`, 'is missing: the condition under which the lead gets the tag');
    return { tag: t, when: parseCondition(raw.when, `${path}.when`, 1) };
  });
}

type Test = (facts: TagFacts) => boolean;
const fold = (v: string) => v.toLowerCase();

/** The values a field has for a lead: one (maybe '') for a field, the tags for `tags`. */
function valuesOf(field: string): (facts: TagFacts) => readonly string[] {
  if (field === 'tags') return (f) => f.tags;
  if (field === 'quality') return (f) => [String(f.quality)];
  return (f) => [f.fields[field] ?? ''];
}

function numberOf(field: string): (facts: TagFacts) => number {
  if (field === 'quality') return (f) => f.quality;
  return (f) => {
    const raw = f.fields[field] ?? '';
    return raw === '' ? Number.NaN : Number(raw);
  };
}

function compileField(c: FieldCondition): Test {
  const { field } = c;
  const values = valuesOf(field);
  const some = (test: (v: string) => boolean): Test => (f) => values(f).some(test);
  if ('exists' in c) {
    const want = c.exists;
    return (f) => values(f).some((v) => v !== '') === want;
  }
  if ('equals' in c) {
    if (typeof c.equals === 'number' && NUMERIC_FIELDS.has(field)) {
      const n = c.equals;
      const num = numberOf(field);
      return (f) => num(f) === n;
    }
    const want = fold(String(c.equals));
    return some((v) => fold(v) === want);
  }
  if ('in' in c) {
    const set = new Set(c.in.map((x) => fold(String(x))));
    return some((v) => set.has(fold(v)));
  }
  if ('contains' in c) {
    const want = fold(c.contains);
    // On tags, contains is "has this tag"; on a field, the text occurs in it.
    return field === 'tags' ? some((v) => fold(v) === want) : some((v) => fold(v).includes(want));
  }
  if ('startsWith' in c) {
    const want = fold(c.startsWith);
    return some((v) => fold(v).startsWith(want));
  }
  const num = numberOf(field);
  // A field without a number (no quality yet, no confidence) passes no comparison.
  if ('>' in c) return (f) => num(f) > c['>'];
  if ('>=' in c) return (f) => num(f) >= c['>='];
  if ('<' in c) return (f) => num(f) < c['<'];
  return (f) => num(f) <= (c as { '<=': number })['<='];
}

function compileCondition(c: TagCondition): Test {
  if ('all' in c) {
    const tests = c.all.map(compileCondition);
    return (f) => tests.every((t) => t(f));
  }
  if ('any' in c) {
    const tests = c.any.map(compileCondition);
    return (f) => tests.some((t) => t(f));
  }
  if ('not' in c) {
    const test = compileCondition(c.not);
    return (f) => !test(f);
  }
  return compileField(c);
}

/** Rules made into functions once: `tagsFor(facts)` gives the tags of the rules that hold, in order, each once. */
export interface CompiledTagRules {
  readonly size: number;
  /** Adds to `facts.tags` (a later rule sees an earlier one's tag) and returns the tags added. */
  apply(facts: TagFacts & { tags: string[] }): string[];
}

export const NO_TAG_RULES: CompiledTagRules = { size: 0, apply: () => [] };

export function compileTagRules(rules: readonly TagRule[]): CompiledTagRules {
  if (rules.length === 0) return NO_TAG_RULES;
  const compiled = rules.map((r) => ({ tag: r.tag, test: compileCondition(r.when) }));
  return {
    size: compiled.length,
    apply(facts) {
      const added: string[] = [];
      for (const { tag, test } of compiled) {
        if (facts.tags.includes(tag) || !test(facts)) continue;
        facts.tags.push(tag);
        added.push(tag);
      }
      return added;
    },
  };
}
