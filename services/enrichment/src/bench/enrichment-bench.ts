#!/usr/bin/env node
/**
 * `npm run bench:enrichment`: accuracy where it answers and answer rate of the industry and
 * job-title classifiers on the labelled sets in services/enrichment/bench/, and enrichment's cost
 * per lead. Prints the figures and writes them to services/enrichment/bench/RESULTS.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { emptyLead } from '@leadflow/pipeline';
import type { Lead } from '@leadflow/proto';
import {
  classifyIndustry, classifyJobTitle, emailSuggestion, emailType, enrichLead, phoneInfo, windowMinutes, DEFAULT_CALLING_WINDOW,
} from '../index.js';

const file = (name: string) => fileURLToPath(new URL(`../../bench/${name}`, import.meta.url));
const tsv = (name: string): Record<string, string>[] => {
  const [head, ...lines] = readFileSync(file(name), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const cols = head!.split('\t');
  return lines.map((l) => Object.fromEntries(l.split('\t').map((v, i) => [cols[i]!, v.trim()])));
};

interface Score { rows: number; answered: number; correct: number; misses: string[] }
const score = (): Score => ({ rows: 0, answered: 0, correct: 0, misses: [] });
function count(s: Score, truth: string, answer: string, what: string) {
  s.rows++;
  if (!answer) return;
  s.answered++;
  if (answer === truth) s.correct++;
  else s.misses.push(`${what}: ${answer || '∅'} (labelled ${truth || '∅'})`);
}
const pct = (n: number, d: number) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)}%`);
const row = (name: string, s: Score) => `| ${name} | ${s.rows} | ${pct(s.answered, s.rows)} | ${pct(s.correct, s.answered)} | ${s.correct}/${s.answered} |`;

const companies = tsv('companies.tsv');
const industry = score();
for (const c of companies) {
  const r = classifyIndustry({ company: c.company!, supplierIndustry: c.supplier_industry ?? '', domain: c.domain ?? '' });
  count(industry, c.naics!, r.industry, c.company!);
}
const titles = tsv('job-titles.tsv');
const seniority = score();
const department = score();
for (const t of titles) {
  const r = classifyJobTitle(t.title!);
  count(seniority, t.seniority ?? '', r.seniority, t.title!);
  count(department, t.department ?? '', r.department, t.title!);
}

// Throughput: leads built from the labelled sets with emails, phones and addresses of several kinds.
const emails = ['ann@gmail.com', 'info@acme.com', 'bob.lee@bluewaterplumbing.com', 'x@mailinator.com', 'carol@gmial.com', 'dan@acme.io'];
const phones = ['+12125550123', '+13125550199', '+447400123456', '+4915123456789', '+18005551234', ''];
const places = [['10001', 'NY', 'US'], ['', 'TX', 'US'], ['', '', 'GB'], ['', '', ''], ['M5V 2T6', 'ON', 'CA'], ['', '', 'DE']];
const LEADS = 20_000;
const leads: Lead[] = Array.from({ length: LEADS }, (_, i) => {
  const c = companies[i % companies.length]!;
  const [postalCode, state, country] = places[i % places.length]!;
  return {
    ...emptyLead(), email: emails[i % emails.length]!, phone: phones[(i * 7) % phones.length]!, company: c.company!,
    // As mapping leaves it: the plan's type in libphonenumber's name.
    phoneType: (parsePhoneNumberFromString(phones[(i * 7) % phones.length]!)?.getType() ?? '').toLowerCase(),
    industry: c.supplier_industry ?? '', domain: c.domain ?? '', jobTitle: titles[i % titles.length]!.title!,
    postalCode: postalCode!, state: state!, country: country!, original: {},
  };
});
const window = windowMinutes(DEFAULT_CALLING_WINDOW);
const now = new Date('2026-07-01T15:00:00Z');
const run = () => {
  const ctx = { now, window, callable: new Map<string, 'true' | 'false' | ''>() };
  const copies = leads.map((l) => ({ ...l, original: {} }));
  const t0 = process.hrtime.bigint();
  for (const l of copies) enrichLead(l, ctx);
  return Number(process.hrtime.bigint() - t0) / 1000 / LEADS;
};
run(); // warm-up: JIT, caches
const times = Array.from({ length: 5 }, run).sort((a, b) => a - b);
const median = times[2]!;

/** Each classifier alone over the same leads: where the time goes. */
const part = (f: (l: Lead) => unknown): number => {
  for (const l of leads.slice(0, 2000)) f(l);
  const t0 = process.hrtime.bigint();
  for (const l of leads) f(l);
  return Number(process.hrtime.bigint() - t0) / 1000 / LEADS;
};
const parts: [string, number][] = [
  ['email type and suggestion', part((l) => emailType(l.email, emailSuggestion(l.email)))],
  ['phone type, place and zones, type given by mapping', part((l) => phoneInfo(l.phone, l.phoneType))],
  ['phone type, place and zones, parsed again (libphonenumber-js max)', part((l) => phoneInfo(l.phone))],
  ['industry', part((l) => classifyIndustry({ company: l.company, supplierIndustry: l.industry, domain: l.domain }))],
  ['seniority and department', part((l) => classifyJobTitle(l.jobTitle))],
];

const out = [
  '# Enrichment benchmark results',
  '',
  `Written by \`npm run bench:enrichment\` (services/enrichment/src/bench/enrichment-bench.ts). Labelled sets:`,
  `services/enrichment/bench/companies.tsv (${companies.length} companies with their NAICS sector) and`,
  `job-titles.tsv (${titles.length} titles with seniority and department), written by hand apart from the rules.`,
  'Accuracy counts only the rows where the classifier answers; a row labelled with no department and',
  'given one counts as wrong.',
  '',
  '| classifier | rows | answer rate | accuracy where it answers | correct/answered |',
  '|---|---|---|---|---|',
  row('industry (NAICS sector)', industry),
  row('seniority', seniority),
  row('department', department),
  '',
  `Enrichment of one lead (all fields, enrichLead): median ${median.toFixed(2)} µs over 5 runs of ${LEADS} leads`,
  `(min ${times[0]!.toFixed(2)}, max ${times[4]!.toFixed(2)}), on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'},`,
  `Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)} when measured (a busy shared machine inflates it).`,
  '',
  '| part | µs per lead |',
  '|---|---|',
  ...parts.map(([name, us]) => `| ${name} | ${us.toFixed(2)} |`),
  '',
  '## Wrong answers',
  '',
  ...[...industry.misses.map((m) => `- industry ${m}`), ...seniority.misses.map((m) => `- seniority ${m}`), ...department.misses.map((m) => `- department ${m}`)],
  '',
];
writeFileSync(file('RESULTS.md'), out.join('\n'));
console.log(out.slice(8, out.indexOf('## Wrong answers')).join('\n'));
