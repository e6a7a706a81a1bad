import { emptyLead } from '@leadflow/pipeline';
import type { Lead } from '@leadflow/proto';
import { describe, expect, it } from 'vitest';
import { benchLeads, tsv } from './bench/bench-leads.js';
import { builtInTags, builtInTagsReference, pushBuiltInTags } from './lead-tags.js';
import { factMask, factMaskReference } from './quality-score.js';
import {
  createEnrichCaches, DEFAULT_QUALITY_SETTINGS, enrichLead, enrichLeadReference, qualityScorer, qualityScoreReference, windowMinutes,
  DEFAULT_CALLING_WINDOW, type EnrichContext,
} from './index.js';

const window = windowMinutes(DEFAULT_CALLING_WINDOW);
const ctx = (caches = createEnrichCaches()): EnrichContext => ({ now: new Date('2026-07-01T15:00:00Z'), window, callable: new Map(), caches });
const copy = (l: Lead): Lead => ({ ...l, original: { ...l.original } });

/** Each lead enriched by the reference and by the fast path (twice: the second pass answers from the caches). */
function compare(leads: readonly Lead[], cacheSize?: number) {
  const reference = leads.map(copy);
  const refCtx = ctx();
  for (const l of reference) enrichLeadReference(l, refCtx);
  const fastCtx = ctx(createEnrichCaches(cacheSize));
  for (let pass = 0; pass < 2; pass++) {
    const fast = leads.map(copy);
    for (const l of fast) enrichLead(l, fastCtx);
    for (let i = 0; i < leads.length; i++) expect(fast[i], `lead ${i} (pass ${pass + 1})`).toEqual(reference[i]);
  }
  return reference;
}

