import { describe, expect, it } from 'vitest';
import { bounded, jobFailure, leadIdFor } from './index.js';

describe('leadIdFor', () => {
  it('gives the same version-5 UUID for the same job and row, and another for another row', () => {
    const a = leadIdFor('job-1', 7);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(leadIdFor('job-1', 7)).toBe(a);
    expect(leadIdFor('job-1', 8)).not.toBe(a);
    expect(leadIdFor('job-2', 7)).not.toBe(a);
  });
});

describe('jobFailure', () => {
  it('says what is wrong and where', () => {
    expect(jobFailure('CSV_UNCLOSED_QUOTE', 'line 3')).toEqual({
      code: 'CSV_UNCLOSED_QUOTE',
      message: 'a quoted field is never closed: check the quotes of the first row after the rows read (line 3)',
    });
  });
});

describe('bounded', () => {
  it('yields every item in order and never runs the source more than capacity ahead', async () => {
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    async function* source() {
      for (let i = 0; i < 50; i++) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - consumed);
        yield i;
      }
    }
    const out: number[] = [];
    for await (const n of bounded(source(), 3)) {
      consumed++;
      out.push(n);
      await new Promise((r) => setImmediate(r));
    }
    expect(out).toEqual([...Array(50).keys()]);
    expect(maxAhead).toBeLessThanOrEqual(4);
  });

  it('passes on an error of the source', async () => {
    async function* source() {
      yield 1;
      throw new Error('bad input');
    }
    const out: number[] = [];
    await expect(async () => {
      for await (const n of bounded(source(), 2)) out.push(n);
    }).rejects.toThrow('bad input');
    expect(out).toEqual([1]);
  });
});
