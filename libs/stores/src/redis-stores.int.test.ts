import { afterAll, describe, expect, it } from 'vitest';
import { infraEnv, uniqueName } from '@leadflow/testkit';
import { createRedis, createRedisFingerprintStore } from './index.js';

describe('Redis stores', () => {
  const a = createRedis({ url: infraEnv().REDIS_URL, name: 'test-a' });
  const b = createRedis({ url: infraEnv().REDIS_URL, name: 'test-b' });
  afterAll(async () => {
    await Promise.all([a.quit(), b.quit()]);
  });

  it('lets exactly one of two replicas claim a key they race for, and names the winner to the loser', async () => {
    const tenant = uniqueName('t');
    const one = createRedisFingerprintStore(a);
    const two = createRedisFingerprintStore(b);
    const keys = Array.from({ length: 200 }, (_, i) => `email:user${i}@race.test`);
    const [r1, r2] = await Promise.all([
      one.claim(tenant, keys.map((k, i) => ({ owner: `job-a:${i + 1}`, keys: [k] }))),
      two.claim(tenant, keys.map((k, i) => ({ owner: `job-b:${i + 1}`, keys: [k] }))),
    ]);
    for (let i = 0; i < keys.length; i++) {
      const winners = [r1[i], r2[i]].filter((r) => r === null).length;
      expect(winners, `key ${i}`).toBe(1);
      const conflict = r1[i] ?? r2[i];
      expect(conflict!.owner).toMatch(r1[i] ? /^job-b:/ : /^job-a:/);
    }
  });

  it('claims nothing for a row that conflicts on one of its keys, and the same owner may claim again', async () => {
    const tenant = uniqueName('t');
    const fp = createRedisFingerprintStore(a);
    expect(await fp.claim(tenant, [{ owner: 'j:1', keys: ['email:a@x.com'] }])).toEqual([null]);
    expect(await fp.claim(tenant, [{ owner: 'j:2', keys: ['phone:+12015550123', 'email:a@x.com'] }])).toEqual([
      { key: 'email:a@x.com', owner: 'j:1' },
    ]);
    // j:2 did not claim its phone: a third row with that phone is free to.
    expect(await fp.claim(tenant, [{ owner: 'j:3', keys: ['phone:+12015550123'] }])).toEqual([null]);
    expect(await fp.claim(tenant, [{ owner: 'j:1', keys: ['email:a@x.com'] }])).toEqual([null]);
  });

  it("forgets one tenant's claims when asked, and only that tenant's, whatever its name holds", async () => {
    const first = `${uniqueName('t')}*`;
    // Read as a Redis pattern, the first name would match the second.
    const second = `${first.slice(0, -1)}-other`;
    const fp = createRedisFingerprintStore(a);
    for (const t of [first, second]) await fp.claim(t, [{ owner: 'j:1', keys: ['email:a@x.com'] }]);
    await fp.clear(first);
    expect(await fp.claim(first, [{ owner: 'j:2', keys: ['email:a@x.com'] }])).toEqual([null]);
    expect(await fp.claim(second, [{ owner: 'j:2', keys: ['email:a@x.com'] }])).toEqual([{ key: 'email:a@x.com', owner: 'j:1' }]);
  });

  it('never stores an email in clear as a key', async () => {
    const tenant = uniqueName('t');
    await createRedisFingerprintStore(a).claim(tenant, [{ owner: 'j:1', keys: ['email:secret.person@x.com'] }]);
    const keys = await a.keys(`lf:fp:${tenant}:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain('secret');
  });
});
