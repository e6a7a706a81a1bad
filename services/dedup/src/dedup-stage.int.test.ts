import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadIdFor } from '@leadflow/pipeline';
import { Disposition, type LeadBatch } from '@leadflow/proto';
import { createPostgres, createRedis, createRedisFingerprintStore, migrate, type SqlClient } from '@leadflow/stores';
import { createSqlLeadStore, migrations } from '@leadflow/persistence';
import { infraEnv, uniqueName } from '@leadflow/testkit';
import { createDedupStage, createSqlStoredLeads } from './index.js';

function batch(jobId: string, tenantId: string, emails: string[]): LeadBatch {
  return {
    job: { jobId, tenantId, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0,
    header: ['email'],
    mapping: [],
    rows: emails.map((email, i) => ({
      rowNumber: i + 1,
      lead: { email, phone: '', extra: {} } as unknown as LeadBatch['rows'][number]['lead'],
      disposition: Disposition.DISPOSITION_ACCEPTED,
      reasons: [],
      tags: [],
      qualityScore: 0,
      match: undefined,
      raw: [email],
      leadId: leadIdFor(jobId, i + 1),
    })),
    last: true,
    totalRows: emails.length,
    failure: undefined,
  };
}

describe('dedup on real Redis and PostgreSQL', () => {
  let db: SqlClient;
  const redisA = createRedis({ url: infraEnv().REDIS_URL });
  const redisB = createRedis({ url: infraEnv().REDIS_URL });
  beforeAll(async () => {
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    await migrate(db, migrations);
  });
  afterAll(async () => {
    await Promise.all([redisA.quit(), redisB.quit(), db.close()]);
  });

  it('accepts a lead only once when two replicas see it in two jobs at the same time', async () => {
    const tenant = uniqueName('tenant');
    const emails = Array.from({ length: 100 }, (_, i) => `person${i}@race.test`);
    const replica = (redis: typeof redisA) =>
      createDedupStage({ fingerprints: createRedisFingerprintStore(redis), leads: createSqlStoredLeads(db) });
    const [a, b] = await Promise.all([replica(redisA)(batch('job-a', tenant, emails)), replica(redisB)(batch('job-b', tenant, emails))]);
    for (let i = 0; i < emails.length; i++) {
      const states = [a.rows[i]!.disposition, b.rows[i]!.disposition].sort();
      expect(states, emails[i]).toEqual([Disposition.DISPOSITION_ACCEPTED, Disposition.DISPOSITION_DUPLICATE]);
      const dup = a.rows[i]!.disposition === Disposition.DISPOSITION_DUPLICATE ? a.rows[i]! : b.rows[i]!;
      const winner = dup === a.rows[i] ? 'job-b' : 'job-a';
      expect(dup.match).toMatchObject({ matchedJobId: winner, matchedLeadId: leadIdFor(winner, i + 1), matchType: 'exact_email' });
    }
  });

  it('still finds stored leads after Redis has been emptied: PostgreSQL is the truth', async () => {
    const tenant = uniqueName('tenant');
    const stage = createDedupStage({ fingerprints: createRedisFingerprintStore(redisA), leads: createSqlStoredLeads(db) });
    const first = await stage(batch(uniqueName('job'), tenant, ['ann@x.test', 'bob@x.test']));
    await createSqlLeadStore(db).storeBatch(first);
    await createRedisFingerprintStore(redisA).clear();
    expect(await redisA.keys(`lf:fp:${tenant}:*`)).toEqual([]);

    const second = await stage(batch(uniqueName('job'), tenant, ['carl@x.test', 'BOB@x.test'.toLowerCase()]));
    expect(second.rows.map((r) => r.disposition)).toEqual([Disposition.DISPOSITION_ACCEPTED, Disposition.DISPOSITION_DUPLICATE]);
    expect(second.rows[1]!.match?.matchedLeadId).toBe(first.rows[1]!.leadId);
  });
});