describe('enrichLead (the fast path) against enrichLeadReference', () => {
  it('gives the same leads on the pipeline benchmark distribution', () => {
    compare(benchLeads('pipeline', 4000, 1));
  });

  it('gives the same leads on the labelled sets and numbers of several countries', () => {
    compare(benchLeads('labelled', 3000, 2));
  });

  it('gives the same leads when nothing repeats, and with caches too small to keep much', () => {
    compare(benchLeads('distinct', 2000, 3));
    compare(benchLeads('pipeline', 2000, 4), 16);
    compare(benchLeads('labelled', 2000, 5), 0);
  });

  it('gives the same answer for every company and job title of the labelled sets, alone and together', () => {
    const leads: Lead[] = [];
    for (const c of tsv('services/enrichment/bench/companies.tsv')) {
      leads.push({ ...emptyLead(), original: {}, company: c.company!, industry: c.supplier_industry ?? '', domain: c.domain ?? '' });
      leads.push({ ...emptyLead(), original: {}, company: c.company!, email: `a@${c.domain || 'example.org'}` });
    }
    for (const t of tsv('services/enrichment/bench/job-titles.tsv')) leads.push({ ...emptyLead(), original: {}, jobTitle: t.title! });
    compare(leads);
  });

  it('gives the same answer for odd phones, types and emails', () => {
    const odd: [string, string][] = [
      ['+12125550123', 'fixed_line_or_mobile'], ['+12125550123', 'unknown'], ['+12125550123', 'cell'], ['+12125550123', ''],
      ['+10000000000', 'fixed_line_or_mobile'], ['+1212555012', 'mobile'], ['+999123456789', 'mobile'], ['+4470', 'mobile'],
      ['12125550123', 'mobile'], ['+447781123456', 'mobile'], ['+447781123456', ''], ['+447400123456', 'voip'],
      ['+74951234567', 'fixed_line'], ['+77012345678', 'mobile'], ['+3906123456789012', 'fixed_line'], ['', 'mobile'],
      ['+61412345678', 'mobile'], ['+61212345678', 'fixed_line'], ['+61812345678', 'fixed_line'], ['+5215512345678', 'mobile'],
      ['+5511987654321', 'mobile'], ['+551133334444', 'fixed_line'],
      ['+14165550123', 'fixed_line_or_mobile'], ['+16045550123', 'fixed_line_or_mobile'],
      // +1 outside US and CA (one zone each, told by leading digits), toll free, and numbers of several zones.
      ['+18765551234', 'fixed_line_or_mobile'], ['+12685551234', 'fixed_line_or_mobile'], ['+18095551234', 'fixed_line_or_mobile'],
      ['+18295551234', 'mobile'], ['+13405551234', 'fixed_line_or_mobile'], ['+17875551234', 'fixed_line_or_mobile'],
      ['+18005550123', 'toll_free'], ['+18885550123', 'toll_free'], ['+19075550123', 'fixed_line_or_mobile'],
      ['+18085550123', 'fixed_line_or_mobile'], ['+13065550123', 'fixed_line_or_mobile'], ['+17095550123', 'fixed_line_or_mobile'],
      ['+18675550123', 'fixed_line_or_mobile'], ['+12505550123', 'fixed_line_or_mobile'], ['+16465550123', 'fixed_line_or_mobile'],
    ];
    const emails = ['', 'no-at-sign', 'a@', '@b.com', 'INFO@GMAIL.COM', 'x@sub.mailinator.com', 'y@gmial.con', 'info+z@aol.com', 'a.b@outlook.co'];
    const leads: Lead[] = [];
    for (const [phone, phoneType] of odd) {
      for (const [country, state, postalCode] of [['', '', ''], ['US', '', ''], ['GB', '', ''], ['CA', 'ON', ''], ['US', 'TX', '79901'], ['CA', '', ''], ['AU', '', ''], ['MX', '', ''], ['RU', '', ''], ['BR', '', '']]) {
        leads.push({ ...emptyLead(), original: {}, phone, phoneType, country: country!, state: state!, postalCode: postalCode! });
      }
    }
    for (const email of emails) leads.push({ ...emptyLead(), original: {}, email });
    compare(leads);
  });

  it('scores quality as the reference does, under default and other weights', () => {
    const leads = compare(benchLeads('labelled', 1000, 6));
    const weights = { ...DEFAULT_QUALITY_SETTINGS.weights };
    for (const w of [DEFAULT_QUALITY_SETTINGS.weights, weights]) {
      const scorer = qualityScorer(w);
      for (let pass = 0; pass < 2; pass++) {
        for (const [i, l] of leads.entries()) expect(scorer(l, i % 7 === 0)).toEqual(qualityScoreReference(l, i % 7 === 0, w));
      }
      weights.mobile_phone = 10; // another tenant's weights: a new scorer
      weights.role_email = -50;
    }
  });

  it('gives the same fact masks, quality details and built-in tags as their references', () => {
    const leads = [
      ...compare(benchLeads('pipeline', 3000, 7)), ...compare(benchLeads('labelled', 2000, 8)), ...compare(benchLeads('distinct', 1000, 9)),
    ];
    const exclusivities = ['', 'exclusive', 'non-exclusive', 'other'];
    const scorer = qualityScorer(DEFAULT_QUALITY_SETTINGS.weights);
    for (const [i, l] of leads.entries()) {
      l.exclusivity = exclusivities[i % 4]!;
      if (i % 11 === 0) l.fullName = ' Ada  Lovelace ';
      if (i % 13 === 0) l.firstName = '';
      const dup = i % 5 === 0;
      expect(factMask(l, dup), `lead ${i}`).toBe(factMaskReference(l, dup));
      const score = scorer(l, dup);
      expect({ ...score }, `lead ${i}`).toEqual(qualityScoreReference(l, dup, DEFAULT_QUALITY_SETTINGS.weights));
      expect(builtInTags(l, l.exclusivity), `lead ${i}`).toEqual(builtInTagsReference(l, l.exclusivity));
      // Into a row's tags: each once, after those already there, as the stage did with builtInTags.
      const before = i % 3 === 0 ? [] : ['possible_duplicate', ...builtInTagsReference(l, l.exclusivity).slice(0, i % 4)];
      const expected = [...before];
      for (const t of builtInTagsReference(l, l.exclusivity)) if (!expected.includes(t)) expected.push(t);
      const tags = [...before];
      pushBuiltInTags(tags, l, l.exclusivity);
      expect(tags, `lead ${i}`).toEqual(expected);
    }
  });
});
