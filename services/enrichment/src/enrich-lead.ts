import type { Lead } from '@leadflow/proto';
import { BoundedCache } from './bounded-cache.js';
import { callableNow } from './calling-window.js';
import { domainSuggestion, emailSuggestion } from './email-suggestion.js';
import { domainKind, emailType, typeOfKind, type DomainKind } from './email-type.js';
import { classifyIndustry, domainSector, textSector, type SectorHit, type SectorReaders } from './industry.js';
import { classifyJobTitle } from './job-title.js';
import type { OwnHit } from './keyword-matcher.js';
import { callingCodeCountries, callingCodePlans, phoneInfo, phoneTimeZones, planTypeName, PLAIN_E164 } from './phone-info.js';
import { countryZone, leadTimeZone, zoneOf } from './time-zone.js';

/** What enrichment needs besides the lead: the instant it runs and the calling window in minutes. */
export interface EnrichContext {
  now: Date;
  window: readonly [number, number];
  /** callable_now by zone for this `now`: one batch shares it. */
  callable?: Map<string, 'true' | 'false' | ''>;
  /** The answers kept by key (createEnrichCaches); @default one set shared by the process */
  caches?: EnrichCaches;
}

/** Entries kept by each of enrichment's caches when no size is given. */
export const DEFAULT_ENRICH_CACHE_SIZE = 20_000;

interface DomainFacts { suggestion: string; kind: DomainKind }
interface IndustryAnswer { industry: string; confidence: string; evidence: readonly string[] }
interface TitleAnswer { seniority: string; department: string; evidence: readonly string[] }

/**
 * enrichLead's answers that depend only on a key, each cache bounded (least recently used out):
 * by email domain (suggestion and the domain's kind), by number (the country, when a parse is needed), by job title, by supplier words,
 * company and domain (industry), and by each of those texts alone.
 */
export interface EnrichCaches {
  emailDomains: BoundedCache<DomainFacts>;
  phoneCountries: BoundedCache<string>;
  titles: BoundedCache<TitleAnswer>;
  industries: BoundedCache<IndustryAnswer>;
  sectorTexts: BoundedCache<SectorHit | null>;
  sectorDomains: BoundedCache<SectorHit | null>;
  /** Each word's own keyword hit, for the texts and domains not kept yet (a file's companies share their words). */
  words: BoundedCache<OwnHit | null>;
}

export function createEnrichCaches(size = DEFAULT_ENRICH_CACHE_SIZE): EnrichCaches {
  return {
    emailDomains: new BoundedCache(size), phoneCountries: new BoundedCache(size),
    titles: new BoundedCache(size), industries: new BoundedCache(size), sectorTexts: new BoundedCache(size),
    sectorDomains: new BoundedCache(size), words: new BoundedCache(size),
  };
}

const shared = createEnrichCaches();

function cached<V>(cache: BoundedCache<V>, key: string, compute: (key: string) => V): V {
  let value = cache.get(key);
  if (value === undefined) cache.set(key, (value = compute(key)));
  return value;
}

function callable(lead: Lead, ctx: EnrichContext): void {
  let answer = ctx.callable?.get(lead.timezone);
  if (answer === undefined) {
    answer = callableNow(lead.timezone, ctx.now, ctx.window);
    ctx.callable?.set(lead.timezone, answer);
  }
  lead.callableNow = answer;
}

/** The supplier's words, kept as written in `original["industry"]` (mapping puts them in `industry`). */
function supplierWords(lead: Lead): string {
  const supplierIndustry = lead.original['industry'] ?? lead.industry;
  if (lead.industry && !lead.original['industry']) lead.original['industry'] = lead.industry;
  return supplierIndustry;
}

const emailDomainOf = (lead: Lead) =>
  lead.emailType === 'business' || lead.emailType === 'role' ? lead.email.slice(lead.email.lastIndexOf('@') + 1) : '';

