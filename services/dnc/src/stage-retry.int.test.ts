import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Disposition, Lead, type LeadBatch } from '@leadflow/proto';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import { createPostgres, createRedis, createRedisDncRegistry, dncListMigrations, migrate, type DncRegistry, type SqlClient } from '@leadflow/stores';
import { failingOnce, infraEnv, throughStageService, uniqueName } from '@leadflow/testkit';
import { AUDIT_PHONE_PURPOSE, createDncStage, createSqlDncAudit, migrations, type DncAudit } from './index.js';

const keys = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'the test');
const hashOf = (phone: string) => keys.keyedHash(AUDIT_PHONE_PURPOSE, phone);

// Hawaii numbers: the generated lead files of other tests never use area code 808 (nor this
// exchange, which an earlier version of this test did not put on the national list).
const phone = (i: number) => `+1808556${String(100 + i).padStart(4, '0')}`;
const tenant = uniqueName('tenant');
const otherTenant = uniqueName('tenant');

/**
 * Six rows: 2 on the national list, 4 and 5 on the internal list of `tenant`, 1 on that of
 * `otherTenant`, 3 without a phone, 6 already a duplicate (skipped, kept).
 */
function batch(jobId: string, tenantId = tenant): LeadBatch {
  return {
    job: { jobId, tenantId, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0, header: ['phone'], mapping: [], last: true, totalRows: 6, failure: undefined,
    rows: [1, 2, 3, 4, 5, 6].map((rowNumber) => ({
      rowNumber,
      lead: Lead.fromPartial({ phone: rowNumber === 3 ? '' : phone(rowNumber), email: `r${rowNumber}@dnc-retry.test` }),
      disposition: rowNumber === 6 ? Disposition.DISPOSITION_DUPLICATE : Disposition.DISPOSITION_ACCEPTED,
      reasons: rowNumber === 6 ? [{ code: 'DUP_EXACT_PHONE', field: 'phone', detail: 'same as row 1' }] : [],
      tags: ['email:business'], qualityScore: 0, match: undefined, raw: [phone(rowNumber)], leadId: `lead-${rowNumber}`,
    })),
  };
}

describe('dnc in Kafka mode, retried after a transient failure in the middle of a batch', () => {
  let db: SqlClient;
  const redis = createRedis({ url: infraEnv().REDIS_URL });
  beforeAll(async () => {
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    await migrate(db, migrations);
    await migrate(db, dncListMigrations);
    const registry = createRedisDncRegistry(redis, db);
    await registry.add([phone(2), phone(6)]);
    await registry.add([phone(4), phone(5)], { tenantId: tenant });
    await registry.add([phone(1)], { tenantId: otherTenant });
  });
  afterAll(async () => {
    await Promise.all([redis.quit(), db.close()]);
  });

  it("gives the same rows, reasons and audit as a run without the failure, wherever it fails; another tenant's list is not screened", async () => {
    const clean = uniqueName('job');
    const ofOtherTenant = uniqueName('job');
    const cases = [
      ...(['screen', 'record'] as const).flatMap((point) => [false, true].map((after) => ({ point, after, jobId: uniqueName('job') }))),
      { point: 'stage' as const, after: true, jobId: uniqueName('job') },
    ];
    const registry: DncRegistry = createRedisDncRegistry(redis, db);
    const audit: DncAudit = createSqlDncAudit(db, hashOf);
    // The registry is asked for phones of a tenant, not of a job: which job asks is the batch in hand (one at a time).
    let inHand = '';
    const forJob = (jobId: string) => () => inHand === jobId;
    for (const c of cases) {
      const fails = { what: c.point, after: c.after, when: forJob(c.jobId) };
      if (c.point === 'screen') registry.screen = failingOnce(registry.screen, fails);
      if (c.point === 'record') audit.record = failingOnce(audit.record, fails);
    }
    const dnc = createDncStage({ registry, audit });
    // The whole stage done, its rows marked, then the failure: as when its last step fails.
    const last = cases.at(-1)!;
    const screened = failingOnce(dnc, { what: 'the stage', after: true, when: (b) => b.job?.jobId === last.jobId });
    const stage = (b: LeadBatch) => {
      inHand = b.job!.jobId;
      return screened(b);
    };
    const out = await throughStageService(stage, [...[clean, ...cases.map((c) => c.jobId)].map((j) => batch(j)), batch(ofOtherTenant, otherTenant)]);
    const auditOf = async (jobId: string) =>
      (await db.query("SELECT row_number, encode(phone_hash, 'hex') AS phone, list, listed FROM dnc_audit WHERE job_id = $1 ORDER BY row_number, list", [jobId])).rows;

    const expected = out[0]!;
    expect(expected.rows.map((r) => [r.rowNumber, r.disposition, r.reasons.map((x) => x.code)])).toEqual([
      [1, Disposition.DISPOSITION_ACCEPTED, []],
      [2, Disposition.DISPOSITION_SUPPRESSED, ['DNC_NATIONAL']],
      [3, Disposition.DISPOSITION_ACCEPTED, []],
      [4, Disposition.DISPOSITION_SUPPRESSED, ['DNC_INTERNAL']],
      [5, Disposition.DISPOSITION_SUPPRESSED, ['DNC_INTERNAL']],
      [6, Disposition.DISPOSITION_DUPLICATE, ['DUP_EXACT_PHONE']],
    ]);
    const cleanAudit = await auditOf(clean);
    expect(cleanAudit.map((a) => [a.row_number, a.list, a.listed])).toEqual([
      [1, 'internal', false], [1, 'national', false],
      [2, 'internal', false], [2, 'national', true],
      [4, 'internal', true], [4, 'national', false],
      [5, 'internal', true], [5, 'national', false],
    ]);
    const other = out.at(-1)!;
    expect(other.job!.jobId).toBe(ofOtherTenant);
    expect(other.rows.map((r) => [r.rowNumber, r.disposition, r.reasons.map((x) => x.code)])).toEqual([
      [1, Disposition.DISPOSITION_SUPPRESSED, ['DNC_INTERNAL']],
      [2, Disposition.DISPOSITION_SUPPRESSED, ['DNC_NATIONAL']],
      [3, Disposition.DISPOSITION_ACCEPTED, []],
      [4, Disposition.DISPOSITION_ACCEPTED, []],
      [5, Disposition.DISPOSITION_ACCEPTED, []],
      [6, Disposition.DISPOSITION_DUPLICATE, ['DUP_EXACT_PHONE']],
    ]);
    for (const [i, c] of cases.entries()) {
      const label = `${c.point} failing ${c.after ? 'after' : 'before'} its work`;
      expect(out[i + 1]!.job!.jobId, label).toBe(c.jobId);
      expect.soft(out[i + 1]!.rows, label).toEqual(expected.rows);
      expect.soft(await auditOf(c.jobId), label).toEqual(cleanAudit);
    }
  });
});
