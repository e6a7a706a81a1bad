import { afterEach, describe, expect, it, vi } from 'vitest';
import { replayHint, testSeed } from './seeds.js';

describe('the seed of generated test files', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('is the one LEADFLOW_TEST_SEED names, so a failed run can be replayed', () => {
    vi.stubEnv('LEADFLOW_TEST_SEED', '59522');
    expect(testSeed()).toBe(59522);
    expect(replayHint(59522, 'services/x/src/y.int.test.ts')).toBe(
      'seed 59522; replay with: LEADFLOW_TEST_SEED=59522 npx vitest run --project integration services/x/src/y.int.test.ts',
    );
  });

  it('is a new one each run without it, and a mistyped one stops the run naming the variable', () => {
    vi.stubEnv('LEADFLOW_TEST_SEED', '');
    expect(testSeed()).toBeGreaterThanOrEqual(0);
    vi.stubEnv('LEADFLOW_TEST_SEED', 'seed-10');
    expect(() => testSeed()).toThrow('LEADFLOW_TEST_SEED must be a whole number (the seed a failed run names), got "seed-10"');
  });
});
