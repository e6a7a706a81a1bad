import type { Lead } from '@leadflow/proto';
import { QUALITY_COMPONENTS, type QualityComponent } from './quality-settings.js';

const COMPONENTS = Object.keys(QUALITY_COMPONENTS) as QualityComponent[];

export interface QualityScore {
  /** 0 to 100: the sum of the components' points, bounded. */
  score: number;
  /** Each component's points, in the order of QUALITY_COMPONENTS: "valid_email=20;...;non_exclusive=0". */
  detail: string;
}

/** Which components a lead earns (or, for a risk, incurs); `possibleDuplicate` comes from the row's tags. */
export function qualityFacts(lead: Lead, possibleDuplicate: boolean): Record<QualityComponent, boolean> {
  return {
    valid_email: lead.email !== '',
    valid_phone: lead.phone !== '',
    mobile_phone: lead.phoneType === 'mobile',
    names: (lead.firstName !== '' && lead.lastName !== '') || lead.fullName.trim().includes(' '),
    company: lead.company !== '',
    job_title: lead.jobTitle !== '',
    industry: lead.industry !== '',
    // A place a letter reaches: a street, and a city with a state or a postal code.
    complete_address: lead.street !== '' && (lead.postalCode !== '' || (lead.city !== '' && lead.state !== '')),
    timezone: lead.timezone !== '',
    disposable_email: lead.emailType === 'disposable',
    role_email: lead.emailType === 'role',
    email_typo: lead.emailSuggestion !== '',
    possible_duplicate: possibleDuplicate,
    non_exclusive: lead.exclusivity === 'non-exclusive',
  };
}

/**
 * The quality score of an enriched lead under a tenant's weights (docs/enrichment.md): every
 * component listed with the points it gave, 0 when it does not apply.
 */
export function qualityScore(lead: Lead, possibleDuplicate: boolean, weights: Readonly<Record<QualityComponent, number>>): QualityScore {
  const facts = qualityFacts(lead, possibleDuplicate);
  let sum = 0;
  let detail = '';
  for (const c of COMPONENTS) {
    const points = facts[c] ? weights[c] : 0;
    sum += points;
    detail += `${detail ? ';' : ''}${c}=${points}`;
  }
  return { score: Math.max(0, Math.min(100, sum)), detail };
}
