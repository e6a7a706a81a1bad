import { describe, expect, it } from 'vitest';
import { createMemoryTokenBuckets } from './token-buckets.js';
import { DEFAULT_RETRY_SCHEDULE, nextWait, parseRetrySchedule, retryAfterMs } from './retry-schedule.js';
import { eventId } from './event-ids.js';

describe('the retry schedule', () => {
  it('is by default immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    expect(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE)).toEqual([0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(parseRetrySchedule('0, 250ms, 1.5s, 20')).toEqual([0, 250, 1500, 20]);
    expect(() => parseRetrySchedule('0,soon')).toThrow('"soon" is not a wait');
  });

  it('waits the next step with a fifth of jitter either way, never less than Retry-After, and ends after the last attempt', () => {
    const s = parseRetrySchedule(DEFAULT_RETRY_SCHEDULE);
    expect(nextWait(s, 1, undefined, () => 0)).toBe(4_000);
    expect(nextWait(s, 1, undefined, () => 1)).toBe(6_000);
    expect(nextWait(s, 1, 60_000, () => 0.5)).toBe(60_000);
    expect(nextWait(s, 7, undefined, () => 0.5)).toBe(36_000_000);
    expect(nextWait(s, 8)).toBeNull();
  });

  it('reads Retry-After as seconds or a date, at most a day', () => {
    expect(retryAfterMs('7')).toBe(7_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 0)).toBe(10_000);
    expect(retryAfterMs('999999999')).toBe(86_400_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});

describe('event ids', () => {
  it('are the same for the same destination, type, job and first row, and differ otherwise', () => {
    expect(eventId('ep', 'lead.created', 'job', 1)).toBe(eventId('ep', 'lead.created', 'job', 1));
    expect(eventId('ep', 'lead.created', 'job', 1)).toMatch(/^msg_[A-Za-z0-9_-]{27}$/);
    expect(new Set([eventId('ep', 'lead.created', 'job', 2), eventId('ep2', 'lead.created', 'job', 1), eventId('ep', 'job.completed', 'job', 1)]).size).toBe(3);
  });
});

describe('in-process token buckets', () => {
  it('let a fifth of a second through at once, then one token per 1/rate, taking from every bucket or none', async () => {
    let t = 0;
    const buckets = createMemoryTokenBuckets(() => t);
    const a = { key: 'a', perSecond: 10 };
    const b = { key: 'b', perSecond: 5 };
    expect(await buckets.take([a])).toBe(0);
    expect(await buckets.take([a])).toBe(0);
    expect(await buckets.take([a])).toBe(100);
    t = 100;
    expect(await buckets.take([a, b])).toBe(0);
    // b has a token left a fifth of a second later only: a's is not taken meanwhile.
    expect(await buckets.take([a, b])).toBe(200);
    t = 300;
    expect(await buckets.take([a, b])).toBe(0);
  });
});
