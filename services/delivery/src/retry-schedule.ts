/**
 * When each attempt of an event is made, as waits after the event is written (the first) or after
 * the attempt before: by default immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (Svix),
 * eight attempts over about 28 hours. DELIVERY_RETRY_SCHEDULE sets another (tests use a short one).
 */
export const DEFAULT_RETRY_SCHEDULE = '0,5s,5m,30m,2h,5h,10h,10h';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "0,5s,5m" -> [0, 5000, 300000]; a bare number is milliseconds. Throws on anything else. */
export function parseRetrySchedule(text: string): number[] {
  const waits = text.split(',').map((part) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(part);
    if (!m) throw new Error(`"${part.trim()}" is not a wait (use 500ms, 5s, 5m, 2h or 1d)`);
    return Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']!);
  });
  if (waits.length === 0 || waits.length > 50) throw new Error('a retry schedule has 1 to 50 attempts');
  return waits;
}

/**
 * The wait before attempt `attempt + 1`, after `attempt` attempts failed; null when none is left.
 * Jitter of up to a fifth either way spreads the retries of many events failed at once.
 * A receiver's Retry-After is honoured: never retried sooner than it asked.
 */
export function nextWait(schedule: readonly number[], attempt: number, retryAfterMs?: number, random = Math.random): number | null {
  if (attempt >= schedule.length) return null;
  const planned = schedule[attempt]!;
  const jittered = Math.round(planned * (0.8 + 0.4 * random()));
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** Retry-After in milliseconds (seconds or an HTTP date), capped at a day; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return Math.min(ms, 86_400_000);
}
