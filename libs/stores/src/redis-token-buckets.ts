import type { Redis } from 'ioredis';

/**
 * Takes a token of every bucket or of none, atomically: KEYS are the buckets, ARGV their rates
 * (tokens a second). A bucket holds up to a fifth of a second's tokens (at least one), as
 * delivery's in-process buckets do. Answers 0 when taken, else the milliseconds to wait. Time
 * is Redis's, so every replica's clock agrees.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local levels = {}
local wait = 0
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[i])
  local capacity = math.max(1, rate / 5)
  local s = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = capacity
  if s[1] then tokens = math.min(capacity, tonumber(s[1]) + (now - tonumber(s[2])) * rate / 1000) end
  levels[i] = tokens
  if tokens < 1 then wait = math.max(wait, math.ceil((1 - tokens) * 1000 / rate)) end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('HSET', key, 'tokens', tostring(levels[i] - 1), 'at', tostring(now))
  redis.call('PEXPIRE', key, 60000)
end
return 0`;

/** Token buckets every delivery replica shares (delivery's TokenBuckets). */
export function createRedisTokenBuckets(redis: Redis, prefix = 'leadflow:delivery:rate:') {
  return {
    async take(buckets: readonly { key: string; perSecond: number }[]): Promise<number> {
      if (buckets.length === 0) return 0;
      const wait = await redis.eval(TAKE, buckets.length, ...buckets.map((b) => prefix + b.key), ...buckets.map((b) => String(b.perSecond)));
      return Number(wait);
    },
  };
}
