import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type LeadBatch } from '@leadflow/proto';
import { createPostgres, createRedis, createRedisFingerprintStore, migrate, type SqlClient } from '@leadflow/stores';
import { createSqlLeadStore, migrations } from '@leadflow/persistence';
import { infraEnv, uniqueName } from '@leadflow/testkit';
import { createDedupStage, createRedisCandidateIndex, createSqlStoredLeads, type CandidateIndex } from './index.js';

/** A batch of people with names and addresses but no email or phone (only fuzzy matching can pair them). */
function people(jobId: string, tenantId: string, rows: { firstName: string; lastName: string; street: string; postalCode: string }[]): LeadBatch {
  const b = batch(jobId, tenantId, rows.map(() => ''));
  b.rows.forEach((r, i) => {
    r.lead = { ...r.lead!, ...rows[i]!, city: 'Springfield', email: '', emailKey: '' } as typeof r.lead;
  });
  return b;
}

const NAMES = ['Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Ava', 'Elijah', 'Sophia', 'Mateo'];
const SURNAMES = ['Garcia', 'Okafor', 'Lindqvist', 'Nakamura', 'Moreau', 'Kowalczyk', 'Haddad', 'Brennan', 'Ferreira', 'Novak'];
const STREETS = ['Maple', 'Juniper', 'Harbour', 'Quarry', 'Wattle', 'Cedar', 'Lantern', 'Orchard', 'Beacon', 'Thistle'];
/** A hundred different people: ten given names, ten surnames, each on a street and in a postal code of their own. */
const person = (i: number) => ({
  firstName: NAMES[i % 10]!,
  lastName: SURNAMES[Math.floor(i / 10) % 10]!,
  street: `${3 + ((i * 37) % 200)} ${STREETS[(i * 7) % 10]} Avenue`,
  postalCode: String(60_000 + i * 97),
});
/** The same person as a supplier might send them again: a typo in the surname, the street abbreviated. */
const copyOf = (i: number) => {
  const p = person(i);
  return { ...p, lastName: `${p.lastName.slice(0, -1)}${p.lastName.endsWith('a') ? 'e' : 'a'}`, street: p.street.replace('Avenue', 'Ave') };
};

function batch(jobId: string, tenantId: string, emails: string[]): LeadBatch {
  return {
    job: { jobId, tenantId, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0,
    header: ['email'],
    mapping: [],
    rows: emails.map((email, i) => ({
      rowNumber: i + 1,
      lead: { ...emptyLead(), email },
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

  it('accepts only one of two copies of a person that two replicas see at the same time, typos and all', async () => {
    const tenant = uniqueName('tenant');
    const replica = (redis: typeof redisA) =>
      createDedupStage({ fingerprints: createRedisFingerprintStore(redis), index: createRedisCandidateIndex(redis), leads: createSqlStoredLeads(db) });
    const ids = Array.from({ length: 100 }, (_, i) => i);
    const [a, b] = await Promise.all([
      replica(redisA)(people('job-a', tenant, ids.map(person))),
      replica(redisB)(people('job-b', tenant, ids.map(copyOf))),
    ]);
    for (const i of ids) {
      const states = [a.rows[i]!.disposition, b.rows[i]!.disposition].sort();
      expect(states, `person ${i}`).toEqual([Disposition.DISPOSITION_ACCEPTED, Disposition.DISPOSITION_DUPLICATE]);
      const dup = a.rows[i]!.disposition === Disposition.DISPOSITION_DUPLICATE ? a.rows[i]! : b.rows[i]!;
      const winner = dup === a.rows[i] ? 'job-b' : 'job-a';
      expect(dup.match).toMatchObject({ matchedJobId: winner, matchedLeadId: leadIdFor(winner, i + 1), matchType: 'fuzzy' });
    }
  });

  it('rebuilds the fuzzy index from PostgreSQL after Redis has been emptied, and finds the stored person again', async () => {
    const tenant = uniqueName('tenant');
    const stage = () =>
      createDedupStage({ fingerprints: createRedisFingerprintStore(redisA), index: createRedisCandidateIndex(redisA), leads: createSqlStoredLeads(db) });
    const first = await stage()(people(uniqueName('job'), tenant, [person(1), person(2)]));
    await createSqlLeadStore(db).storeBatch(first);
    await createRedisCandidateIndex(redisA).clear();
    expect(await redisA.keys(`lf:dx*{${tenant}}*`)).toEqual([]);

    const second = await stage()(people(uniqueName('job'), tenant, [copyOf(2), person(3)]));
    expect(second.rows.map((r) => r.disposition)).toEqual([Disposition.DISPOSITION_DUPLICATE, Disposition.DISPOSITION_ACCEPTED]);
    expect(second.rows[0]!.match).toMatchObject({ matchedLeadId: first.rows[1]!.leadId, matchType: 'fuzzy' });
    expect(await createRedisCandidateIndex(redisA).isBuilt(tenant)).toBe(true);
  });

  it('files a copy of a copy under the lead when the copy was being marked in another replica at that moment', async () => {
    const tenant = uniqueName('tenant');
    const [jobX, jobA, jobB] = [uniqueName('job'), uniqueName('job'), uniqueName('job')];
    const store = createSqlLeadStore(db);
    const stage = (index: CandidateIndex) =>
      createDedupStage({ fingerprints: createRedisFingerprintStore(redisA), index, leads: createSqlStoredLeads(db) });
    const original = await stage(createRedisCandidateIndex(redisA))(people(jobX, tenant, [person(5)]));
    await store.storeBatch(original);

    // Replica A finds its row a copy of the lead, and is held before it marks the row in the index;
    // replica B meets the same copy again meanwhile: it resembles A's row best.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const indexA = createRedisCandidateIndex(redisA);
    const slowA: CandidateIndex = { ...indexA, markDuplicates: async (t, entries) => (await held, indexA.markDuplicates(t, entries)) };
    const a = stage(slowA)(people(jobA, tenant, [copyOf(5)]));
    await vi.waitFor(async () => expect(await redisA.hlen(`lf:dx3:{${tenant}}:places`)).toBe(2), { timeout: 60_000, interval: 20 });
    const b = await stage(createRedisCandidateIndex(redisB))(people(jobB, tenant, [copyOf(5)]));
    release();
    const stored = await a;
    expect(stored.rows[0]!.match).toMatchObject({ matchedLeadId: leadIdFor(jobX, 1), matchType: 'fuzzy' });
    // B could not know: its row names A's row.
    expect(b.rows[0]!.match).toMatchObject({ matchedLeadId: leadIdFor(jobA, 1), matchType: 'fuzzy' });

    // Persistence files it under the lead, whichever batch it stores first.
    await store.storeBatch(b);
    await store.storeBatch(stored);
    const { rows } = await db.query<{ job_id: string; matched_lead_id: string }>(
      'SELECT job_id, matched_lead_id FROM duplicate_leads WHERE tenant_id = $1 ORDER BY job_id = $2 DESC', [tenant, jobA],
    );
    expect(rows).toEqual([{ job_id: jobA, matched_lead_id: leadIdFor(jobX, 1) }, { job_id: jobB, matched_lead_id: leadIdFor(jobX, 1) }]);
  });
});
