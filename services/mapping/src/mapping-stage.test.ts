import { describe, expect, it } from 'vitest';
import { Disposition } from '@leadflow/proto';
import { createMappingStage, mapHeaders } from './index.js';

const job = { jobId: 'j1', tenantId: 't', supplier: 's', webhookUrl: '', fileName: 'f.csv' };

describe('mapHeaders', () => {
  it('maps common spellings whatever their case, spaces and punctuation', () => {
    const headers = ['First Name', 'LAST_NAME', 'E-mail', 'Email Address', 'Phone Number', 'Mobile', 'Company Name',
      'Street', 'City', 'State', 'ZIP', 'Postal Code', 'Favourite colour'];
    expect(mapHeaders(headers).map((m) => [m.header, m.field])).toEqual([
      ['First Name', 'first_name'],
      ['LAST_NAME', 'last_name'],
      ['E-mail', 'email'],
      ['Email Address', 'extra'],
      ['Phone Number', 'phone'],
      ['Mobile', 'extra'],
      ['Company Name', 'company'],
      ['Street', 'street'],
      ['City', 'city'],
      ['State', 'state'],
      ['ZIP', 'postal_code'],
      ['Postal Code', 'extra'],
      ['Favourite colour', 'extra'],
    ]);
  });
});

describe('mapping stage', () => {
  const stage = createMappingStage();
  const header = ['First Name', 'Last Name', 'Email', 'Phone', 'Street', 'City', 'Zip', 'Notes'];
  const run = (cells: string[][]) =>
    stage({ job, seq: 0, header, rows: cells.map((c, i) => ({ rowNumber: i + 1, cells: c })), last: true, totalRows: cells.length, failure: undefined });

  it('normalizes email and phone, keeps unmapped columns as extra', async () => {
    const out = await run([[' ann ', 'Lee', ' Ann.Lee@Example.COM ', '(201) 555-0123', '', '', '', 'vip']]);
    const row = out.rows[0]!;
    expect(row.disposition).toBe(Disposition.DISPOSITION_ACCEPTED);
    expect(row.lead).toMatchObject({ firstName: 'ann', lastName: 'Lee', fullName: 'ann Lee', email: 'ann.lee@example.com', phone: '+12015550123', extra: { Notes: 'vip' } });
    expect(row.reasons).toEqual([]);
    expect(out.mapping.find((m) => m.header === 'Email')).toEqual({ header: 'Email', field: 'email', confidence: 1 });
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
});
