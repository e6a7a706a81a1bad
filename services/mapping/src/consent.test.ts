import { describe, expect, it } from 'vitest';
import { isFanout } from '@leadflow/pipeline';
import type { RowBatch } from '@leadflow/proto';
import { consentDay } from './consent.js';
import { createMappingStage } from './index.js';

describe('consentDay', () => {
  it.each([
    ['2026-03-01', '2026-03-01'],
    ['2026-03-01T23:30:00-05:00', '2026-03-02'],
    ['2026-03-01 14:02:00Z', '2026-03-01'],
    ['3/1/2026', '2026-03-01'],
    ['1.3.2026', '2026-03-01'],
    ['2026-02-30', undefined],
    ['13/1/2026', undefined],
    ['yes', undefined],
  ])('reads %s as %s', (value, day) => expect(consentDay(value)).toBe(day));
});

describe("a file's consent columns", () => {
  it('map to consent_date and consent_certificate_url, the date read as YYYY-MM-DD and the words kept when it is none', async () => {
    const job = { jobId: 'j-consent', tenantId: 't', supplier: 's', webhookUrl: '', fileName: 'f.csv', sheet: '', review: false };
    const batch: RowBatch = {
      job, seq: 0, header: ['Email', 'Phone', 'Consent Date', 'TrustedForm Cert URL'], last: true, totalRows: 2, failure: undefined, decision: undefined,
      rows: [
        { rowNumber: 1, cells: ['a@x.org', '2015550123', '3/1/2026', 'https://cert.trustedform.com/abc'] },
        { rowNumber: 2, cells: ['b@x.org', '2015550124', 'last spring', ''] },
      ],
    };
    const out = await createMappingStage()(batch);
    if (isFanout(out)) throw new Error('expected one batch');
    expect(out.mapping.map((m) => m.field)).toEqual(['email', 'phone', 'consent_date', 'consent_certificate_url']);
    expect(out.rows.map((r) => [r.lead!.consentDate, r.lead!.consentCertificateUrl, r.lead!.original.consent_date])).toEqual([
      ['2026-03-01', 'https://cert.trustedform.com/abc', '3/1/2026'],
      ['', '', 'last spring'],
    ]);
  });
});
