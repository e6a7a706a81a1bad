import { describe, expect, it } from 'vitest';
import { builtInSynonyms, mapColumns, MAX_SYNONYMS, SynonymError, validateSynonyms, withSynonyms } from './index.js';

/** The entry and message validateSynonyms refuses `input` with. */
function refusal(input: unknown): { entry: string; message: string } {
  try {
    validateSynonyms(input);
  } catch (err) {
    if (err instanceof SynonymError) return { entry: err.entry, message: err.message };
    throw err;
  }
  throw new Error('accepted');
}

describe("a tenant's header synonyms, as sent", () => {
  it('keeps them trimmed, by field in canonical order, leaving out fields without any', () => {
    expect(validateSynonyms({ source: [' Herkunft '], email: ['Kontaktmail', 'Mail des Interessenten'], phone: [] })).toEqual({
      email: ['Kontaktmail', 'Mail des Interessenten'],
      source: ['Herkunft'],
    });
    expect(validateSynonyms({})).toEqual({});
  });

  it('keeps a synonym that is a built-in one of the same field: it changes nothing', () => {
    expect(validateSynonyms({ email: ['E-Mail'] })).toEqual({ email: ['E-Mail'] });
  });

  it.each([
    ['a field that is no lead field', { emial: ['Kontaktmail'] }, 'synonyms.emial', /^"emial" is not a lead field: use one of first_name, last_name, .*, source, consent_date, consent_certificate_url$/],
    ['a field whose synonyms are no list', { email: 'Kontaktmail' }, 'synonyms.email', /^synonyms\.email must be a list of headers/],
    ['a synonym that is not text', { email: ['Kontaktmail', 7] }, 'synonyms.email[1]', /^synonyms\.email\[1\] must be a header as text$/],
    ['an empty synonym', { source: ['Herkunft', '  '] }, 'synonyms.source[1]', /^synonyms\.source\[1\] is empty: a synonym is a header with at least one letter or digit$/],
    ['a synonym of punctuation only', { source: ['--'] }, 'synonyms.source[0]', /^synonyms\.source\[0\] is empty/],
    ['a synonym given twice, in other case and punctuation', { email: ['Kontakt-Mail', 'kontakt mail'] }, 'synonyms.email[1]',
      /^synonyms\.email\[1\] "kontakt mail" repeats synonyms\.email\[0\] "Kontakt-Mail": headers compare without case, accents, spaces and punctuation$/],
    ['a synonym claimed by two of its fields', { email: ['Kontakt'], phone: ['KONTAKT'] }, 'synonyms.phone[0]',
      /^synonyms\.phone\[0\] "KONTAKT" is claimed by two fields, email \(synonyms\.email\[0\]\) and phone: a header names one field$/],
    ['a synonym that is a built-in one of another field', { email: ['Telefon'] }, 'synonyms.email[0]',
      /^synonyms\.email\[0\] "Telefon" is claimed by two fields: it is a built-in synonym of phone \("telefon"\)/],
    ["a synonym that is another field's own name", { company: ['Job_Title'] }, 'synonyms.company[0]', /it is a built-in synonym of job_title \("job title"\)/],
    ['a synonym longer than a header', { source: ['x'.repeat(101)] }, 'synonyms.source[0]', /is longer than 100 characters/],
    ['no object', ['email'], 'synonyms', /^the synonyms must be an object of lead fields/],
  ])('refuses %s, naming the entry', (_what, input, entry, message) => {
    const refused = refusal(input);
    expect(refused.entry).toBe(entry);
    expect(refused.message).toMatch(message);
  });

  it(`refuses more than ${MAX_SYNONYMS} synonyms over every field`, () => {
    const many = Array.from({ length: 600 }, (_, i) => `Quelle ${i}`);
    expect(refusal({ source: many, industry: many.map((s) => `Sparte ${s}`) })).toEqual({
      entry: 'synonyms.source',
      message: `more than ${MAX_SYNONYMS} synonyms: keep at most ${MAX_SYNONYMS} over every field`,
    });
  });

  it('lists the built-in synonyms of every field, its own name first, each spelling once', () => {
    const builtIn = builtInSynonyms();
    // "e mail" is "email" once folded: listed once.
    expect(builtIn.email.slice(0, 3)).toEqual(['email', 'email address', 'mail']);
    expect(builtIn.postal_code[0]).toBe('postal code');
    expect(builtIn.phone).toContain('telefon');
  });
});

describe("mapping with a tenant's synonyms", () => {
  const headers = ['email', 'Herkunft', 'Sparte'];
  const values = [['ann@acme.com', 'bob@x.org'], ['Messe Köln', 'Webinar'], ['Maschinenbau', 'Logistik']];

  it('maps a header the built-in names leave extra to the field the tenant named, saying so', () => {
    expect(mapColumns(headers, values).map((d) => d.field)).toEqual(['email', 'extra', 'extra']);
    const decided = mapColumns(headers, values, { aliases: withSynonyms({ source: ['Herkunft'], industry: ['sparte'] }) });
    expect(decided.map((d) => [d.field, d.confidence]).slice(1)).toEqual([['source', 0.97], ['industry', 0.97]]);
    expect(decided[0]!.field).toBe('email');
    expect(decided[1]!.evidence).toEqual([{ kind: 'name', detail: 'header is "Herkunft" (a synonym of this tenant)' }]);
  });

  it('also knows the synonym inside a longer header, as it knows a built-in one', () => {
    const decided = mapColumns(['Herkunft des Leads'], [['Messe Köln']], { aliases: withSynonyms({ source: ['Herkunft'] }) });
    expect(decided[0]).toMatchObject({ field: 'source', evidence: [{ detail: 'header is "Herkunft" (a synonym of this tenant) with qualifiers' }] });
  });

  it("takes a header the tenant named for the lead's own, though its words name another person", () => {
    const owners = [['Olga Berg', 'Piet Smit'], ['olga@estate.com', 'piet@estate.com']];
    expect(mapColumns(['Name', 'Owner Email'], owners).map((d) => d.field)).toEqual(['full_name', 'extra']);
    expect(mapColumns(['Name', 'Owner Email'], owners, { aliases: withSynonyms({ email: ['Owner Email'] }) }).map((d) => d.field)).toEqual(['full_name', 'email']);
  });

  it('leaves a built-in spelling to its field: the built-in alias comes first', () => {
    const table = withSynonyms({ phone: ['Telefon'] });
    expect(table.byCompact.get('telefon')).toMatchObject({ field: 'phone', tenant: false });
    expect(withSynonyms({})).toBe(withSynonyms({}));
  });
});
