import type { Lead } from '@leadflow/proto';
import { callableNow } from './calling-window.js';
import { emailSuggestion } from './email-suggestion.js';
import { emailType } from './email-type.js';
import { classifyIndustry } from './industry.js';
import { classifyJobTitle } from './job-title.js';
import { phoneInfo } from './phone-info.js';
import { leadTimeZone } from './time-zone.js';

/** What enrichment needs besides the lead: the instant it runs and the calling window in minutes. */
export interface EnrichContext {
  now: Date;
  window: readonly [number, number];
  /** callable_now by zone for this `now`: one batch shares it. */
  callable?: Map<string, 'true' | 'false' | ''>;
}

/**
 * Sets the derived fields of a lead (email_type, email_suggestion, phone_type, timezone,
 * callable_now, industry, industry_confidence, seniority, department and their evidence): a pure
 * function of the lead and the context, so a rerun of a batch gives the same lead.
 */
export function enrichLead(lead: Lead, ctx: EnrichContext): void {
  lead.emailSuggestion = emailSuggestion(lead.email);
  lead.emailType = emailType(lead.email, lead.emailSuggestion);
  const evidence: string[] = [];

  // Mapping set phone_type to libphonenumber's own name when it cleaned the number; a rerun finds ours.
  const phone = phoneInfo(lead.phone, lead.phoneType);
  lead.phoneType = phone?.type ?? '';

  lead.timezone = leadTimeZone({
    postalCode: lead.postalCode, state: lead.state, country: lead.country,
    phoneZones: phone?.timeZones ?? [], phoneCountry: phone?.country ?? '',
  });
  let callable = ctx.callable?.get(lead.timezone);
  if (callable === undefined) {
    callable = callableNow(lead.timezone, ctx.now, ctx.window);
    ctx.callable?.set(lead.timezone, callable);
  }
  lead.callableNow = callable;

  const supplierIndustry = lead.original['industry'] ?? lead.industry;
  if (lead.industry && !lead.original['industry']) lead.original['industry'] = lead.industry;
  const emailDomain = lead.emailType === 'business' || lead.emailType === 'role' ? lead.email.slice(lead.email.lastIndexOf('@') + 1) : '';
  const industry = classifyIndustry({ supplierIndustry, company: lead.company, domain: lead.domain || emailDomain });
  lead.industry = industry.industry;
  lead.industryConfidence = industry.industry ? industry.confidence.toFixed(2) : '';
  for (const e of industry.evidence) evidence.push(`industry ${e}`);

  const title = classifyJobTitle(lead.jobTitle);
  lead.seniority = title.seniority;
  lead.department = title.department;
  for (const e of title.evidence) evidence.push(`${e.startsWith('seniority') ? 'seniority' : 'department'} title:${e.slice(e.indexOf(':') + 1)}`);
  lead.enrichmentEvidence = evidence;
}
