import { describe, expect, it } from 'vitest';
import { isFanout } from '@leadflow/pipeline';
import { Disposition, type LeadBatch, type RowBatch } from '@leadflow/proto';
import { createMappingStage, createMemoryMappingStore, mapColumns, type MappedField } from './index.js';

/** The mapping stage of a job without review: one batch in, one out. */
function single(stage = createMappingStage()) {
  return async (batch: RowBatch): Promise<LeadBatch> => {
    const out = await stage(batch);
    if (isFanout(out)) throw new Error('expected one batch out, got a fanout');
    return out;
  };
}

const job = { jobId: 'j1', tenantId: 't', supplier: 's', webhookUrl: '', fileName: 'f.csv', sheet: '', review: false };

const rowsBatch = (header: string[], rows: string[][]): RowBatch => ({
  job, seq: 0, header, rows: rows.map((cells, i) => ({ rowNumber: i + 1, cells })), last: true, totalRows: rows.length, failure: undefined, decision: undefined,
});

describe('mapColumns', () => {
  it('maps common spellings whatever their case, spaces and punctuation; a second column of a field stays extra, but of email or phone counts', () => {
    const headers = ['First Name', 'LAST_NAME', 'E-mail', 'Email Address', 'Phone Number', 'Company Name', 'Street', 'City', 'Town', 'State', 'ZIP', 'Favourite colour'];
    const decisions = mapColumns(headers, headers.map(() => []));
    expect(decisions.map((m) => [m.header, m.field])).toEqual([
      ['First Name', 'first_name'],
      ['LAST_NAME', 'last_name'],
      ['E-mail', 'email'],
      ['Email Address', 'email'],
      ['Phone Number', 'phone'],
      ['Company Name', 'company'],
      ['Street', 'street'],
      ['City', 'city'],
      ['Town', 'extra'],
      ['State', 'state'],
      ['ZIP', 'postal_code'],
      ['Favourite colour', 'extra'],
    ]);
  });

  it('lets the values decide under headers that say nothing, below 0.9 confidence', () => {
    const decisions = mapColumns(['Column 1', 'Column 2', 'Column 3'], [
      ['ann@acme.com', 'bob@x.org', 'c.d@mail.co.uk'],
      ['(201) 555-0123', '+1 212 555 0199', '415.555.0100'],
      ['call later', 'VIP', ''],
    ]);
    expect(decisions.map((d) => d.field)).toEqual(['email', 'phone', 'extra']);
    expect(decisions[0]!.confidence).toBeLessThan(0.9);
    expect(decisions[0]!.evidence[0]!.detail).toBe('100% of values look like emails');
  });

  it('knows a column of names written surname first by its values', () => {
    const decisions = mapColumns(['Column 1', 'Column 2'], [
      ["O'Brien, Mary", 'Smith, John', 'Garcia, Maria', 'Nguyen, Linh'],
      ['a@x.com', 'b@x.com', 'c@x.com', 'd@x.com'],
    ]);
    expect(decisions[0]).toMatchObject({ field: 'full_name', evidence: [{ detail: '100% of values look like full names' }] });
  });

  it('trusts values over a header they contradict, and keeps salutations out of job titles', () => {
    const decisions = mapColumns(['Phone', 'Title', 'Email'], [
      ['ann@acme.com', 'bob@x.org'],
      ['Mr', 'Dr'],
      ['(201) 555-0123', '212-555-0199'],
    ]);
    expect(decisions.map((d) => d.field)).toEqual(['email', 'extra', 'phone']);
  });

  it('applies a mapping confirmed under the header fold of earlier versions ("Straße" was "stra e"), but no CJK header by the empty key', () => {
    const stored = new Map<string, MappedField>([['stra e', 'street'], ['', 'source']]);
    const decisions = mapColumns(['Straße', 'メモ'], [['Hauptweg 1'], ['x']], { confirmed: stored });
    expect(decisions.find((d) => d.header === 'Straße')).toMatchObject({ field: 'street', evidence: [{ kind: 'supplier' }] });
    expect(decisions.find((d) => d.header === 'メモ')?.evidence[0]?.kind).not.toBe('supplier');
  });

  it('names the value kinds in evidence in their plural: companies, postal codes, emails', () => {
    const decisions = mapColumns(['Company', 'Zip', 'Column 3'], [
      ['Acme Inc', 'Globex LLC', 'Initech Corp'],
      ['02134', '10001', '94105'],
      ['ann@acme.com', 'bob@x.org', 'c.d@mail.co.uk'],
    ]);
    expect(decisions.map((d) => d.evidence.map((e) => e.detail).at(-1))).toEqual([
      '100% of values look like companies',
      '100% of values look like postal codes',
      '100% of values look like emails',
    ]);
  });

  it.each([
    ['English', ['Phone', 'Mobile', 'Email', 'Email 2']],
    ['German', ['Telefon', 'Handy', 'E-Mail', 'E-Mail privat']],
    ['French', ['Téléphone', 'Portable', 'Courriel', 'Adresse email']],
    ['Spanish', ['Teléfono', 'Móvil', 'Correo', 'Correo electrónico']],
    ['Italian', ['Telefono', 'Cellulare', 'Email', 'Posta elettronica']],
    ['Portuguese', ['Telefone', 'Celular', 'E-mail', 'Endereço de email']],
    ['Dutch', ['Telefoon', 'GSM', 'E-mail', 'E-postadres']],
  ])('maps every phone and every email column of a file (%s)', (_, headers) => {
    const values = [
      ['(201) 555-0123', '212-555-0199', '+1 415 555 0100'],
      ['(201) 555-0124', '212-555-0198', '+1 415 555 0101'],
      ['ann@acme.com', 'bob@x.org', 'cy@mail.co.uk'],
      ['ann.lee@gmail.com', 'bob@y.org', 'cy@home.net'],
    ];
    const decisions = mapColumns(headers, values);
    expect(decisions.map((d) => d.field)).toEqual(['phone', 'phone', 'email', 'email']);
    expect(decisions[1]!.evidence.map((e) => e.detail)).toContain('another phone column: the first valid phone of a row is the lead\'s, the others its alternates');
  });

  it("keeps a further email or phone column that is someone else's or shared out of the lead's contacts", () => {
    const own = ['(201) 555-0123', '212-555-0199', '+1 415 555 0100', '(201) 555-0124', '212-555-0198', '+1 415 555 0101', '(201) 555-0125', '212-555-0197', '+1 415 555 0102', '(201) 555-0126'];
    const decisions = mapColumns(['Email', 'Phone', 'Lead Owner Email', 'Spouse Email', 'Company Phone', '電話番号(会社)', 'Fax Phone', 'Phone 2'], [
      own.map((_, i) => `p${i}@example.com`),
      own,
      own.map((_, i) => (i % 2 ? 'rep.one@seller.com' : 'rep.two@seller.com')),
      own.map((_, i) => `partner${i}@example.com`),
      own.map((p) => p.replace(/\d$/, '9')),
      own.map((p) => p.replace(/\d$/, '7')),
      own.map((p) => p.replace(/\d$/, '8')),
      own.map((_, i) => (i % 3 ? '(800) 555-0100' : '(800) 555-0101')),
    ]);
    expect(decisions.map((d) => [d.header, d.field, d.evidence.at(-1)!.detail])).toEqual([
      ['Email', 'email', '100% of values look like emails'],
      ['Phone', 'phone', '100% of values look like phones'],
      ['Lead Owner Email', 'extra', 'the header names another person than the lead (an owner, a rep, who created or changed the record)'],
      ['Spouse Email', 'extra', 'another email column, but not the lead\'s own: the header says "spouse"'],
      ['Company Phone', 'extra', 'another phone column, but not the lead\'s own: the header says "company"'],
      ['電話番号(会社)', 'extra', 'another phone column, but not the lead\'s own: the header says "会社"'],
      ['Fax Phone', 'extra', 'another phone column, but not the lead\'s own: the header says "fax"'],
      ['Phone 2', 'extra', 'another phone column, but not the lead\'s own: the same values repeat on many rows'],
    ]);
  });

  it("applies a supplier's confirmed mapping first", () => {
    const decisions = mapColumns(['Ref'], [['x']], { confirmed: new Map([['ref', 'source']]) });
    expect(decisions[0]).toEqual({ header: 'Ref', field: 'source', confidence: 0.99, evidence: [{ kind: 'supplier', detail: 'confirmed for this supplier before' }] });
  });
});

