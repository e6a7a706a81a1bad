import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Disposition, Lead, type LeadBatch } from '@leadflow/proto';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import { createRedis, createRedisDncRegistry, createSqlDncExemptions, dncFileParts, dncListMigrations, migrate, type DncListKind, type Redis } from '@leadflow/stores';
import { createPrivateDatabase, startPrivateRedis, throughStageService, uniqueName, type PrivateDatabase, type PrivateRedis } from '@leadflow/testkit';
import { AUDIT_PHONE_PURPOSE, createDncStage, createSqlDncAudit, migrations } from './index.js';

const keys = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'the test');
const tenant = uniqueName('tenant');
const S = Disposition.DISPOSITION_SUPPRESSED;
const A = Disposition.DISPOSITION_ACCEPTED;

/** One row of each case: a suppression kind, an expired entry, an exemption in and out of its window, consent columns. */
const ROWS: Partial<Lead>[] = [
  { email: 'ann@x.org' },
  { email: 'bob@y.org', alternateEmails: [{ value: 'eve@spam.example', header: 'Email 2' }] },
  { phone: '+19075550111' },
  { email: 'old@x.org', phone: '+19075550112' },
  { phone: '+19075550201' },
  { phone: '+19075550202' },
  { phone: '+19075550203', consentDate: '2026-02-01', consentCertificateUrl: 'https://cert.example/3' },
  { phone: '+19075550204', consentDate: '2026-02-01' },
  { email: 'carl@x.org', phone: '+19075550299' },
];
const EXPECTED = [
  [S, ['SUPPRESSED_EMAIL']],
  [S, ['SUPPRESSED_DOMAIN']],
  [S, ['SUPPRESSED_PHONE']],
  [A, []],
  [A, ['DNC_EXEMPT']],
  [S, ['DNC_NATIONAL']],
  [A, ['DNC_EXEMPT']],
  [S, ['DNC_EXEMPT', 'DNC_LITIGATOR']],
  [A, []],
];

function batch(jobId: string): LeadBatch {
  return {
    job: { jobId, tenantId: tenant, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0, header: [], mapping: [], last: true, totalRows: ROWS.length, failure: undefined,
    rows: ROWS.map((l, i) => ({
      rowNumber: i + 1, lead: Lead.fromPartial(l), disposition: A, reasons: [], tags: [], qualityScore: 0, match: undefined, raw: [], leadId: `lead-${i + 1}`,
    })),
  };
}
const outcome = (b: LeadBatch) => b.rows.map((r) => [r.disposition, r.reasons.map((x) => x.code)]);

describe('suppression lists and exemptions in Kafka mode: PostgreSQL the truth, Redis a copy', () => {
  let redis: PrivateRedis;
  let pg: PrivateDatabase;
  let client: Redis;
  beforeAll(async () => {
    [redis, pg] = await Promise.all([startPrivateRedis(), createPrivateDatabase('leadflow_dnc_suppression')]);
    await migrate(pg.db, migrations);
    await migrate(pg.db, dncListMigrations);
    client = createRedis({ url: redis.url, name: 'dnc-suppression' });
    const loader = createRedisDncRegistry(client, pg.db);
    const load = (kind: DncListKind, owner: string, body: string) =>
      loader.load({ kind, owner, mode: 'replace', source: 'test', normalize: (t) => (/^\+\d+$/.test(t) ? t : undefined) }, dncFileParts('f.txt', [body]));
    await load('suppression:email', tenant, 'ann@x.org\nold@x.org,2020-01-01\n');
    await load('suppression:domain', tenant, 'spam.example\n');
    await load('suppression:phone', tenant, '+19075550111\n+19075550112,2020-01-01\n');
    await load('litigator', '', '+19075550204\n');
    await loader.add(['+19075550201', '+19075550202', '+19075550203', '+19075550204']);
    const exemptions = createSqlDncExemptions(pg.db);
    await exemptions.add(tenant, { phone: '+19075550201', kind: 'ebr_purchase', date: '2026-01-15', evidenceUrl: '', evidenceText: 'order 1' });
    await exemptions.add(tenant, { phone: '+19075550202', kind: 'ebr_inquiry', date: '2025-01-15', evidenceUrl: '', evidenceText: 'inquiry' });
  });
  afterAll(async () => {
    await client?.quit().catch(() => {});
    await redis?.stop();
    await pg?.drop();
  });

  it('suppresses by each kind through the stage service, after FLUSHALL too, exempts only where the law lets, and audits the exemption', async () => {
    const registry = createRedisDncRegistry(client, pg.db, { versionsTtlMs: 1000 });
    const dnc = createDncStage({
      registry, audit: createSqlDncAudit(pg.db, (p) => keys.keyedHash(AUDIT_PHONE_PURPOSE, p)), exemptions: createSqlDncExemptions(pg.db), today: () => '2026-12-02',
    });
    const [first, afterFlush] = [uniqueName('job'), uniqueName('job')];
    let flushed = false;
    const stage = async (b: LeadBatch) => {
      if (b.job!.jobId === afterFlush && !flushed) {
        flushed = true;
        await client.flushall();
      }
      return dnc(b);
    };
    const out = await throughStageService(stage, [batch(first), batch(afterFlush)]);
    expect(flushed).toBe(true);
    for (const b of out) expect(outcome(b), b.job!.jobId).toEqual(EXPECTED);
    expect(out[0]!.rows[1]!.reasons[0]).toMatchObject({ field: 'alternate_emails', detail: expect.stringMatching(/^spam\.example of eve@spam\.example \(column "Email 2"\) on Suppression \(domain\) \d{4}-\d\d-\d\d, version 1$/) });
    expect(out[0]!.rows[4]!.reasons[0]!.detail).toMatch(/^exempt from National \(USA\) \d{4}-\d\d-\d\d, version \d+ by ebr_purchase 2026-01-15 \(exemption \d+\)$/);
    const { rows } = await pg.db.query<{ row_number: number; list: string; exemption: string | null }>(
      `SELECT row_number, list, exemption FROM dnc_audit WHERE job_id = $1 AND listed ORDER BY row_number, list`,
      [first],
    );
    expect(rows.map((r) => [r.row_number, r.list, r.exemption?.replace(/\d+\)$/, 'N)') ?? null])).toEqual([
      [3, 'suppression:phone', null],
      [5, 'national', 'ebr_purchase 2026-01-15 (exemption N)'],
      [6, 'national', null],
      [7, 'national', "consent 2026-02-01 (the file's consent columns)"],
      [8, 'litigator', null],
      [8, 'national', "consent 2026-02-01 (the file's consent columns)"],
    ]);
  });

  it('stops suppressing an entry cached in Redis once its expiry passes, with no new version', async () => {
    const registry = createRedisDncRegistry(client, pg.db);
    const owner = uniqueName('tenant');
    const expires = new Date(Date.now() + 1500).toISOString();
    await registry.load({ kind: 'suppression:email', owner, mode: 'replace', source: 'test', normalize: () => undefined }, dncFileParts('f.txt', [`soon@x.org,${expires}\nkept@x.org\n`]));
    const listed = async () => (await registry.screen(['soon@x.org', 'kept@x.org', '+19075550111'], owner)).on.map((l) => l.length);
    expect(await listed()).toEqual([1, 1, 0]);
    const deadline = Date.now() + 30_000;
    let now = await listed();
    for (let i = 0; i < 300 && now[0] === 1 && Date.now() < deadline; i++) {
      await new Promise((r) => setTimeout(r, 100));
      now = await listed();
    }
    expect(now).toEqual([0, 1, 0]);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expires));
  });
});
