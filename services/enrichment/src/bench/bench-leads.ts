/**
 * Leads as the enrichment stage receives them (after mapping: email as written, phone in E.164
 * with libphonenumber's type, state and ZIP code, country inferred), for the enrichment benchmark
 * and the test that compares enrichLead with enrichLeadReference.
 *
 * `pipeline`: the distributions of the pipeline benchmark's generator (libs/bench/src/lead-generator.ts,
 * lead-pools.ts): 95% with an email, unique local parts; 70% with a company named after a
 * surname (1,672 FEBRL surnames, skewed draw) and a suffix; half of those have an email at the
 * company's domain, the others one of 7 free providers; 80% with a phone of 50 area codes,
 * every number distinct; a job title of 15; 85% with an address in 31 state/ZIP areas.
 * `labelled`: the same with the companies, supplier industries, domains and job titles of the
 * labelled sets (405 companies, 279 titles), and phones of several countries.
 * `distinct`: the worst case, nothing repeats: every email domain, company, job title and ZIP
 * code distinct, every number in another area code and exchange.
 */
import { readFileSync } from 'node:fs';
import { emptyLead } from '@leadflow/pipeline';
import type { Lead } from '@leadflow/proto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type LeadProfile = 'pipeline' | 'labelled' | 'distinct';

