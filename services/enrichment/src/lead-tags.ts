import type { Lead } from '@leadflow/proto';

/** Built-in tag of a field's value: `_` written `-` (`phone:fixed-line`, `seniority:c-level`); zones as they are. */
const tagValue = (v: string) => v.replace(/_/g, '-');

/**
 * The tags the enrichment stage gives every lead from its derived fields
 * (docs/tags-and-scorecards.md): `email:free`, `phone:mobile`, `tz:America/Chicago`,
 * `industry:52`, `seniority:vp`, `department:sales`, and `exclusive` or `non-exclusive` once the
 * lead's exclusivity is known (`exclusivity`, from the dedup matches: issue 15's exclusivity work).
 */
export function builtInTags(lead: Lead, exclusivity = ''): string[] {
  const tags: string[] = [];
  if (lead.emailType) tags.push(`email:${lead.emailType}`);
  if (lead.phoneType) tags.push(`phone:${tagValue(lead.phoneType)}`);
  if (lead.timezone) tags.push(`tz:${lead.timezone}`);
  if (lead.industry) tags.push(`industry:${lead.industry}`);
  if (lead.seniority) tags.push(`seniority:${tagValue(lead.seniority)}`);
  if (lead.department) tags.push(`department:${tagValue(lead.department)}`);
  if (exclusivity === 'exclusive' || exclusivity === 'non-exclusive') tags.push(exclusivity);
  return tags;
}
