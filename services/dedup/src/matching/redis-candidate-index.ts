import { createHash } from 'node:crypto';
import { deleteMatching, type Redis } from '@leadflow/stores';
import { MAX_BLOCK_SIZE, type CandidateIndex, type IndexEntry } from './candidate-index.js';
import type { MatchRecord } from './record.js';

// KEYS: the tenant's counter, places (owner → place), entries (owner → entry), then every row's
// blocks, row after row. ARGV: row count, candidates per block, block size limit, candidates per
// row, then per row
// its owner, its entry and its block count. Redis runs a script atomically: the rows of every
// replica enter one after another, in one order.
const ENTER_SCRIPT = `
local counter, places, entries = KEYS[1], KEYS[2], KEYS[3]
local rows, perBlock, maxBlock, most = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local k, a, out = 4, 5, {}
local wanted, wantedList = {}, {}
for r = 1, rows do
  local owner, entry, n = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2])
  a = a + 3
  local place = redis.call('HGET', places, owner)
  local fresh = not place
  if fresh then
    place = redis.call('INCR', counter)
    redis.call('HSET', places, owner, place)
    redis.call('HSET', entries, owner, entry)
  else
    place = tonumber(place)
  end
  local shared, found = {}, {}
  for i = 0, n - 1 do
    local block = KEYS[k + i]
    if perBlock > 0 then
      local members = redis.call('ZREVRANGEBYSCORE', block, '(' .. place, '-inf', 'LIMIT', 0, perBlock)
      for _, m in ipairs(members) do
        if shared[m] then
          shared[m] = shared[m] + 1
        else
          shared[m] = 1
          found[#found + 1] = m
        end
      end
    end
    if fresh then
      redis.call('ZADD', block, place, owner)
      if redis.call('ZCARD', block) > maxBlock then redis.call('ZREMRANGEBYRANK', block, 0, 0) end
    end
  end
  k = k + n
  -- The candidates that share the most blocks with the row, at most 'most' of them.
  table.sort(found, function(x, y) return shared[x] > shared[y] end)
  local best = {}
  for i = 1, math.min(most, #found) do
    best[i] = found[i]
    if not wanted[found[i]] then
      wanted[found[i]] = true
      wantedList[#wantedList + 1] = found[i]
    end
  end
  out[r] = best
end
-- Each candidate's entry once, however many rows it is a candidate of: owners, then entries.
local found = {}
for i = 1, #wantedList, 1000 do
  local chunk = {}
  for j = i, math.min(i + 999, #wantedList) do chunk[#chunk + 1] = wantedList[j] end
  local values = redis.call('HMGET', entries, unpack(chunk))
  for j = 1, #chunk do
    found[#found + 1] = chunk[j]
    found[#found + 1] = values[j] or ''
  end
end
out[rows + 1] = found
return out
`;

const LEAVE_SCRIPT = `
local places, entries = KEYS[1], KEYS[2]
local k = 3
for a = 1, #ARGV, 2 do
  local owner, n = ARGV[a], tonumber(ARGV[a + 1])
  for i = 0, n - 1 do redis.call('ZREM', KEYS[k + i], owner) end
  k = k + n
  redis.call('HDEL', places, owner)
  redis.call('HDEL', entries, owner)
end
return 0
`;

const RECORD_FIELDS = [
  'first', 'last', 'emailKey', 'phone', 'streetNumber', 'streetName', 'line2', 'city', 'postalCode', 'state', 'company',
] as const satisfies readonly (keyof MatchRecord)[];

const encodeEntry = (e: IndexEntry) => JSON.stringify([e.leadId, e.jobId, e.rowNumber, e.time, ...RECORD_FIELDS.map((f) => e.record[f])]);

function decodeEntry(json: string): IndexEntry {
  const [leadId, jobId, rowNumber, time, ...fields] = JSON.parse(json) as [string, string, number, number, ...string[]];
  const record = Object.fromEntries(RECORD_FIELDS.map((f, i) => [f, fields[i] ?? ''])) as unknown as MatchRecord;
  return { owner: `${jobId}:${rowNumber}`, leadId, jobId, rowNumber, time, record };
}

/**
 * The blocking index in Redis. A tenant's keys share a hash tag, so on a Redis Cluster they live
 * on one node and a script can touch them all. Blocking keys are hashed: the key names hold no
 * names or addresses; the entries do, since the matcher compares them.
 */
export function createRedisCandidateIndex(redis: Redis): CandidateIndex {
  const base = (tenantId: string) => `lf:dx:{${tenantId}}`;
  const blockKey = (tenantId: string, block: string) => `${base(tenantId)}:b:${createHash('sha256').update(block).digest('base64url').slice(0, 16)}`;
  return {
    async enter(tenantId, rows, perBlock, most) {
      if (rows.length === 0) return [];
      const b = base(tenantId);
      const keys = [`${b}:seq`, `${b}:places`, `${b}:entries`];
      const argv: string[] = [String(rows.length), String(perBlock), String(MAX_BLOCK_SIZE), String(most)];
      for (const row of rows) {
        for (const block of row.blocks) keys.push(blockKey(tenantId, block));
        argv.push(row.entry.owner, encodeEntry(row.entry), String(row.blocks.length));
      }
      const out = (await redis.eval(ENTER_SCRIPT, keys.length, ...keys, ...argv)) as string[][];
      const flat = out[rows.length] ?? [];
      const entries = new Map<string, IndexEntry>();
      for (let i = 0; i < flat.length; i += 2) if (flat[i + 1]) entries.set(flat[i]!, decodeEntry(flat[i + 1]!));
      return rows.map((_, i) => (out[i] ?? []).flatMap((owner) => entries.get(owner) ?? []));
    },
    async leave(tenantId, rows) {
      if (rows.length === 0) return;
      const b = base(tenantId);
      const keys = [`${b}:places`, `${b}:entries`];
      const argv: string[] = [];
      for (const row of rows) {
        for (const block of row.blocks) keys.push(blockKey(tenantId, block));
        argv.push(row.owner, String(row.blocks.length));
      }
      await redis.eval(LEAVE_SCRIPT, keys.length, ...keys, ...argv);
    },
    async isBuilt(tenantId) {
      return (await redis.exists(`${base(tenantId)}:built`)) === 1;
    },
    async markBuilt(tenantId) {
      await redis.set(`${base(tenantId)}:built`, '1');
    },
    async lockRebuild(tenantId) {
      return (await redis.set(`${base(tenantId)}:rebuilding`, String(process.pid), 'EX', 900, 'NX')) === 'OK';
    },
    async unlockRebuild(tenantId) {
      await redis.del(`${base(tenantId)}:rebuilding`);
    },
    async clear() {
      await deleteMatching(redis, 'lf:dx:*');
    },
  };
}