const repoFile = (path: string) => new URL(`../../../../${path}`, import.meta.url);
export const tsv = (path: string): Record<string, string>[] => {
  const [head, ...lines] = readFileSync(repoFile(path), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const cols = head!.split('\t');
  return lines.map((l) => Object.fromEntries(l.split('\t').map((v, i) => [cols[i]!, v.trim()])));
};

/** Mulberry32, as libs/bench/src/random.ts: one seed, one sequence. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    skewed: <T>(xs: readonly T[]): T => xs[Math.floor(next() ** 2 * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}

// The pools of libs/bench/src/lead-pools.ts.
const STATES = [
  ['AL', '350'], ['AZ', '850'], ['CA', '900'], ['CA', '941'], ['CO', '802'], ['CT', '061'], ['FL', '331'], ['FL', '328'],
  ['GA', '303'], ['IL', '606'], ['IN', '462'], ['MA', '021'], ['MD', '212'], ['MI', '482'], ['MN', '554'], ['MO', '631'],
  ['NC', '282'], ['NJ', '070'], ['NV', '891'], ['NY', '100'], ['NY', '112'], ['OH', '432'], ['OR', '972'], ['PA', '191'],
  ['TN', '372'], ['TX', '770'], ['TX', '787'], ['UT', '841'], ['VA', '232'], ['WA', '981'], ['WI', '532'],
] as const;
const AREA_CODES = [
  '201', '202', '205', '206', '212', '213', '214', '215', '216', '301', '303', '305', '310', '312', '313', '314', '404', '407',
  '408', '412', '415', '503', '504', '512', '602', '612', '614', '617', '702', '704', '713', '718', '719', '720', '801', '804',
  '813', '816', '832', '858', '901', '904', '914', '916', '917', '919', '949', '954', '971', '972',
];
const FREE_MAIL = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'aol.com', 'icloud.com', 'proton.me'];
const COMPANY_SUFFIXES = ['LLC', 'Inc.', 'Group', 'Partners', '& Sons', 'Co.', 'Holdings', 'Consulting', 'Logistics', 'Realty'];
const JOB_TITLES = [
  'Owner', 'CEO', 'Office Manager', 'Sales Director', 'VP of Marketing', 'Purchasing Manager', 'Operations Manager',
  'Account Executive', 'IT Manager', 'CFO', 'HR Director', 'Founder', 'Practice Manager', 'Facilities Manager', '',
];
/** Numbers of other countries for the labelled profile: several regions share +44 and +7, which takes a parse. */
const WORLD_PHONES = [
  '+447400123456', '+442079460000', '+447781123456', '+447624123456', '+4915123456789', '+493012345678', '+61412345678',
  '+33612345678', '+33810123456', '+74951234567', '+77012345678', '+18005551234', '+19005550123', '+17875550123',
  '+14165550123', '+16045550123', '+12425550123', '+5215512345678', '+34612345678', '+390612345678',
];
const EMAILS = ['info@acme.com', 'x@mailinator.com', 'carol@gmial.com', 'sales+x@bluewaterplumbing.com', 'ann@yaho.com', 'bob@hotmial.com', 'no-reply@gmail.com', 'Customer.Service@Acme.IO'];

const ascii = (s: string) => s.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase();
const planType = (e164: string) => (parsePhoneNumberFromString(e164)?.getType() ?? '').toLowerCase();

let surnames: string[] | undefined;
const SURNAMES = () => (surnames ??= readFileSync(repoFile('libs/bench/data/surnames.txt'), 'utf8').split('\n').filter(Boolean));

/** `count` leads of a profile, the same for the same seed. */
export function benchLeads(profile: LeadProfile, count: number, seed = 42): Lead[] {
  const r = random(seed);
  const companies = profile === 'labelled' ? tsv('services/enrichment/bench/companies.tsv') : [];
  const titles = profile === 'labelled' ? tsv('services/enrichment/bench/job-titles.tsv') : [];
  const leads: Lead[] = [];
  for (let i = 0; i < count; i++) {
    const serial = (i + 1).toString(36);
    const lead: Lead = { ...emptyLead(), original: {} };
    let companyWord = '';
    if (profile === 'distinct') {
      companyWord = `zq${serial}`;
      lead.company = `Zq${serial} ${r.pick(COMPANY_SUFFIXES)}`;
      lead.jobTitle = `${r.pick(JOB_TITLES) || 'Associate'} ${serial}`;
    } else if (profile === 'labelled') {
      const c = r.skewed(companies);
      lead.company = c.company!;
      lead.industry = c.supplier_industry ?? '';
      lead.domain = c.domain ?? '';
      companyWord = ascii(c.company!.split(' ')[0]!);
      lead.jobTitle = r.skewed(titles).title!;
    } else {
      if (r.chance(0.7)) {
        lead.company = `${r.skewed(SURNAMES())} ${r.pick(COMPANY_SUFFIXES)}`;
        companyWord = ascii(lead.company.split(' ')[0]!);
      }
      lead.jobTitle = r.pick(JOB_TITLES);
    }
    if (r.chance(0.95)) {
      const local = `${ascii(r.skewed(SURNAMES()))}.${serial}`;
      const domain = profile === 'distinct'
        ? `${companyWord}.com`
        : companyWord && r.chance(0.5) ? `${companyWord || 'mail'}${r.pick(['.com', '.net', '.io', '.co'])}` : r.pick(FREE_MAIL);
      lead.email = profile === 'labelled' && r.chance(0.1) ? r.pick(EMAILS) : `${local}@${domain}`;
    }
    if (!lead.email || r.chance(0.8)) {
      let e164: string;
      if (profile === 'distinct') e164 = `+1${AREA_CODES[i % AREA_CODES.length]}${200 + Math.floor(i / AREA_CODES.length) % 800}${String(r.int(10_000)).padStart(4, '0')}`;
      else if (profile === 'labelled' && r.chance(0.3)) e164 = r.pick(WORLD_PHONES);
      else e164 = `+1${r.pick(AREA_CODES)}${200 + r.int(800)}${String(r.int(10_000)).padStart(4, '0')}`;
      lead.phone = e164;
      lead.phoneType = planType(e164);
    }
    if (r.chance(0.85)) {
      const [state, zip3] = r.pick(STATES);
      lead.state = state;
      lead.postalCode = profile === 'distinct' ? `${String(10_000 + (i % 90_000)).padStart(5, '0')}` : `${zip3}${String(r.int(100)).padStart(2, '0')}`;
      lead.country = 'US';
    } else if (profile === 'labelled' && r.chance(0.5)) {
      lead.country = r.pick(['US', 'GB', 'CA', 'DE', 'AU', '']);
    }
    leads.push(lead);
  }
  return leads;
}
