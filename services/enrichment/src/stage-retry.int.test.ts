import { describe, expect, it } from 'vitest';
import { Disposition, Lead, type LeadBatch } from '@leadflow/proto';
import { failingOnce, throughStageService, uniqueName } from '@leadflow/testkit';
import { createEnrichmentStage } from './index.js';

/** A free mailbox, a business address, no email, and a duplicate (skipped, kept). */
function batch(jobId: string): LeadBatch {
  const emails = ['ann@gmail.com', 'bob@acme-retry.test', '', 'ann@gmail.com'];
  return {
    job: { jobId, tenantId: 't', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0, header: ['email'], mapping: [], last: true, totalRows: emails.length, failure: undefined,
    rows: emails.map((email, i) => ({
      rowNumber: i + 1,
      lead: Lead.fromPartial({ email, phone: '+12125550123', phoneType: 'fixed_line_or_mobile', company: 'Harbor Dental', jobTitle: 'CFO' }),
      disposition: i === 3 ? Disposition.DISPOSITION_DUPLICATE : Disposition.DISPOSITION_ACCEPTED,
      reasons: [], tags: [], qualityScore: 0, match: undefined, raw: [email], leadId: `lead-${i + 1}`,
    })),
  };
}

describe('enrichment in Kafka mode, retried after a transient failure', () => {
  it('tags and enriches each lead once, as a run without the failure does', async () => {
    const [clean, failed] = [uniqueName('job'), uniqueName('job')];
    // The stage done, its rows tagged, then the failure: as when its last step fails.
    const now = () => new Date('2026-07-01T13:30:00Z'); // 09:30 in New York
    const stage = failingOnce(createEnrichmentStage({ now }), { what: 'the stage', after: true, when: (b) => b.job?.jobId === failed });
    const rest = ['phone:unknown', 'tz:America/New_York', 'industry:62', 'seniority:c-level', 'department:finance'];
    const [expected, retried] = await throughStageService(stage, [batch(clean), batch(failed)]);
    expect(expected!.rows.map((r) => [r.lead!.emailType, r.tags])).toEqual([
      ['free', ['email:free', ...rest]],
      ['business', ['email:business', ...rest]],
      ['', rest],
      ['', []],
    ]);
    const l = expected!.rows[0]!.lead!;
    expect([l.phoneType, l.timezone, l.callableNow, l.industry, l.seniority, l.department]).toEqual(['unknown', 'America/New_York', 'true', '62', 'c_level', 'finance']);
    expect(expected!.rows[3]!.lead!.timezone).toBe('');
    expect(retried!.job!.jobId).toBe(failed);
    expect(retried!.rows).toEqual(expected!.rows);
  });
});