/** classifyIndustry's answer when nothing supports one. */
const NO_INDUSTRY: IndustryAnswer = Object.freeze({ industry: '', confidence: '', evidence: Object.freeze([]) as readonly string[] });

const industryEvidence = (evidence: readonly string[]) => evidence.map((e) => `industry ${e}`);
const titleEvidence = (evidence: readonly string[]) =>
  evidence.map((e) => `${e.startsWith('seniority') ? 'seniority' : 'department'} title:${e.slice(e.indexOf(':') + 1)}`);

/**
 * Sets the derived fields of a lead (email_type, email_suggestion, phone_type, timezone,
 * callable_now, industry, industry_confidence, seniority, department and their evidence): a pure
 * function of the lead and the context, so a rerun of a batch gives the same lead.
 *
 * Each answer is kept by what decides it (EnrichCaches), and a phone is not parsed again: mapping
 * gave its type, its prefix gives its zones, and its country is read (one parse a number) only
 * when the address leaves the time zone to the phone. enrichLeadReference computes every answer
 * afresh; a test proves both give the same leads (docs/enrichment.md, Throughput).
 */
export function enrichLead(lead: Lead, ctx: EnrichContext): void {
  const caches = ctx.caches ?? shared;

  const email = lead.email;
  const at = email.lastIndexOf('@');
  if (at < 0) {
    lead.emailSuggestion = '';
    lead.emailType = '';
  } else {
    const facts = cached(caches.emailDomains, email.slice(at + 1).toLowerCase(), (domain) => {
      const suggestion = domainSuggestion(domain);
      return { suggestion, kind: domainKind(domain, suggestion) };
    });
    lead.emailSuggestion = facts.suggestion;
    lead.emailType = typeOfKind(facts.kind, email.slice(0, at));
  }

  // Mapping set phone_type to libphonenumber's own name when it cleaned the number; a rerun finds ours.
  const e164 = lead.phone;
  let zones: readonly string[] = [];
  let phoneCountry: () => string = () => '';
  let phoneCountryZone: (() => string) | undefined;
  if (e164.startsWith('+')) {
    const planType = planTypeName(lead.phoneType);
    const countries = planType && PLAIN_E164.test(e164) ? callingCodeCountries(e164) : undefined;
    if (planType && countries) {
      // The zones by the longest prefix the map knows: a few look-ups, cheaper than keeping them by prefix.
      lead.phoneType = planType;
      zones = phoneTimeZones(e164.slice(1));
      // One country for the calling code: it is the number's. Else only a parse of the number tells.
      phoneCountry = countries.length === 1
        ? () => countries[0]!
        : () => cached(caches.phoneCountries, e164, () => phoneInfo(e164)?.country ?? '');
      if (e164.charCodeAt(1) === 49 && nanpMultiZoneOnly(e164)) phoneCountryZone = NO_ZONE;
    } else {
      const info = phoneInfo(e164, lead.phoneType);
      lead.phoneType = info?.type ?? '';
      zones = info?.timeZones ?? [];
      const country = info?.country ?? '';
      phoneCountry = () => country;
    }
  } else {
    lead.phoneType = '';
  }

  lead.timezone = zoneOf(lead.postalCode, lead.state, lead.country, zones, phoneCountry, phoneCountryZone);
  callable(lead, ctx);

  const supplierIndustry = supplierWords(lead);
  const domain = lead.domain || (at >= 0 && (lead.emailType === 'business' || lead.emailType === 'role') ? email.slice(at + 1) : '');
  let industry = NO_INDUSTRY;
  // Without supplier words the answer is none unless the company or the domain has a sector: two
  // look-ups by text, kept apart, instead of building the three texts' key for every lead.
  const read = readersOf(caches);
  if (supplierIndustry || (lead.company && read.text(lead.company)) || (domain && read.domain(domain))) {
    industry = cached(caches.industries, `${supplierIndustry}\u0000${lead.company}\u0000${domain}`, () => {
      const r = classifyIndustry({ supplierIndustry, company: lead.company, domain }, read);
      return { industry: r.industry, confidence: r.industry ? r.confidence.toFixed(2) : '', evidence: industryEvidence(r.evidence) };
    });
  }
  lead.industry = industry.industry;
  lead.industryConfidence = industry.confidence;

  const title = cached(caches.titles, lead.jobTitle, (jobTitle) => {
    const r = classifyJobTitle(jobTitle);
    return { seniority: r.seniority, department: r.department, evidence: titleEvidence(r.evidence) };
  });
  lead.seniority = title.seniority;
  lead.department = title.department;
  lead.enrichmentEvidence = industry.evidence.length + title.evidence.length === 0 ? [] : [...industry.evidence, ...title.evidence];
}

