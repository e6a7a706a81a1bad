import { createKeywordMatcher, bestHit, type WordMemo } from './keyword-matcher.js';
import { INDUSTRY_KEYWORDS, NAICS_SECTORS } from './industry-keywords.js';

export interface IndustryInput {
  /** The supplier's industry words (or a NAICS code), as given. */
  supplierIndustry: string;
  company: string;
  /** The company's web or email domain ('' for a free mailbox). */
  domain: string;
}

export interface IndustryResult {
  /** Two-digit NAICS sector, '' when nothing supports a choice. */
  industry: string;
  /** 0–1: how far the evidence goes (supplier words 0.9, company name 0.75, domain 0.55; agreement adds). */
  confidence: number;
  /** Where the answer came from: `supplier:"…"`, `company:"…"`, `domain:"…"`. */
  evidence: string[];
}

const matcher = createKeywordMatcher(INDUSTRY_KEYWORDS);
const RANGES: Readonly<Record<string, string>> = { '32': '31', '33': '31', '45': '44', '49': '48' };
export const UNKNOWN_INDUSTRY: IndustryResult = Object.freeze({ industry: '', confidence: 0, evidence: [] }) as IndustryResult;

/** A NAICS code written by the supplier ("5411", "52 - Finance", "31-33") → its sector. */
function naicsCode(value: string): string | undefined {
  const m = /^\s*(\d{2})(?:\d{0,4}|-\d{2})\b/.exec(value);
  if (!m) return undefined;
  const sector = RANGES[m[1]!] ?? m[1]!;
  return NAICS_SECTORS[sector] ? sector : undefined;
}

const SECOND_LEVEL = new Set(['co', 'com', 'org', 'net', 'ac', 'gov', 'edu', 'ltd', 'plc', 'nhs']);

/** The registrable name of a domain without its suffix: "shop.bluewaterplumbing.co.uk" → "bluewaterplumbing". */
function domainName(domain: string): string {
  const labels = domain.toLowerCase().split('.');
  labels.pop();
  if (labels.length > 1 && SECOND_LEVEL.has(labels.at(-1)!)) labels.pop();
  return labels.at(-1) ?? '';
}

/** The best sector of some words, with the keywords that found it; undefined when none matched. */
export type SectorHit = { label: string; hits: { keyword: string; weight?: number }[] } | undefined;

/** The keywords of a text (the supplier's words or a company name). */
export const textSector = (text: string, memo?: WordMemo): SectorHit => bestHit(matcher.hits(text, memo));

/** The keywords of a domain's name, or public administration for a .gov or .mil domain. */
export const domainSector = (domain: string, memo?: WordMemo): SectorHit =>
  /\.(gov|mil)(\.[a-z]{2})?$/.test(domain) ? { label: '92', hits: [{ keyword: domain }] } : bestHit(matcher.hits(domainName(domain), memo));

/** How classifyIndustry reads each source: enrichment passes look-ups that keep the answers by text. */
export interface SectorReaders {
  text(text: string): SectorHit;
  domain(domain: string): SectorHit;
}

const DIRECT: SectorReaders = { text: (t) => textSector(t), domain: (d) => domainSector(d) };

/** NAICS sector of a lead's company from the supplier's words, the company name and the domain. */
export function classifyIndustry(input: IndustryInput, read: SectorReaders = DIRECT): IndustryResult {
  const code = input.supplierIndustry ? naicsCode(input.supplierIndustry) : undefined;
  if (code) return { industry: code, confidence: 0.95, evidence: [`supplier:"${input.supplierIndustry.trim()}"`] };
  const supplier = input.supplierIndustry ? read.text(input.supplierIndustry) : undefined;
  const company = input.company ? read.text(input.company) : undefined;
  const domain = input.domain ? read.domain(input.domain) : undefined;
  const words = (kind: string, hit: { hits: { keyword: string }[] }) => `${kind}:"${hit.hits.map((h) => h.keyword).join(', ')}"`;
  const evidence: string[] = [];
  let industry = '';
  let confidence = 0;
  if (supplier) [industry, confidence] = [supplier.label, 0.9];
  else if (company) [industry, confidence] = [company.label, company.hits.every((h) => h.weight! < 1) ? 0.6 : 0.75];
  else if (domain) [industry, confidence] = [domain.label, 0.55];
  else return UNKNOWN_INDUSTRY;
  if (supplier?.label === industry) evidence.push(words('supplier', supplier));
  if (company?.label === industry) evidence.push(words('company', company));
  if (domain?.label === industry) evidence.push(words('domain', domain));
  confidence = Math.min(0.99, confidence + 0.05 * (evidence.length - 1));
  return { industry, confidence: Math.round(confidence * 100) / 100, evidence };
}
