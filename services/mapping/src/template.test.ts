import { describe, expect, it } from 'vitest';
import { isFanout } from '@leadflow/pipeline';
import { Disposition } from '@leadflow/proto';
import { CANONICAL_FIELDS, createMappingStage, TEMPLATE_EXAMPLE, templateCsv } from './index.js';

describe('the CSV template', () => {
  const bytes = templateCsv();

  it('is UTF-8 with a byte order mark, for Excel, and two CRLF lines: the canonical headers and the example row', () => {
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    const [header, example, ...rest] = text.split('\r\n');
    expect(rest).toEqual(['']);
    expect(header!.split(',')).toEqual([...CANONICAL_FIELDS]);
    expect(example!.split(',')).toEqual(CANONICAL_FIELDS.map((f) => TEMPLATE_EXAMPLE[f]));
    expect(example).toContain('Renée');
  });

  it('has an example row a spreadsheet shows as it is: no cell it would run as a formula, none escaped (docs/csv-output.md)', () => {
    const example = bytes.subarray(3).toString('utf8').split('\r\n')[1]!.split(',');
    expect(example.filter((cell) => /^[=+\-@\t\r']/.test(cell))).toEqual([]);
  });

  it('maps back, uploaded as it is: each header to its own field with confidence 1, its row accepted with each value', async () => {
    const [header, example] = bytes.subarray(3).toString('utf8').split('\r\n').map((line) => line.split(','));
    const job = { jobId: 'template', tenantId: 't', supplier: '', webhookUrl: '', fileName: 'leadflow-template.csv', sheet: '', review: false };
    const out = await createMappingStage()({
      job, seq: 0, header: header!, rows: [{ rowNumber: 1, cells: example! }], last: true, totalRows: 1, failure: undefined, decision: undefined,
    });
    if (isFanout(out)) throw new Error('expected one batch');
    expect(out.mapping.map((m) => [m.header, m.field, m.confidence])).toEqual(CANONICAL_FIELDS.map((f) => [f, f, 1]));
    const [row] = out.rows;
    expect([row!.disposition, row!.reasons]).toEqual([Disposition.DISPOSITION_ACCEPTED, []]);
    expect(row!.lead).toMatchObject({
      firstName: 'Renée', lastName: 'Dubois', fullName: 'Renée Dubois', email: 'renee.dubois@example.com', phone: '+12015550123',
      company: 'Example Corp', domain: 'example.com', jobTitle: 'Head of Sales', street: '123 Main Street', addressLine2: 'Suite 400',
      city: 'Springfield', state: 'IL', postalCode: '62701', country: 'US', industry: 'Software', source: 'Trade show', extra: {},
    });
  });
});
