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
      lead: Lead.fromPartial({ email }),
      disposition: i === 3 ? Disposition.DISPOSITION_DUPLICATE : Disposition.DISPOSITION_ACCEPTED,
      reasons: [], tags: [], qualityScore: 0, match: undefined, raw: [email], leadId: `lead-${i + 1}`,
    })),
  };
}

describe('enrichment in Kafka mode, retried after a transient failure', () => {
  it('tags each lead once, as a run without the failure does', async () => {
    const [clean, failed] = [uniqueName('job'), uniqueName('job')];
    // The stage done, its rows tagged, then the failure: as when its last step fails.
    const stage = failingOnce(createEnrichmentStage(), { what: 'the stage', after: true, when: (b) => b.job?.jobId === failed });
    const [expected, retried] = await throughStageService(stage, [batch(clean), batch(failed)]);
    expect(expected!.rows.map((r) => [r.lead!.emailType, r.tags])).toEqual([
      ['free', ['email:free']],
      ['business', ['email:business']],
      ['', []],
      ['', []],
    ]);
    expect(retried!.job!.jobId).toBe(failed);
    expect(retried!.rows).toEqual(expected!.rows);
  });
});
