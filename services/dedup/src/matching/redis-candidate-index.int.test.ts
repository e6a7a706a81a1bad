import { afterAll, describe, expect, it } from 'vitest';
import { createRedis } from '@leadflow/stores';
import { infraEnv, uniqueName } from '@leadflow/testkit';
import { blockingKeys } from './blocking.js';
import { candidateIndexContract } from './candidate-index.contract.js';
import { toMatchRecord } from './record.js';
import { createRedisCandidateIndex } from './redis-candidate-index.js';

describe('Redis candidate index', () => {
  const redis = createRedis({ url: infraEnv().REDIS_URL });
  afterAll(() => redis.quit());
  candidateIndexContract(() => createRedisCandidateIndex(redis));

  it('keeps entries and blocks apart: the entries hash holds one entry a row, whatever the blocks hash to', async () => {
    const tenant = uniqueName('tenant');
    const rows = Array.from({ length: 200 }, (_, i) => {
      const record = toMatchRecord({
        firstName: `Ann${i}`, lastName: `Lee${i}`, fullName: '', email: `a${i}@x.com`, emailKey: `a${i}@x.com`, phone: '', company: '',
        street: `${i + 1} Elm Road`, addressLine2: '', city: 'Austin', state: 'TX', postalCode: String(78_000 + i),
      });
      return { entry: { owner: `job:${i + 1}`, leadId: `lead-${i}`, jobId: 'job', rowNumber: i + 1, time: 1, record }, blocks: blockingKeys(record) };
    });
    await createRedisCandidateIndex(redis).enter(tenant, rows, 10, 10);
    const keys = await redis.keys(`lf:dx3:{${tenant}}:entries`);
    expect(keys).toHaveLength(1);
    expect(await redis.hlen(keys[0]!)).toBe(200);
    // 16 block hashes, each holding some of the ~2,600 blocks.
    expect((await redis.keys(`lf:dx3:{${tenant}}:blocks:*`)).length).toBe(16);
  });
});