describe('mapping stage', () => {
  const stage = single();
  const header = ['First Name', 'Last Name', 'Email', 'Phone', 'Street', 'City', 'Zip', 'Notes'];
  const run = (cells: string[][], jobId = `job-${Math.random()}`) =>
    stage({ job: { ...job, jobId }, seq: 0, header, rows: cells.map((c, i) => ({ rowNumber: i + 1, cells: c })), last: true, totalRows: cells.length, failure: undefined, decision: undefined });

  it('normalizes email and phone, keeps unmapped columns as extra', async () => {
    const out = await run([[' ann ', 'Lee', ' Ann.Lee@Example.COM ', '(201) 555-0123', '', '', '', 'vip']], 'job-a');
    const row = out.rows[0]!;
    expect(row.disposition).toBe(Disposition.DISPOSITION_ACCEPTED);
    expect(row.lead).toMatchObject({ firstName: 'Ann', lastName: 'Lee', fullName: 'Ann Lee', email: 'ann.lee@example.com', phone: '+12015550123', extra: { Notes: 'vip' } });
    expect(row.reasons).toEqual([]);
    expect(out.mapping.find((m) => m.header === 'Email')).toMatchObject({ header: 'Email', field: 'email', evidence: ['header is "email"', '100% of values look like emails'] });
  });

  it("reads phones without a country code in the job's own region (its supplier's), before the service's default; a row's country wins", async () => {
    const header = ['Name', 'Phone', 'Country'];
    const rows = [['Ann', '020 7946 0018', ''], ['Bob', '(201) 555-0123', 'US']];
    const mapped = (jobRef: RowBatch['job']) => stage({ ...rowsBatch(header, rows), job: jobRef });
    const british = await mapped({ ...job, jobId: 'job-gb', phoneRegion: 'GB' });
    expect(british.rows.map((r) => [r.disposition, r.lead!.phone])).toEqual([
      [Disposition.DISPOSITION_ACCEPTED, '+442079460018'],
      [Disposition.DISPOSITION_ACCEPTED, '+12015550123'],
    ]);
    // Without a region of its own (or with one no phone plan has), the service's default: US, where 020… is no number.
    for (const phoneRegion of [undefined, 'ZZ']) {
      const plain = await mapped({ ...job, jobId: `job-${phoneRegion}`, phoneRegion });
      expect(plain.rows.map((r) => [r.disposition, r.lead!.phone])).toEqual([
        [Disposition.DISPOSITION_INVALID, ''],
        [Disposition.DISPOSITION_ACCEPTED, '+12015550123'],
      ]);
    }
    const british2 = await single(createMappingStage({ defaultRegion: 'GB' }))({ ...rowsBatch(header, rows), job: { ...job, jobId: 'job-default-gb' } });
    expect(british2.rows[0]!.lead!.phone).toBe('+442079460018');
  });

  it('marks a row with no valid email, phone or address INVALID with NO_CONTACT and says which values were bad', async () => {
    const out = await run([['Bob', 'Ray', 'not-an-email', '12', '', 'Boston', '', '']]);
    const row = out.rows[0]!;
    expect(row.disposition).toBe(Disposition.DISPOSITION_INVALID);
    expect(row.reasons.map((r) => r.code)).toEqual(['INVALID_EMAIL', 'INVALID_PHONE', 'NO_CONTACT']);
    expect(row.raw).toEqual(['Bob', 'Ray', 'not-an-email', '12', '', 'Boston', '', '']);
  });

  it('accepts a postal address as the contact: a street with a city or a postal code', async () => {
    const out = await run([
      ['Cy', 'Do', '', '', '12 Main St', '', '02134', ''],
      ['Di', 'Eo', '', '', '12 Main St', '', '', ''],
    ]);
    expect(out.rows.map((r) => r.disposition)).toEqual([Disposition.DISPOSITION_ACCEPTED, Disposition.DISPOSITION_INVALID]);
  });

  it('joins a house-number column to its street, and writes state and country as codes', async () => {
    const s = single();
    const out = await s({
      job: { ...job, jobId: 'job-nl' }, seq: 0, header: ['Straat', 'Huisnummer', 'Woonplaats', 'Provincie', 'Land', 'Email'], last: true, totalRows: 2, failure: undefined, decision: undefined,
      rows: [
        { rowNumber: 1, cells: ['Kerkstraat', '12', 'Utrecht', 'Utrecht', 'Nederland', 'a@x.nl'] },
        { rowNumber: 2, cells: ['Main Street', '5', 'Austin', 'texas', 'United States', 'b@x.com'] },
      ],
    });
    expect(out.rows.map((r) => [r.lead!.street, r.lead!.state, r.lead!.country])).toEqual([
      ['Kerkstraat 12', 'Utrecht', 'NL'],
      ['Main Street 5', 'TX', 'US'],
    ]);
  });

  it('maps every batch of a job the way it mapped the first', async () => {
    const s = single();
    const headerOnly = ['Column 1'];
    const first = await s({ job: { ...job, jobId: 'job-same' }, seq: 0, header: headerOnly, rows: [{ rowNumber: 1, cells: ['a@x.com'] }, { rowNumber: 2, cells: ['b@x.com'] }], last: false, totalRows: 0, failure: undefined, decision: undefined });
    const second = await s({ job: { ...job, jobId: 'job-same' }, seq: 1, header: headerOnly, rows: [{ rowNumber: 3, cells: ['not an email'] }], last: true, totalRows: 3, failure: undefined, decision: undefined });
    expect(first.mapping[0]!.field).toBe('email');
    expect(second.mapping).toEqual(first.mapping);
    expect(second.rows[0]!.reasons.map((r) => r.code)).toContain('INVALID_EMAIL');
  });

  it('cleans names, derives the email key and company domain, and reads phones, ZIPs and countries as a person would', async () => {
    const s = single();
    const out = await s({
      job: { ...job, jobId: 'job-clean' }, seq: 0, header: ['Name', 'Email', 'Phone', 'State', 'Zip'], last: true, totalRows: 2, failure: undefined, decision: undefined,
      rows: [
        { rowNumber: 1, cells: ['DR. MARY-ANN MCDONALD JR', 'Mary.Ann+leads@GoogleMail.com', '(201) 555-0123 ext. 44', 'new jersey', '7030'] },
        { rowNumber: 2, cells: ['ludwig van beethoven', 'lvb@Sinfonie.de', '+49 30 1234567', '', '10115'] },
      ],
    });
    expect(out.rows[0]!.lead).toMatchObject({
      fullName: 'Mary-Ann McDonald', firstName: 'Mary-Ann', lastName: 'McDonald', extra: { salutation: 'DR', name_suffix: 'JR' },
      email: 'mary.ann+leads@googlemail.com', emailKey: 'maryann@gmail.com', domain: '',
      phone: '+12015550123', phoneExtension: '44', phoneType: 'fixed_line_or_mobile', state: 'NJ', country: 'US', postalCode: '07030',
    });
    expect(out.rows[0]!.lead!.original).toEqual({
      full_name: 'DR. MARY-ANN MCDONALD JR', email: 'Mary.Ann+leads@GoogleMail.com', phone: '(201) 555-0123 ext. 44', state: 'new jersey', postal_code: '7030',
    });
    expect(out.rows[1]!.lead).toMatchObject({
      firstName: 'Ludwig', lastName: 'van Beethoven', emailKey: 'lvb@sinfonie.de', domain: 'sinfonie.de', phone: '+49301234567', postalCode: '10115',
    });
  });

  it('reads a full name with a comma as surname first, and keeps a company in the name column out of the person', async () => {
    const s = single();
    const names = ["O'Brien, Micheel", 'de la Cruz, Juan', 'Smith Jr., John', 'Acme, Inc.', 'Acme, Inc.'];
    const out = await s({
      job: { ...job, jobId: 'job-last-first' }, seq: 0, header: ['Name', 'Email', 'Company'], last: true, totalRows: names.length, failure: undefined, decision: undefined,
      rows: names.map((name, i) => ({ rowNumber: i + 1, cells: [name, `p${i}@example.com`, i === 4 ? 'Acme Corporation' : ''] })),
    });
    expect(out.rows.map((r) => [r.lead!.firstName, r.lead!.lastName, r.lead!.fullName, r.lead!.company])).toEqual([
      ['Micheel', "O'Brien", "Micheel O'Brien", ''],
      ['Juan', 'de la Cruz', 'Juan de la Cruz', ''],
      ['John', 'Smith', 'John Smith', ''],
      ['', '', '', 'Acme, Inc.'],
      ['', '', '', 'Acme Corporation'],
    ]);
    expect(out.rows[2]!.lead!.extra).toEqual({ name_suffix: 'Jr' });
    expect(out.rows.map((r) => r.lead!.original.full_name)).toEqual(["O'Brien, Micheel", 'de la Cruz, Juan', 'Smith Jr., John', 'Acme, Inc.', 'Acme, Inc.']);
    expect(out.rows.map((r) => r.disposition)).toEqual(names.map(() => Disposition.DISPOSITION_ACCEPTED));
  });

  it('takes the first valid phone and email of a row as the lead\'s and keeps the others as alternates', async () => {
    const s = single();
    const out = await s({
      job: { ...job, jobId: 'job-alternates' }, seq: 0, header: ['Name', 'Phone', 'Mobile', 'Email', 'Email 2'], last: true, totalRows: 5, failure: undefined, decision: undefined,
      rows: [
        { rowNumber: 1, cells: ['Ann Lee', '', '(201) 555-0123', '', ''] },
        { rowNumber: 2, cells: ['Bob Ray', '(212) 555-0199', '(201) 555-0124', 'bob@x.org', 'Bob.Ray@Gmail.com'] },
        { rowNumber: 3, cells: ['Cy Do', '12', '(201) 555-0125', 'not-an-email', 'cy@x.org'] },
        { rowNumber: 4, cells: ['Di Eo', '212.555.0198', '+1 212 555 0198', 'di@x.org; di.eo@y.org', 'DI@X.ORG'] },
        { rowNumber: 5, cells: ['Ed Fo', '12', '34', '', ''] },
      ],
    });
    const contacts = out.rows.map((r) => ({
      phone: r.lead!.phone, alternatePhones: r.lead!.alternatePhones, email: r.lead!.email, alternateEmails: r.lead!.alternateEmails,
    }));
    expect(contacts).toEqual([
      { phone: '+12015550123', alternatePhones: [], email: '', alternateEmails: [] },
      {
        phone: '+12125550199', alternatePhones: [{ value: '+12015550124', header: 'Mobile' }],
        email: 'bob@x.org', alternateEmails: [{ value: 'bob.ray@gmail.com', header: 'Email 2' }],
      },
      { phone: '+12015550125', alternatePhones: [], email: 'cy@x.org', alternateEmails: [] },
      { phone: '+12125550198', alternatePhones: [], email: 'di@x.org', alternateEmails: [{ value: 'di.eo@y.org', header: 'Email' }] },
      { phone: '', alternatePhones: [], email: '', alternateEmails: [] },
    ]);
    expect(out.rows.map((r) => r.disposition)).toEqual([
      Disposition.DISPOSITION_ACCEPTED, Disposition.DISPOSITION_ACCEPTED, Disposition.DISPOSITION_ACCEPTED, Disposition.DISPOSITION_ACCEPTED,
      Disposition.DISPOSITION_INVALID,
    ]);
    // An invalid value is a warning naming its column; the supplier's value is kept beside the one used.
    expect(out.rows[2]!.reasons).toEqual([
      { code: 'INVALID_EMAIL', field: 'email', detail: 'column "Email"' },
      { code: 'INVALID_PHONE', field: 'phone', detail: 'column "Phone"' },
    ]);
    expect(out.rows[2]!.lead!.original).toMatchObject({ phone: '(201) 555-0125' });
    expect(out.rows[4]!.reasons.map((r) => [r.code, r.detail])).toEqual([
      ['INVALID_PHONE', 'column "Phone"'], ['INVALID_PHONE', 'column "Mobile"'], ['NO_CONTACT', ''],
    ]);
    expect(out.rows[4]!.lead!.original).toMatchObject({ phone: '12' });
  });

  it('writes an extra column of yes/no answers as true/false', async () => {
    const s = single();
    const out = await s({
      job: { ...job, jobId: 'job-yesno' }, seq: 0, header: ['Email', 'Opted In'], last: true, totalRows: 3, failure: undefined, decision: undefined,
      rows: [
        { rowNumber: 1, cells: ['a@x.com', 'Yes'] },
        { rowNumber: 2, cells: ['b@x.com', 'N'] },
        { rowNumber: 3, cells: ['c@x.com', 'y'] },
      ],
    });
    expect(out.rows.map((r) => r.lead!.extra['Opted In'])).toEqual(['true', 'false', 'true']);
    expect(out.mapping[1]!.evidence).toContain('yes/no answers, written as true/false');
  });

  it('splits a one-line address into street, city, state and postal code when the pattern is clear', async () => {
    const s = single();
    const out = await s({
      job: { ...job, jobId: 'job-address' }, seq: 0, header: ['Name', 'Address'], last: true, totalRows: 2, failure: undefined, decision: undefined,
      rows: [
        { rowNumber: 1, cells: ['Ann Lee', '123 Main St, Springfield, IL 62704'] },
        { rowNumber: 2, cells: ['Bob Ray', 'Unit 5, Building C'] },
      ],
    });
    expect(out.rows.map((r) => [r.lead!.street, r.lead!.city, r.lead!.state, r.lead!.postalCode, r.lead!.country])).toEqual([
      ['123 Main St', 'Springfield', 'IL', '62704', 'US'],
      ['Unit 5, Building C', '', '', '', ''],
    ]);
    expect(out.rows.map((r) => r.disposition)).toEqual([Disposition.DISPOSITION_ACCEPTED, Disposition.DISPOSITION_INVALID]);
  });
});

