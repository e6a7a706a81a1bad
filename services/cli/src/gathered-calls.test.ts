import { describe, expect, it } from 'vitest';
import { gatherIds } from './gathered-calls.js';

describe('gatherIds', () => {
  it('makes one call of the ids given together, and a new one for those given after it', async () => {
    const calls: string[][] = [];
    const letGo = gatherIds(async (ids) => void calls.push(ids), 5);
    await Promise.all([letGo('a'), letGo('b'), letGo('c')]);
    expect(calls).toEqual([['a', 'b', 'c']]);
    await letGo('d');
    expect(calls).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it("gives each caller the call's failure", async () => {
    const letGo = gatherIds(async () => {
      throw new Error('no database');
    }, 1);
    const results = await Promise.allSettled([letGo('a'), letGo('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
