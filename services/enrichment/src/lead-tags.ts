import type { Lead } from '@leadflow/proto';

/** Built-in tag of a field's value: `_` written `-` (`phone:fixed-line`, `seniority:c-level`); zones as they are. */
const tagValue = (v: string) => v.replace(/_/g, '-');

/** Each field's tags by value, built once: the values are a few dozen (zones a few hundred). */
const EMAIL = new Map<string, string>();
const PHONE = new Map<string, string>();
const TZ = new Map<string, string>();
const INDUSTRY = new Map<string, string>();
const SENIORITY = new Map<string, string>();
const DEPARTMENT = new Map<string, string>();

function tag(known: Map<string, string>, value: string, prefix: string, dashed: boolean): string {
  let t = known.get(value);
  if (t === undefined) {
    t = `${prefix}${dashed ? tagValue(value) : value}`;
    if (known.size < 10_000) known.set(value, t);
  }
  return t;
}

/**
 * The tags the enrichment stage gives every lead from its derived fields
 * (docs/tags-and-scorecards.md): `email:free`, `phone:mobile`, `tz:America/Chicago`,
 * `industry:52`, `seniority:vp`, `department:sales`, and `exclusive` or `non-exclusive` once the
 * lead's exclusivity is known (`exclusivity`, from the dedup matches: issue 15's exclusivity work).
 */
export function builtInTags(lead: Lead, exclusivity = ''): string[] {
  const tags: string[] = [];
  pushBuiltInTags(tags, lead, exclusivity);
  return tags;
}

const add = (tags: string[], tag: string, fresh: boolean) => {
  if (fresh || !tags.includes(tag)) tags.push(tag);
};

/**
 * builtInTags added to a row's tags in their order, each only when not there yet: what the stage
 * does, without a list a lead. `tags` empty at the start (most rows) spares the look-ups, as the
 * built-in tags are distinct (their prefixes differ).
 */
export function pushBuiltInTags(tags: string[], lead: Lead, exclusivity = ''): void {
  const fresh = tags.length === 0;
  if (lead.emailType) add(tags, tag(EMAIL, lead.emailType, 'email:', false), fresh);
  if (lead.phoneType) add(tags, tag(PHONE, lead.phoneType, 'phone:', true), fresh);
  if (lead.timezone) add(tags, tag(TZ, lead.timezone, 'tz:', false), fresh);
  if (lead.industry) add(tags, tag(INDUSTRY, lead.industry, 'industry:', false), fresh);
  if (lead.seniority) add(tags, tag(SENIORITY, lead.seniority, 'seniority:', true), fresh);
  if (lead.department) add(tags, tag(DEPARTMENT, lead.department, 'department:', true), fresh);
  if (exclusivity === 'exclusive' || exclusivity === 'non-exclusive') add(tags, exclusivity, fresh);
}

/** builtInTags as first written: the definition pushBuiltInTags is tested against. */
export function builtInTagsReference(lead: Lead, exclusivity = ''): string[] {
  const tags: string[] = [];
  if (lead.emailType) tags.push(tag(EMAIL, lead.emailType, 'email:', false));
  if (lead.phoneType) tags.push(tag(PHONE, lead.phoneType, 'phone:', true));
  if (lead.timezone) tags.push(tag(TZ, lead.timezone, 'tz:', false));
  if (lead.industry) tags.push(tag(INDUSTRY, lead.industry, 'industry:', false));
  if (lead.seniority) tags.push(tag(SENIORITY, lead.seniority, 'seniority:', true));
  if (lead.department) tags.push(tag(DEPARTMENT, lead.department, 'department:', true));
  if (exclusivity === 'exclusive' || exclusivity === 'non-exclusive') tags.push(exclusivity);
  return tags;
}
