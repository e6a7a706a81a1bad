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
  if (lead.emailType) tags.push(tag(EMAIL, lead.emailType, 'email:', false));
  if (lead.phoneType) tags.push(tag(PHONE, lead.phoneType, 'phone:', true));
  if (lead.timezone) tags.push(tag(TZ, lead.timezone, 'tz:', false));
  if (lead.industry) tags.push(tag(INDUSTRY, lead.industry, 'industry:', false));
  if (lead.seniority) tags.push(tag(SENIORITY, lead.seniority, 'seniority:', true));
  if (lead.department) tags.push(tag(DEPARTMENT, lead.department, 'department:', true));
  if (exclusivity === 'exclusive' || exclusivity === 'non-exclusive') tags.push(exclusivity);
  return tags;
}
