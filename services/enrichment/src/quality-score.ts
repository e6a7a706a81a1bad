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

/** The bit of each component in a fact mask: its place in QUALITY_COMPONENTS. */
const BIT = Object.fromEntries(COMPONENTS.map((c, i) => [c, 1 << i])) as Record<QualityComponent, number>;

/**
 * The components that apply to a lead, one bit each in the order of QUALITY_COMPONENTS: qualityFacts
 * without building its object (the stage asks it of every lead; a test proves both agree).
 */
export function factMask(lead: Lead, possibleDuplicate: boolean): number {
  let mask = 0;
  if (lead.email !== '') mask |= BIT.valid_email;
  if (lead.phone !== '') mask |= BIT.valid_phone;
  if (lead.phoneType === 'mobile') mask |= BIT.mobile_phone;
  if ((lead.firstName !== '' && lead.lastName !== '') || lead.fullName.trim().includes(' ')) mask |= BIT.names;
  if (lead.company !== '') mask |= BIT.company;
  if (lead.jobTitle !== '') mask |= BIT.job_title;
  if (lead.industry !== '') mask |= BIT.industry;
  if (lead.street !== '' && (lead.postalCode !== '' || (lead.city !== '' && lead.state !== ''))) mask |= BIT.complete_address;
  if (lead.timezone !== '') mask |= BIT.timezone;
  if (lead.emailType === 'disposable') mask |= BIT.disposable_email;
  else if (lead.emailType === 'role') mask |= BIT.role_email;
  if (lead.emailSuggestion !== '') mask |= BIT.email_typo;
  if (possibleDuplicate) mask |= BIT.possible_duplicate;
  if (lead.exclusivity === 'non-exclusive') mask |= BIT.non_exclusive;
  return mask;
}

/** factMask as qualityFacts defines it (the test's reference). */
export function factMaskReference(lead: Lead, possibleDuplicate: boolean): number {
  const facts = qualityFacts(lead, possibleDuplicate);
  let mask = 0;
  for (let i = 0; i < COMPONENTS.length; i++) if (facts[COMPONENTS[i]!]) mask |= 1 << i;
  return mask;
}

/**
 * The quality score of an enriched lead under a tenant's weights (docs/enrichment.md): every
 * component listed with the points it gave, 0 when it does not apply.
 */
export function qualityScore(lead: Lead, possibleDuplicate: boolean, weights: Readonly<Record<QualityComponent, number>>): QualityScore {
  return qualityScoreReference(lead, possibleDuplicate, weights);
}

/**
 * qualityScore under fixed weights (copied when called), for many leads: the answer depends only
 * on which of the 14 components apply, so it is kept by those and no string is built for a
 * combination seen before. The enrichment stage makes one a batch (weights may change between).
 * The answer returned is the kept one, frozen: the same object for leads of the same components.
 */
export function qualityScorer(weights: Readonly<Record<QualityComponent, number>>): (lead: Lead, possibleDuplicate: boolean) => Readonly<QualityScore> {
  const fixed = { ...weights };
  const byMask = new Map<number, Readonly<QualityScore>>();
  return (lead, possibleDuplicate) => {
    const mask = factMask(lead, possibleDuplicate);
    let score = byMask.get(mask);
    if (!score) byMask.set(mask, (score = Object.freeze(qualityScoreReference(lead, possibleDuplicate, fixed))));
    return score;
  };
}

/** qualityScore computed afresh: the definition the kept answers are tested against. */
export function qualityScoreReference(lead: Lead, possibleDuplicate: boolean, weights: Readonly<Record<QualityComponent, number>>): QualityScore {
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
