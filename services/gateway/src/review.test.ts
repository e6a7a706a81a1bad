import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockingKeys, createMemoryCandidateIndex, toMatchRecord, type CandidateIndex } from '@leadflow/dedup';
import { createLogger } from '@leadflow/logger';
import { createSqlLeadStore, migrations as persistenceMigrations } from '@leadflow/persistence';
import { emptyLead, leadIdFor, reason } from '@leadflow/pipeline';
import { Disposition, type Lead, type LeadBatch } from '@leadflow/proto';
import { createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { possibleDuplicateReview } from './review.js';

const kim: Partial<Lead> = { firstName: 'Kim', lastName: 'Park', street: '4 Ash Lane', city: 'Reno', postalCode: '89501', email: 'kim@acme.com' };
const kimberly: Partial<Lead> = { ...kim, firstName: 'Kimberly', email: '', phone: '+17755550123' };

function batch(jobId: string, lead: Partial<Lead>, mayCopy?: string): LeadBatch {
  return {
    job: { jobId, tenantId: 't', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0, header: [], mapping: [], last: false, totalRows: 0, failure: undefined,
    rows: [{
      rowNumber: 1, lead: { ...emptyLead(), ...lead, emailKey: lead.email ?? '' }, disposition: Disposition.DISPOSITION_ACCEPTED, qualityScore: 0, raw: [],
      leadId: leadIdFor(jobId, 1), tags: mayCopy ? ['possible_duplicate'] : [], reasons: mayCopy ? [reason('POSSIBLE_DUPLICATE', '', `lead ${mayCopy}, score 0.6000`)] : [],
      match: mayCopy ? { matchedJobId: 'job-a', matchedRow: 0, matchedLeadId: mayCopy, matchType: 'possible', score: 0.6 } : undefined,
    }],
  };
}

/** The row as the dedup stage entered it into the index. */
const indexRow = (jobId: string, lead: Partial<Lead>) => {
  const record = toMatchRecord({ ...emptyLead(), ...lead, emailKey: lead.email ?? '' });
  return { entry: { owner: `${jobId}:1`, leadId: leadIdFor(jobId, 1), jobId, rowNumber: 1, time: Date.now(), record }, blocks: blockingKeys(record) };
};

describe('reviewing possible duplicates', () => {
  let db: SqlClient;
  const logger = createLogger({ name: 'test', level: 'silent' });
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, persistenceMigrations);
  });
  afterAll(() => db.close());

  const flag = async (jobA: string, jobB: string, index: CandidateIndex) => {
    await createSqlLeadStore(db).storeBatch(batch(jobA, kim));
    await createSqlLeadStore(db).storeBatch(batch(jobB, kimberly, leadIdFor(jobA, 1)));
    await index.enter('t', [indexRow(jobA, kim), indexRow(jobB, kimberly)], 10, 10);
  };

  it("marks a row decided a duplicate in the dedup index, so that the next copy of it names its lead", async () => {
    const index = createMemoryCandidateIndex();
    await flag('job-a', 'job-b', index);
    const result = await possibleDuplicateReview(db, index, logger).decide(leadIdFor('job-b', 1), 't', 'duplicate');
    expect(result.status).toBe('decided');
    const [found] = await index.enter('t', [indexRow('job-c', { ...kimberly, phone: '+17755550124' })], 10, 10);
    const entry = found!.find((e) => e.owner === 'job-b:1');
    expect(entry?.duplicateOf).toEqual({ leadId: leadIdFor('job-a', 1), jobId: 'job-a', rowNumber: 1, time: expect.any(Number) });
    expect(entry?.record).toMatchObject({ first: 'kimberly', last: 'park', phone: '+17755550123' });
  });

  it('keeps the decision when the index cannot be reached (the index catches up when rebuilt)', async () => {
    const index = createMemoryCandidateIndex();
    await flag('job-d', 'job-e', index);
    const broken: CandidateIndex = { ...index, markDuplicates: () => Promise.reject(new Error('connection refused')) };
    const result = await possibleDuplicateReview(db, broken, logger).decide(leadIdFor('job-e', 1), 't', 'duplicate');
    expect(result).toMatchObject({ status: 'decided', possibleDuplicate: { status: 'duplicate' } });
  });
});
