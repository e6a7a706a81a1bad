import { describe, expect, it } from 'vitest';
import { createPriorityTurns } from './priority-turns.js';

async function* batches(name: string, n: number, seen: string[]) {
  for (let i = 1; i <= n; i++) {
    await new Promise((r) => setImmediate(r));
    yield `${name}${i}`;
  }
  seen.push(`${name} read`);
}

describe('priority turns in leadflow serve', () => {
  it('lets a high job that becomes ready take every batch in before the low job running beside it takes another', async () => {
    const turns = createPriorityTurns();
    const order: string[] = [];
    const seen: string[] = [];
    const low = turns.gate(batches('low', 6, seen), 'low');
    const consume = async (it: AsyncIterable<string>, done: () => void, after?: () => void) => {
      for await (const b of it) {
        order.push(b);
        if (b === 'low2') after?.();
      }
      done();
    };
    let highRun: Promise<void> | undefined;
    const lowRun = consume(low.batches, low.done, () => {
      const high = turns.gate(batches('high', 3, seen), 'high');
      highRun = consume(high.batches, high.done);
    });
    await lowRun;
    await highRun;
    expect(order.indexOf('high3')).toBeLessThan(order.indexOf('low4'));
    expect(order.filter((b) => b.startsWith('low'))).toEqual(['low1', 'low2', 'low3', 'low4', 'low5', 'low6']);
    expect(turns.running).toEqual([0, 0, 0]);
  });

  it('counts anything but high and low as normal, and lets jobs of one priority run together', async () => {
    const turns = createPriorityTurns();
    const a = turns.gate(batches('a', 2, []), '');
    const b = turns.gate(batches('b', 2, []), 'normal');
    const got: string[] = [];
    await Promise.all([a, b].map(async (g) => {
      for await (const x of g.batches) got.push(x);
      g.done();
    }));
    expect(got.sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
  });
});