describe('mapping stage in review mode', () => {
  const header = ['Mail', 'Ref', 'Tel'];
  const reviewJob = { ...job, jobId: 'job-review', supplier: 'acme', review: true };
  const batch = (seq: number, rows: string[][], last = false): RowBatch => ({
    job: reviewJob, seq, header, rows: rows.map((cells, i) => ({ rowNumber: seq * 10 + i + 1, cells })), last, totalRows: last ? seq * 10 + rows.length : 0, failure: undefined, decision: undefined,
  });
  const decision = (fields: Record<string, string>): RowBatch => ({
    job: reviewJob, seq: 0, header: [], rows: [], last: false, totalRows: 0, failure: undefined,
    decision: { columns: Object.entries(fields).map(([h, field]) => ({ header: h, field, confidence: 1, evidence: [] })), fileIndex: 0 },
  });

  it('holds the rows of a job in review, shows a preview, and releases them in order, mapped as a person decided', async () => {
    const store = createMemoryMappingStore();
    const stage = createMappingStage({ store });
    const first = await stage(batch(0, [['Ann@X.com', 'A-1', '(201) 555-0123'], ['bob@y.org', 'B-2', '']]));
    const second = await stage(batch(1, [['cy@z.net', 'C-3', '212 555 0199']], true));
    expect(isFanout(first) && first.outputs).toEqual([]);
    expect(isFanout(second) && second.outputs).toEqual([]);
    const proposed = (await store.jobMapping('job-review'))!;
    expect(proposed.status).toBe('awaiting_review');
    expect(proposed.columns.map((c) => c.field)).toEqual(['email', 'extra', 'phone']);
    expect(proposed.preview[0]).toEqual({
      rowNumber: 1,
      cells: { Mail: 'Ann@X.com', Ref: 'A-1', Tel: '(201) 555-0123' },
      fields: { email: 'ann@x.com', domain: 'x.com', phone: '+12015550123', phone_type: 'fixed_line_or_mobile', 'extra.Ref': 'A-1' },
    });
    expect((await store.parked('job-review')).map((p) => p.seq)).toEqual([0, 1]);

    const released = await stage(decision({ Ref: 'source' }));
    if (!isFanout(released)) throw new Error('expected the held batches');
    expect(released.outputs.map((b) => b.seq)).toEqual([0, 1]);
    expect(released.outputs.flatMap((b) => b.rows.map((r) => [r.rowNumber, r.lead!.email, r.lead!.source]))).toEqual([
      [1, 'ann@x.com', 'A-1'],
      [2, 'bob@y.org', 'B-2'],
      [11, 'cy@z.net', 'C-3'],
    ]);
    expect(released.outputs[1]!.last).toBe(true);
    expect(released.outputs[0]!.mapping[1]).toEqual({ header: 'Ref', field: 'source', confidence: 1, evidence: ['set by a person (proposed: extra)'] });
    await released.settle!();
    expect(await store.parked('job-review')).toEqual([]);
    expect((await store.jobMapping('job-review'))!.status).toBe('confirmed');

    // A decision delivered twice releases nothing more; later rows of the job go straight on.
    const again = await stage(decision({ Ref: 'extra' }));
    expect(isFanout(again) && again.outputs).toEqual([]);
    const later = await stage(batch(2, [['di@w.com', 'D-4', '']]));
    expect(isFanout(later)).toBe(false);
    expect((later as LeadBatch).rows[0]!.lead!.source).toBe('D-4');

    // The supplier's next file is mapped by what the person decided.
    const next = await single(stage)({ ...batch(0, [['ed@v.com', 'E-5', '']]), job: { ...job, jobId: 'job-next', supplier: 'acme' } });
    expect(next.mapping[1]).toMatchObject({ header: 'Ref', field: 'source', evidence: ['confirmed for this supplier before'] });
  });

  it('does not hold a job in review whose file had no rows: its failure goes on at once', async () => {
    const stage = createMappingStage();
    const out = await stage({ ...batch(0, [], true), failure: { code: 'FILE_EMPTY', message: 'the file is empty' } });
    expect(isFanout(out)).toBe(false);
    expect((out as LeadBatch).failure?.code).toBe('FILE_EMPTY');
  });
});

