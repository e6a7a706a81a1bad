import { describe, expect, it } from 'vitest';
import { compileTagRules, emptyLead, parseTagRules } from '@leadflow/pipeline';
import { Disposition, type Lead, type LeadBatch } from '@leadflow/proto';
import { createEnrichmentStage, DEFAULT_QUALITY_SETTINGS } from './index.js';

const at = new Date('2026-07-01T13:30:00Z'); // 09:30 in New York, 06:30 in Los Angeles

function batch(leads: Partial<Lead>[]): LeadBatch {
  return {
    job: { jobId: 'j', tenantId: 't', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0, header: [], mapping: [], last: true, totalRows: leads.length, failure: undefined,
    rows: leads.map((lead, i) => ({
      rowNumber: i + 1, lead: { ...emptyLead(), ...lead }, disposition: Disposition.DISPOSITION_ACCEPTED,
      reasons: [], tags: [], qualityScore: 0, match: undefined, raw: [], leadId: `lead-${i + 1}`,
    })),
  };
}

const fields = (l: Lead) => ({
  email_type: l.emailType, email_suggestion: l.emailSuggestion, phone_type: l.phoneType, timezone: l.timezone,
  callable_now: l.callableNow, industry: l.industry, industry_confidence: l.industryConfidence, seniority: l.seniority,
  department: l.department,
});

describe('the enrichment stage', () => {
  it('sets every derived field of a lead, for a fixed clock', async () => {
    const out = await createEnrichmentStage({ now: () => at })(batch([
      {
        email: 'ann@gmial.com', phone: '+12125550123', phoneType: 'fixed_line_or_mobile', company: 'Bluewater Plumbing LLC',
        jobTitle: 'VP of Sales', state: 'NY', country: 'US', postalCode: '10001',
      },
      { email: 'info@smithdental.com', phone: '+13105550123', phoneType: 'fixed_line_or_mobile', industry: 'Hospital & Health Care', jobTitle: 'Office Manager' },
      { email: 'bob@acme.io', phone: '+447400123456', phoneType: 'mobile', country: 'GB', company: 'Acme' },
    ]));
    expect(out.rows.map((r) => fields(r.lead!))).toEqual([
      {
        email_type: 'free', email_suggestion: 'gmail.com', phone_type: 'unknown', timezone: 'America/New_York', callable_now: 'true',
        industry: '23', industry_confidence: '0.75', seniority: 'vp', department: 'sales',
      },
      {
        email_type: 'role', email_suggestion: '', phone_type: 'unknown', timezone: 'America/Los_Angeles', callable_now: 'false',
        industry: '62', industry_confidence: '0.95', seniority: 'manager', department: 'operations',
      },
      {
        email_type: 'business', email_suggestion: '', phone_type: 'mobile', timezone: 'Europe/London', callable_now: 'true',
        industry: '', industry_confidence: '', seniority: '', department: '',
      },
    ]);
    expect(out.rows[1]!.lead!.original).toEqual({ industry: 'Hospital & Health Care' });
    expect(out.rows[1]!.lead!.enrichmentEvidence).toEqual([
      'industry supplier:"hospital*, health"', 'industry domain:"dental"', 'seniority title:"manager"', 'department title:"office manager, office"',
    ]);
    expect(out.rows.map((r) => r.tags)).toEqual([
      ['email:free', 'phone:unknown', 'tz:America/New_York', 'industry:23', 'seniority:vp', 'department:sales'],
      ['email:role', 'phone:unknown', 'tz:America/Los_Angeles', 'industry:62', 'seniority:manager', 'department:operations'],
      ['email:business', 'phone:mobile', 'tz:Europe/London'],
    ]);
  });

  it("tags a lead by the tenant's rules, after the built-in tags, each tag once", async () => {
    const asked: string[] = [];
    const rules = compileTagRules(parseTagRules([
      { tag: 'ny-exec', when: { all: [{ field: 'timezone', equals: 'America/New_York' }, { field: 'seniority', in: ['c_level', 'vp'] }] } },
      { tag: 'free-mail', when: { field: 'tags', contains: 'email:free' } },
      { tag: 'from-acme', when: { field: 'supplier', equals: 'Acme Lists' } },
      { tag: 'scored', when: { field: 'quality', '>': 30 } },
    ]));
    const stage = createEnrichmentStage({ now: () => at, tagRules: async (tenantId) => (asked.push(tenantId), rules) });
    const b = batch([
      { email: 'ann@gmail.com', phone: '+12125550123', phoneType: 'fixed_line_or_mobile', jobTitle: 'VP of Sales', state: 'NY', country: 'US' },
      { email: 'bob@acme.io', jobTitle: 'Engineer' },
    ]);
    b.job!.supplier = 'Acme Lists';
    b.rows[0]!.tags = ['possible_duplicate', 'free-mail'];
    const out = await stage(b);
    expect(asked).toEqual(['t']);
    // The score is set before the tags, so that a rule sees it: email, phone, title and time zone, less 15 for a possible duplicate; email and title.
    expect(out.rows.map((r) => r.qualityScore)).toEqual([35, 25]);
    expect(out.rows.map((r) => r.tags)).toEqual([
      ['possible_duplicate', 'free-mail', 'email:free', 'phone:unknown', 'tz:America/New_York', 'seniority:vp', 'department:sales', 'ny-exec', 'from-acme', 'scored'],
      ['email:business', 'seniority:individual-contributor', 'department:engineering', 'from-acme'],
    ]);
  });

  it('takes the calling window it is given', async () => {
    const stage = createEnrichmentStage({ now: () => at, callingWindow: { start: '06:00', end: '20:00' } });
    const out = await stage(batch([{ phone: '+13105550123', phoneType: 'fixed_line_or_mobile' }]));
    expect(out.rows[0]!.lead!.callableNow).toBe('true');
  });

  it('gives the same lead when a batch is enriched twice', async () => {
    const stage = createEnrichmentStage({ now: () => at });
    const once = await stage(batch([{ email: 'x@acme.io', industry: 'Commercial Banking', phone: '+12125550123', phoneType: 'fixed_line_or_mobile' }]));
    const lead = structuredClone(once.rows[0]!.lead!);
    const twice = await stage({ ...once, rows: once.rows.map((r) => ({ ...r, tags: [] })) });
    expect(twice.rows[0]!.lead).toEqual(lead);
  });

  it('leaves closed rows alone', async () => {
    const b = batch([{ email: 'ann@gmail.com' }]);
    b.rows[0]!.disposition = Disposition.DISPOSITION_DUPLICATE;
    const out = await createEnrichmentStage({ now: () => at })(b);
    expect([out.rows[0]!.lead!.emailType, out.rows[0]!.tags]).toEqual(['', []]);
  });
});

describe("the enrichment stage's quality score", () => {
  const weak = { email: 'info@acme-widgets.com' }; // a role email and nothing else: 20 - 10 = 10
  const strong = { firstName: 'Ann', lastName: 'Archer', email: 'ann@acme-widgets.com', phone: '+447400123456', phoneType: 'mobile', country: 'GB' };

  it('scores every open lead, its components on the lead, and leaves excluded rows alone', async () => {
    const b = batch([weak, strong, weak]);
    b.rows[2]!.disposition = Disposition.DISPOSITION_DUPLICATE;
    b.rows[1]!.tags.push('possible_duplicate');
    const out = await createEnrichmentStage({ now: () => at })(b);
    expect(out.rows.map((r) => r.qualityScore)).toEqual([10, 50, 0]); // 20 + 20 + 5 + 15 + 5 (time zone) - 15
    expect(out.rows[1]!.lead!.quality).toMatch(/^valid_email=20;valid_phone=20;mobile_phone=5;names=15;.*;timezone=5;.*possible_duplicate=-15;non_exclusive=0$/);
    expect(out.rows[2]!.lead!.quality).toBe('');
  });

  it("warns with LOW_QUALITY under the tenant's threshold, or rejects the row when its setting says error", async () => {
    const settings = (thresholdAction: 'warning' | 'error') => async (tenantId: string) => ({
      ...DEFAULT_QUALITY_SETTINGS, threshold: tenantId === 't' ? 40 : 0, thresholdAction,
    });
    const warned = await createEnrichmentStage({ now: () => at, settings: settings('warning') })(batch([weak, strong]));
    expect(warned.rows.map((r) => [r.disposition, r.reasons.map((x) => x.code)])).toEqual([
      [Disposition.DISPOSITION_ACCEPTED, ['LOW_QUALITY']],
      [Disposition.DISPOSITION_ACCEPTED, []],
    ]);
    expect(warned.rows[0]!.reasons[0]).toEqual({ code: 'LOW_QUALITY', field: 'quality_score', detail: "score 10, under the tenant's threshold of 40" });
    const rejected = await createEnrichmentStage({ now: () => at, settings: settings('error') })(batch([weak, strong]));
    expect(rejected.rows.map((r) => r.disposition)).toEqual([Disposition.DISPOSITION_INVALID, Disposition.DISPOSITION_ACCEPTED]);
    const other = batch([weak]);
    other.job!.tenantId = 'another';
    expect((await createEnrichmentStage({ now: () => at, settings: settings('error') })(other)).rows[0]!.reasons).toEqual([]);
  });

  it("takes the calling window from the tenant's settings", async () => {
    const stage = createEnrichmentStage({ now: () => at, settings: async () => ({ ...DEFAULT_QUALITY_SETTINGS, callingWindow: { start: '06:00', end: '20:00' } }) });
    const out = await stage(batch([{ phone: '+13105550123', phoneType: 'fixed_line_or_mobile' }]));
    expect(out.rows[0]!.lead!.callableNow).toBe('true');
  });
});