const NO_ZONE = () => '';

/** The +1 countries of one zone (the Caribbean's) by their leading digits; null when another could be picked. */
let nanpOneZone: RegExp | null | undefined;

/**
 * Whether a +1 number's country, as a parse finds it, is none or one of several zones (US, CA), so
 * that the number's country zone is '' without parsing. A parse picks a country with leading
 * digits only when they start the national number, else one without (US, CA: several zones each)
 * whose patterns match, else none; a national number starting with 2–9 loses no national prefix.
 * Holds only while every +1 country without leading digits has several zones (checked once).
 */
function nanpMultiZoneOnly(e164: string): boolean {
  if (nanpOneZone === undefined) {
    const plans = callingCodePlans('1');
    const oneZone = plans.filter(([country, leading]) => leading && countryZone(country)).map(([, leading]) => `(?:${leading})`);
    nanpOneZone = plans.some(([country, leading]) => !leading && countryZone(country)) ? null : new RegExp(`^(?:${oneZone.join('|') || '(?!)'})`);
  }
  const first = e164.charCodeAt(2);
  return nanpOneZone !== null && first >= 50 && first <= 57 && !nanpOneZone.test(e164.slice(2));
}

const readers = new WeakMap<EnrichCaches, SectorReaders>();

/** classifyIndustry's readers of a text and a domain through the caches (null kept for "no sector"). */
function readersOf(caches: EnrichCaches): SectorReaders {
  let r = readers.get(caches);
  if (!r) {
    r = {
      text: (text) => cached(caches.sectorTexts, text, (t) => textSector(t, caches.words) ?? null) ?? undefined,
      domain: (domain) => cached(caches.sectorDomains, domain, (d) => domainSector(d, caches.words) ?? null) ?? undefined,
    };
    readers.set(caches, r);
  }
  return r;
}

/**
 * enrichLead computed afresh: no cache, the phone parsed again. Slow (a parse is tens of µs);
 * kept as the definition enrichLead's fast path is tested against.
 */
export function enrichLeadReference(lead: Lead, ctx: EnrichContext): void {
  lead.emailSuggestion = emailSuggestion(lead.email);
  lead.emailType = emailType(lead.email, lead.emailSuggestion);

  const phone = phoneInfo(lead.phone, lead.phoneType);
  lead.phoneType = phone?.type ?? '';
  lead.timezone = leadTimeZone({
    postalCode: lead.postalCode, state: lead.state, country: lead.country,
    phoneZones: phone?.timeZones ?? [], phoneCountry: phone?.country ?? '',
  });
  callable(lead, ctx);

  const supplierIndustry = supplierWords(lead);
  const industry = classifyIndustry({ supplierIndustry, company: lead.company, domain: lead.domain || emailDomainOf(lead) });
  lead.industry = industry.industry;
  lead.industryConfidence = industry.industry ? industry.confidence.toFixed(2) : '';

  const title = classifyJobTitle(lead.jobTitle);
  lead.seniority = title.seniority;
  lead.department = title.department;
  lead.enrichmentEvidence = [...industryEvidence(industry.evidence), ...titleEvidence(title.evidence)];
}
