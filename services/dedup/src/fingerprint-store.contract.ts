import { expect, it } from 'vitest';
import type { FingerprintStore } from '@leadflow/stores';

let tenants = 0;

/**
 * What every FingerprintStore must do (in memory, Redis for the services, SQL for standalone
 * mode): the same tests run against each.
 */
export function fingerprintStoreContract(make: () => FingerprintStore) {
  const tenant = () => `fp-contract-${process.pid}-${Date.now()}-${++tenants}`;

  it('lets the first owner claim keys and names it to every later row that shares one, in the same batch too', async () => {
    const fp = make();
    const t = tenant();
    const res = await fp.claim(t, [
      { owner: 'j:1', keys: ['email:a@x.com', 'phone:+15550000001'] },
      { owner: 'j:2', keys: ['email:b@x.com', 'phone:+15550000001'] },
      { owner: 'j:3', keys: ['email:b@x.com'] },
    ]);
    // j:2 conflicted, so it claimed nothing: its email is free for j:3.
    expect(res).toEqual([null, { key: 'phone:+15550000001', owner: 'j:1' }, null]);
    expect(await fp.claim(t, [{ owner: 'k:1', keys: ['phone:+15550000002', 'email:b@x.com'] }])).toEqual([{ key: 'email:b@x.com', owner: 'j:3' }]);
    // k:1 claimed nothing either.
    expect(await fp.claim(t, [{ owner: 'k:2', keys: ['phone:+15550000002'] }])).toEqual([null]);
  });

  it('lets the same owner claim again (a redelivered batch) and changes nothing', async () => {
    const fp = make();
    const t = tenant();
    expect(await fp.claim(t, [{ owner: 'j:1', keys: ['email:a@x.com'] }])).toEqual([null]);
    expect(await fp.claim(t, [{ owner: 'j:1', keys: ['email:a@x.com', 'phone:+15550000003'] }])).toEqual([null]);
    expect(await fp.claim(t, [{ owner: 'j:2', keys: ['phone:+15550000003'] }])).toEqual([{ key: 'phone:+15550000003', owner: 'j:1' }]);
  });

  it('releases only the keys the owner holds', async () => {
    const fp = make();
    const t = tenant();
    await fp.claim(t, [{ owner: 'j:1', keys: ['email:a@x.com'] }, { owner: 'j:2', keys: ['email:b@x.com'] }]);
    await fp.release(t, [{ owner: 'j:1', keys: ['email:a@x.com', 'email:b@x.com'] }]);
    expect(await fp.claim(t, [{ owner: 'j:3', keys: ['email:a@x.com'] }, { owner: 'j:4', keys: ['email:b@x.com'] }])).toEqual([
      null,
      { key: 'email:b@x.com', owner: 'j:2' },
    ]);
  });

  it("keeps tenants apart and forgets one tenant's claims when asked, whatever its name holds", async () => {
    const fp = make();
    const first = `${tenant()}*%_`;
    // Read as a pattern (Redis glob, SQL LIKE), the first name would match the second.
    const second = `${first.slice(0, -3)}-other`;
    for (const t of [first, second]) expect(await fp.claim(t, [{ owner: 'j:1', keys: ['email:a@x.com'] }])).toEqual([null]);
    await fp.clear(first);
    expect(await fp.claim(first, [{ owner: 'j:2', keys: ['email:a@x.com'] }])).toEqual([null]);
    expect(await fp.claim(second, [{ owner: 'j:2', keys: ['email:a@x.com'] }])).toEqual([{ key: 'email:a@x.com', owner: 'j:1' }]);
  });

  it('lets exactly one of two stores racing for the same keys claim each, and names the winner to the loser', async () => {
    const [one, two] = [make(), make()];
    const t = tenant();
    const keys = Array.from({ length: 200 }, (_, i) => `email:user${i}@race.test`);
    const [r1, r2] = await Promise.all([
      one.claim(t, keys.map((k, i) => ({ owner: `job-a:${i + 1}`, keys: [k] }))),
      two.claim(t, keys.map((k, i) => ({ owner: `job-b:${i + 1}`, keys: [k] }))),
    ]);
    for (let i = 0; i < keys.length; i++) {
      expect([r1[i], r2[i]].filter((r) => r === null), `key ${i}`).toHaveLength(1);
      expect((r1[i] ?? r2[i])!.owner).toMatch(r1[i] ? /^job-b:/ : /^job-a:/);
    }
  });
}