describe('mapping stage in review mode, a job of several files (docs/several-files.md, "Review")', () => {
  const SPAN = 2 ** 26;
  const reviewJob = (jobId: string) => ({ ...job, jobId, supplier: `acme-${jobId}`, review: true });
  /** A batch of file `fileIndex`: its rows numbered within the file, as ingest numbers them in the job. */
  const batch = (jobId: string, fileIndex: number, seq: number, header: string[], rows: string[][], last = false): RowBatch => ({
    job: { ...reviewJob(jobId), ...(fileIndex ? { fileIndex, file: `f${fileIndex}.csv` } : {}) },
    seq, header, rows: rows.map((cells, i) => ({ rowNumber: fileIndex * SPAN + i + 1, cells })), last, totalRows: last ? 99 : 0, failure: undefined, decision: undefined,
  });
  const decision = (jobId: string, fileIndex: number, fields: Record<string, string> = {}): RowBatch => ({
    job: reviewJob(jobId), seq: 0, header: [], rows: [], last: false, totalRows: 0, failure: undefined,
    decision: { columns: Object.entries(fields).map(([h, field]) => ({ header: h, field, confidence: 1, evidence: [] })), fileIndex },
  });
  const outputs = (out: Awaited<ReturnType<ReturnType<typeof createMappingStage>>>) => {
    if (!isFanout(out)) throw new Error('expected a fanout');
    return out.outputs;
  };

  it('holds every file for its own decision, one file decided leaving the job held, then releases all in order, each as decided', async () => {
    const store = createMemoryMappingStore();
    const stage = createMappingStage({ store });
    expect(outputs(await stage(batch('two', 0, 0, ['E-mail', 'Code'], [['ann@x.com', 'A-1'], ['bob@y.org', 'B-2']])))).toEqual([]);
    expect(outputs(await stage(batch('two', 1, 1, ['email_address', 'Ref'], [['cy@z.net', 'C-3'], ['ANN@X.COM', 'A-9']], true)))).toEqual([]);

    const files = await store.fileMappings('two');
    expect(files.map((f) => [f.fileIndex, f.status, f.columns.map((c) => c.field)])).toEqual([
      [0, 'awaiting_review', ['email', 'extra']],
      [1, 'awaiting_review', ['email', 'extra']],
    ]);
    // The preview of a further file is numbered within it.
    expect(files[1]!.preview.map((p) => [p.rowNumber, p.cells.email_address])).toEqual([[1, 'cy@z.net'], [2, 'ANN@X.COM']]);

    // The second file decided first: the job stays held, its first file still waiting.
    expect(outputs(await stage(decision('two', 1, { Ref: 'source' })))).toEqual([]);
    expect((await store.fileMappings('two')).map((f) => f.status)).toEqual(['awaiting_review', 'confirmed']);
    expect((await store.jobMapping('two'))!.status).toBe('awaiting_review');

    const released = await stage(decision('two', 0));
    const out = outputs(released);
    expect(out.map((b) => b.seq)).toEqual([0, 1]);
    expect(out.flatMap((b) => b.rows.map((r) => [r.rowNumber, r.lead!.email, r.lead!.source, r.lead!.extra.Code ?? '']))).toEqual([
      [1, 'ann@x.com', '', 'A-1'],
      [2, 'bob@y.org', '', 'B-2'],
      [SPAN + 1, 'cy@z.net', 'C-3', ''],
      [SPAN + 2, 'ann@x.com', 'A-9', ''],
    ]);
    expect(out[1]!.last).toBe(true);
    if (isFanout(released)) await released.settle?.();
    expect(await store.parked('two')).toEqual([]);
    expect((await store.jobMapping('two'))!.status).toBe('confirmed');
    // A decision delivered twice releases nothing more.
    expect(outputs(await stage(decision('two', 1, { Ref: 'extra' })))).toEqual([]);

    // The supplier learned both files' headers: its next file is mapped so, with no review.
    const next = await single(stage)({ ...batch('next', 0, 0, ['E-mail', 'email_address', 'Ref', 'Code'], [['ed@v.com', '', 'E-5', '']], true), job: { ...job, jobId: 'next', supplier: 'acme-two' } });
    expect(next.mapping.map((m) => [m.header, m.field, m.evidence[0]])).toEqual([
      ['E-mail', 'email', 'confirmed for this supplier before'],
      ['email_address', 'email', 'confirmed for this supplier before'],
      ['Ref', 'source', 'confirmed for this supplier before'],
      ['Code', 'extra', 'confirmed for this supplier before'],
    ]);
  });

  it('keeps a job held when every file mapped so far is decided but a further file is still to come', async () => {
    const store = createMemoryMappingStore();
    const stage = createMappingStage({ store });
    await stage(batch('early', 0, 0, ['Mail'], [['ann@x.com']]));
    expect(outputs(await stage(decision('early', 0)))).toEqual([]);
    // The second file comes after the first was decided: it waits for its own decision.
    expect(outputs(await stage(batch('early', 1, 1, ['Contact'], [['cy@z.net']], true)))).toEqual([]);
    expect((await store.fileMappings('early')).map((f) => f.status)).toEqual(['confirmed', 'awaiting_review']);
    const out = outputs(await stage(decision('early', 1)));
    expect(out.flatMap((b) => b.rows.map((r) => r.lead!.email))).toEqual(['ann@x.com', 'cy@z.net']);
  });

  it('releases on the last batch when every file was decided before it came', async () => {
    const stage = createMappingStage();
    await stage(batch('late', 0, 0, ['Mail'], [['ann@x.com']]));
    expect(outputs(await stage(decision('late', 0)))).toEqual([]);
    const out = outputs(await stage(batch('late', 0, 1, ['Mail'], [['bo@x.com']], true)));
    expect(out.map((b) => [b.seq, b.rows.length, b.last])).toEqual([[0, 1, false], [1, 1, true]]);
  });

  it('holds a job whose first file had no rows once a further file has rows to review', async () => {
    const store = createMemoryMappingStore();
    const stage = createMappingStage({ store });
    const empty = await stage(batch('empty-first', 0, 0, ['Mail'], []));
    expect(isFanout(empty)).toBe(false);
    expect(outputs(await stage(batch('empty-first', 1, 1, ['Contact'], [['cy@z.net']], true)))).toEqual([]);
    expect((await store.jobMapping('empty-first'))!.status).toBe('awaiting_review');
    expect((await store.fileMappings('empty-first')).map((f) => f.status)).toEqual(['automatic', 'awaiting_review']);
    const out = outputs(await stage(decision('empty-first', 1, { Contact: 'email' })));
    expect(out.flatMap((b) => b.rows.map((r) => [r.rowNumber, r.lead!.email]))).toEqual([[SPAN + 1, 'cy@z.net']]);
  });
});
