import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Disposition, Lead, type LeadBatch } from '@leadflow/proto';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import { createRedis, createRedisDncRegistry, dncListMigrations, migrate, type Redis } from '@leadflow/stores';
import { createPrivateDatabase, startPrivateRedis, throughStageService, uniqueName, type PrivateDatabase, type PrivateRedis } from '@leadflow/testkit';
import { AUDIT_PHONE_PURPOSE, createDncStage, createSqlDncAudit, migrations } from './index.js';

const keys = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'the test');
const tenant = uniqueName('tenant');
const LISTED = ['+19075550101', '+19075550102'];

function batch(jobId: string): LeadBatch {
  return {
    job: { jobId, tenantId: tenant, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0, header: ['phone'], mapping: [], last: true, totalRows: 3, failure: undefined,
    rows: [...LISTED, '+19075550199'].map((phone, i) => ({
      rowNumber: i + 1, lead: Lead.fromPartial({ phone }), disposition: Disposition.DISPOSITION_ACCEPTED, reasons: [], tags: [],
      qualityScore: 0, match: undefined, raw: [phone], leadId: `lead-${i + 1}`,
    })),
  };
}

const outcome = (b: LeadBatch) => b.rows.map((r) => [r.disposition, r.reasons.map((x) => x.code)]);
const EXPECTED = [
  [Disposition.DISPOSITION_SUPPRESSED, ['DNC_NATIONAL']],
  [Disposition.DISPOSITION_SUPPRESSED, ['DNC_INTERNAL']],
  [Disposition.DISPOSITION_ACCEPTED, []],
];

describe('the dnc service in Kafka mode, its lists in PostgreSQL and a copy in Redis', () => {
  let redis: PrivateRedis;
  let pg: PrivateDatabase;
  let client: Redis;
  beforeAll(async () => {
    [redis, pg] = await Promise.all([startPrivateRedis(), createPrivateDatabase('leadflow_dnc_survive')]);
    await migrate(pg.db, migrations);
    await migrate(pg.db, dncListMigrations);
    client = createRedis({ url: redis.url, name: 'dnc-survive' });
    const loader = createRedisDncRegistry(client, pg.db);
    await loader.add([LISTED[0]!]);
    await loader.add([LISTED[1]!], { tenantId: tenant });
  });
  afterAll(async () => {
    await client?.quit().catch(() => {});
    await redis?.stop();
    await pg?.drop();
  });

  it('still suppresses listed numbers after FLUSHALL and after a restart of Redis while it runs, and audits each batch', async () => {
    const registry = createRedisDncRegistry(client, pg.db);
    const dnc = createDncStage({ registry, audit: createSqlDncAudit(pg.db, (p) => keys.keyedHash(AUDIT_PHONE_PURPOSE, p)) });
    const [first, afterFlush, afterRestart] = [uniqueName('job'), uniqueName('job'), uniqueName('job')];
    const emptied: string[] = [];
    const stage = async (b: LeadBatch) => {
      // Redis emptied between two batches of the running service, before the stage sees the next.
      if (b.job!.jobId === afterFlush && !emptied.includes(afterFlush)) {
        emptied.push(afterFlush);
        await client.flushall();
      }
      if (b.job!.jobId === afterRestart && !emptied.includes(afterRestart)) {
        emptied.push(afterRestart);
        await redis.restart();
        expect(await client.dbsize()).toBe(0);
      }
      return dnc(b);
    };
    const out = await throughStageService(stage, [batch(first), batch(afterFlush), batch(afterRestart)]);
    expect(out.map((b) => b.job!.jobId)).toEqual([first, afterFlush, afterRestart]);
    for (const b of out) expect(outcome(b), b.job!.jobId).toEqual(EXPECTED);
    // Batches of different jobs may go through at once (a partition each): both emptyings happened, in either order.
    expect([...emptied].sort()).toEqual([afterFlush, afterRestart].sort());
    const audited = await pg.db.query<{ job_id: string; n: number }>(
      'SELECT job_id, count(*) FILTER (WHERE listed)::int AS n FROM dnc_audit GROUP BY job_id ORDER BY job_id',
    );
    expect(audited.rows).toEqual([first, afterFlush, afterRestart].sort().map((job_id) => ({ job_id, n: 2 })));
  });
});
