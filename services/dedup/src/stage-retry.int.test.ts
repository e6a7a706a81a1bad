import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRows } from '@leadflow/ingest';
import { createMappingStage } from '@leadflow/mapping';
import { migrations } from '@leadflow/persistence';
import { isFanout } from '@leadflow/pipeline';
import type { LeadBatch } from '@leadflow/proto';
import { createPostgres, createRedis, createRedisFingerprintStore, migrate, type FingerprintStore, type SqlClient } from '@leadflow/stores';
import { failingOnce, generateLeadFile, infraEnv, throughStageService, uniqueName } from '@leadflow/testkit';
import { createDedupStage, createRedisCandidateIndex, createSqlStoredLeads, type CandidateIndex } from './index.js';

/** A generated file of 200 rows as ingest and mapping hand it to dedup: one batch. */
async function mappedBatch(jobId: string): Promise<LeadBatch> {
  const file = generateLeadFile({ seed: 4242, rows: 200 });
  const job = { jobId, tenantId: 'set-per-run', supplier: '', webhookUrl: '', fileName: 'retry.csv', sheet: '', review: false };
  const mapping = createMappingStage();
  for await (const raw of readRows(Readable.from([Buffer.from(file.csv)]), { job, batchSize: 200 })) {
    const mapped = await mapping(raw);
    const [batch] = isFanout(mapped) ? mapped.outputs : [mapped];
    return batch!;
  }
  throw new Error('the generated file gave no batch');
}

/** Text as text (owners, entries), the rest (blocks of 6-byte places) in hex. */
function readable(value: Buffer): string {
  const text = value.toString('utf8');
  return Buffer.from(text).equals(value) && !/[\u0000-\u001f]/.test(text) ? text : `hex:${value.toString('hex')}`;
}

/** Every Redis key of dedup's state for a tenant (fingerprints and blocking index), named without the tenant, with its value. */
async function redisState(redis: ReturnType<typeof createRedis>, tenant: string): Promise<Record<string, unknown>> {
  const keys = [...(await redis.keys(`lf:fp:${tenant}:*`)), ...(await redis.keys(`lf:dx3:{${tenant}}:*`))].sort();
  const state: Record<string, unknown> = {};
  for (const key of keys) {
    const name = key.replace(tenant, '<tenant>');
    const type = await redis.type(key);
    if (type === 'string') state[name] = readable((await redis.getBuffer(key))!);
    else if (type === 'hash') {
      const fields = await redis.hgetallBuffer(key);
      state[name] = Object.fromEntries(Object.entries(fields).map(([f, v]) => [f, readable(v)]).sort());
    } else state[name] = `unexpected ${type}`;
  }
  return state;
}

const POINTS = ['claim', 'enter', 'markDuplicates', 'release'] as const;

describe('dedup in Kafka mode, retried after a transient failure in the middle of a batch', () => {
  let db: SqlClient;
  const redis = createRedis({ url: infraEnv().REDIS_URL });
  beforeAll(async () => {
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    await migrate(db, migrations);
  });
  afterAll(async () => {
    await Promise.all([redis.quit(), db.close()]);
  });

  it('gives the same rows, reasons, tags, claims and index as a run without the failure, wherever it fails', async () => {
    const jobId = uniqueName('job');
    const batch = await mappedBatch(jobId);
    // One tenant runs without a failure; each other one meets one failure, at one store call,
    // before the call did anything or after it did its work (the reply was lost).
    const clean = uniqueName('tenant');
    const cases = POINTS.flatMap((point) => [false, true].map((after) => ({ point, after, tenant: uniqueName('tenant') })));
    const fingerprints = createRedisFingerprintStore(redis);
    const index = createRedisCandidateIndex(redis);
    const fp: FingerprintStore = { ...fingerprints };
    const ix: CandidateIndex = { ...index };
    for (const c of cases) {
      const fails = { what: c.point, after: c.after, when: (tenantId: string) => tenantId === c.tenant };
      if (c.point === 'claim') fp.claim = failingOnce(fp.claim, fails);
      if (c.point === 'release') fp.release = failingOnce(fp.release, fails);
      if (c.point === 'enter') ix.enter = failingOnce(ix.enter, fails);
      if (c.point === 'markDuplicates') ix.markDuplicates = failingOnce(ix.markDuplicates, fails);
    }
    const stage = createDedupStage({ fingerprints: fp, index: ix, leads: createSqlStoredLeads(db), now: () => Date.UTC(2026, 11, 1) });
    const tenants = [clean, ...cases.map((c) => c.tenant)];
    const out = await throughStageService(stage, tenants.map((tenantId) => ({ ...batch, job: { ...batch.job!, tenantId } })));

    const expected = out[0]!;
    const count = (test: (r: LeadBatch['rows'][number]) => boolean) => expected.rows.filter(test).length;
    // What the batch holds, so that every step of dedup has work to redo.
    expect(count((r) => r.match?.matchType === 'exact_email')).toBeGreaterThan(0);
    expect(count((r) => r.match?.matchType === 'exact_phone')).toBeGreaterThan(0);
    expect(count((r) => r.match?.matchType === 'fuzzy')).toBeGreaterThan(0);
    expect(count((r) => r.tags.includes('possible_duplicate'))).toBeGreaterThan(0);
    const cleanState = await redisState(redis, clean);
    expect(Object.keys(cleanState).some((k) => k.startsWith('lf:fp:'))).toBe(true);

    for (const [i, c] of cases.entries()) {
      const got = out[i + 1]!;
      const label = `${c.point} failing ${c.after ? 'after' : 'before'} its work`;
      expect(got.job!.tenantId, label).toBe(c.tenant);
      // Soft: a failure lists every case that differs.
      expect.soft(got.rows, label).toEqual(expected.rows);
      expect.soft(await redisState(redis, c.tenant), label).toEqual(cleanState);
    }
  });
});
