import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { infraEnv, uniqueName } from '@leadflow/testkit';
import { createRedis, createRedisTokenBuckets } from './index.js';

type Buckets = ReturnType<typeof createRedisTokenBuckets>;

/**
 * Takes tokens of `buckets` for `windowMs` as a dispatcher does (take, or wait what Redis says),
 * and answers how many were granted. Bounded by the window, whatever Redis answers.
 */
async function takeFor(users: Buckets, buckets: { key: string; perSecond: number }[], until: number): Promise<number> {
  let granted = 0;
  while (Date.now() < until) {
    const wait = await users.take(buckets);
    if (wait === 0) granted++;
    else await sleep(Math.min(wait, Math.max(0, until - Date.now())));
  }
  return granted;
}

/**
 * Delivery's rate in Kafka mode (docs/delivery.md, "Rate"): every replica takes its tokens from
 * the same Redis buckets, so two replicas sharing an endpoint's bucket send no more than its rate
 * together, and a bucket of another endpoint or job is not touched. Counts over a window of
 * seconds with room for a busy machine: the upper bound is the rate over the window plus the
 * bucket's fifth of a second and one more second of slack; the lower bound is half the rate.
 */
describe('Redis token buckets', () => {
  const a = createRedis({ url: infraEnv().REDIS_URL, name: 'buckets-a' });
  const b = createRedis({ url: infraEnv().REDIS_URL, name: 'buckets-b' });
  const prefix = `${uniqueName('rate')}:`;
  const one = createRedisTokenBuckets(a, prefix);
  const two = createRedisTokenBuckets(b, prefix);
  afterAll(async () => {
    await Promise.all([a.quit(), b.quit()]);
  });

  it('grants two replicas sharing a bucket no more than its rate together', async () => {
    const rate = 20;
    const bucket = [{ key: 'endpoint:shared', perSecond: rate }];
    const started = Date.now();
    const until = started + 3000;
    const [first, second] = await Promise.all([takeFor(one, bucket, until), takeFor(two, bucket, until)]);
    const seconds = (Date.now() - started) / 1000;
    const total = first + second;
    expect(total, `${first} + ${second} in ${seconds} s`).toBeLessThanOrEqual(Math.ceil(rate * (seconds + 1)) + rate / 5);
    expect(total, `${first} + ${second} in ${seconds} s`).toBeGreaterThanOrEqual((rate * 3) / 2);
    // Both replicas get tokens: neither is starved by the other.
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(0);
  });

  it('keeps separate buckets apart: a busy one leaves another its whole rate', async () => {
    const rate = 20;
    const started = Date.now();
    const until = started + 3000;
    // The first replica drains endpoint A's bucket hard (1,000 a second), the second takes of B at 20.
    const [busy, other] = await Promise.all([
      takeFor(one, [{ key: 'endpoint:a', perSecond: 1000 }], until),
      takeFor(two, [{ key: 'endpoint:b', perSecond: rate }], until),
    ]);
    const seconds = (Date.now() - started) / 1000;
    expect(other, `B in ${seconds} s beside ${busy} of A`).toBeGreaterThanOrEqual((rate * 3) / 2);
    expect(other, `B in ${seconds} s`).toBeLessThanOrEqual(Math.ceil(rate * (seconds + 1)) + rate / 5);
    expect(busy, 'A is held to its own rate only').toBeGreaterThan(other);
  });

  it('takes a token of every bucket of a request or of none', async () => {
    // Buckets of 1/s hold one token, refilled after a second: room for a slow machine between calls.
    // Empty the job's bucket, then ask for the endpoint's and the job's together.
    expect(await one.take([{ key: 'job:j1', perSecond: 1 }])).toBe(0);
    const wait = await one.take([{ key: 'endpoint:c', perSecond: 1 }, { key: 'job:j1', perSecond: 1 }]);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1000);
    // The endpoint's token was not spent by the refused request.
    expect(await two.take([{ key: 'endpoint:c', perSecond: 1 }])).toBe(0);
    expect(await two.take([{ key: 'endpoint:c', perSecond: 1 }])).toBeGreaterThan(0);
  });
});
