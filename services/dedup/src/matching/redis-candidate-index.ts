import { deleteMatching, globEscape, type Redis } from '@leadflow/stores';
import { MAX_BLOCK_SIZE, type CandidateIndex, type IndexEntry } from './candidate-index.js';
import { blockHash, decodeEntries, encodeEntry } from './index-entry-codec.js';

// Layout of a tenant's index (all under one hash tag, so one Redis Cluster slot):
//   seq        the last place given: every entry's place in the tenant's one order
//   places     owner ("jobId:row") → place, so that a row entering again keeps its place
//   entries    place → the entry (JSON): what the matcher compares, and a duplicate's lead
//   blocks:<s> 16 hashes, blocking key's hash → the places in that block, oldest first, each in
//              6 bytes (a place is below 2^48). A field a block costs far less than a key a block.
//
// The enter script reads everything a batch needs in a few calls (HMGET of every place and block), work
// in Lua, then write back in a few calls: a call from Lua costs microseconds, and a batch touches
// thousands of blocks. Redis runs a script atomically, so the rows of every replica still enter
// one after another, in one order.
const BLOCK_CODE = `
local function encode(p)
  local bytes = {}
  for i = 6, 1, -1 do
    bytes[i] = p % 256
    p = math.floor(p / 256)
  end
  return string.char(unpack(bytes))
end
local function decode(s, at)
  local b1, b2, b3, b4, b5, b6 = string.byte(s, at, at + 5)
  return ((((b1 * 256 + b2) * 256 + b3) * 256 + b4) * 256 + b5) * 256 + b6
end
-- Calls a command on one key with many arguments, 1000 at a time; the replies joined.
local function many(command, key, args, step)
  local out = {}
  for i = 1, #args, 1000 * step do
    local got = redis.call(command, key, unpack(args, i, math.min(i + 1000 * step - 1, #args)))
    if type(got) == 'table' then for _, v in ipairs(got) do out[#out + 1] = v end end
  end
  return out
end
-- The block hash an id names: its first hex digit picks one of the 16 (KEYS[4] to KEYS[19]).
local function hashOf(id) return KEYS[4 + tonumber(string.sub(id, 1, 1), 16)] end
-- Every block the rows name, read at once: id → places held ('' for a new block). An id is the
-- hex digit, then the blocking key's hash.
local function readBlocks(ids)
  local byHash, held = {}, {}
  for _, id in ipairs(ids) do
    if held[id] == nil then
      held[id] = false
      local h = hashOf(id)
      byHash[h] = byHash[h] or {}
      table.insert(byHash[h], id)
    end
  end
  for h, list in pairs(byHash) do
    local fields = {}
    for i, id in ipairs(list) do fields[i] = string.sub(id, 2) end
    local got = many('HMGET', h, fields, 1)
    for i, id in ipairs(list) do held[id] = got[i] or '' end
  end
  return held
end
-- Writes back the blocks in 'changed'.
local function writeBlocks(held, changed)
  local sets = {}
  for id in pairs(changed) do
    local h = hashOf(id)
    sets[h] = sets[h] or {}
    table.insert(sets[h], string.sub(id, 2))
    table.insert(sets[h], held[id])
  end
  for h, args in pairs(sets) do many('HSET', h, args, 2) end
end
`;

// KEYS: seq, places, entries, then the 16 block hashes. ARGV: row count, candidates per block,
// block size limit, candidates per row, then per row its owner, its entry, its block count and
// its block ids. The answer: per row, how many candidates then their places; the places of the
// candidates' entries; the entries themselves joined by commas (one JSON array for the client to
// parse at once).
const ENTER_SCRIPT = `${BLOCK_CODE}
local seq, places, entries = KEYS[1], KEYS[2], KEYS[3]
local rows, perBlock, maxBlock, most = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local owners, entryOf, blocksOf, ids = {}, {}, {}, {}
local a = 5
for r = 1, rows do
  owners[r], entryOf[r] = ARGV[a], ARGV[a + 1]
  local n = tonumber(ARGV[a + 2])
  blocksOf[r] = {}
  for i = 1, n do
    blocksOf[r][i] = ARGV[a + 2 + i]
    ids[#ids + 1] = ARGV[a + 2 + i]
  end
  a = a + 3 + n
end
local placeOf = many('HMGET', places, owners, 1)
local held = readBlocks(ids)
-- New rows take the next places, in order (a row entering again keeps its place).
local fresh = 0
for r = 1, rows do if not placeOf[r] then fresh = fresh + 1 end end
local next = fresh > 0 and redis.call('INCRBY', seq, fresh) - fresh or 0
local newPlaces, newEntries, changed = {}, {}, {}
local lists, wanted, wantedList = {}, {}, {}
for r = 1, rows do
  local place, isNew = tonumber(placeOf[r]), false
  if not place then
    next = next + 1
    place, isNew = next, true
    newPlaces[#newPlaces + 1] = owners[r]
    newPlaces[#newPlaces + 1] = place
    newEntries[#newEntries + 1] = place
    newEntries[#newEntries + 1] = entryOf[r]
  end
  local code = encode(place)
  local shared, found = {}, {}
  for _, id in ipairs(blocksOf[r]) do
    local block = held[id]
    -- Newest first, only what came before the row.
    local taken = 0
    for at = #block - 5, 1, -6 do
      if taken >= perBlock then break end
      local other = decode(block, at)
      if other < place then
        taken = taken + 1
        if shared[other] then
          shared[other] = shared[other] + 1
        else
          shared[other] = 1
          found[#found + 1] = other
        end
      end
    end
    if isNew then
      block = block .. code
      if #block > maxBlock * 6 then block = string.sub(block, 7) end
      held[id] = block
      changed[id] = true
    end
  end
  -- The candidates that share the most blocks with the row, at most 'most' of them: bucketed by
  -- how many blocks they share (a row has a few dozen blocks at most), no sort.
  local buckets, top = {}, 0
  for _, m in ipairs(found) do
    local c = shared[m]
    if not buckets[c] then buckets[c] = {} end
    table.insert(buckets[c], m)
    if c > top then top = c end
  end
  local at = #lists + 1
  lists[at] = 0
  for c = top, 1, -1 do
    for _, m in ipairs(buckets[c] or {}) do
      if lists[at] >= most then break end
      lists[at] = lists[at] + 1
      lists[#lists + 1] = m
      if not wanted[m] then
        wanted[m] = true
        wantedList[#wantedList + 1] = m
      end
    end
  end
end
many('HSET', places, newPlaces, 2)
many('HSET', entries, newEntries, 2)
writeBlocks(held, changed)
local values = many('HMGET', entries, wantedList, 1)
for i = 1, #wantedList do values[i] = values[i] or 'null' end
return { lists, wantedList, table.concat(values, ',') }
`;

// KEYS: places, entries. ARGV: per row its owner and its new entry. Rows that are not in the
// index (it was emptied since) are left out.
const MARK_SCRIPT = `
local places, entries = KEYS[1], KEYS[2]
for a = 1, #ARGV, 2 do
  local place = redis.call('HGET', places, ARGV[a])
  if place then redis.call('HSET', entries, place, ARGV[a + 1]) end
end
return 0
`;

/**
 * A block's id: a hex digit picking one of the 16 block hashes, then its hash naming its field.
 * The digit is the hash's last four bits.
 */
export function blockId(block: string): string {
  const hash = blockHash(block);
  return (hash % 16).toString(16) + hash.toString(36);
}

/**
 * The blocking index in Redis. A tenant's keys share a hash tag, so on a Redis Cluster they live
 * on one node and a script can touch them all. Blocking keys are hashed: the key names hold no
 * names or addresses; the entries do, since the matcher compares them.
 */
export function createRedisCandidateIndex(redis: Redis): CandidateIndex {
  // 'dx3': the layout above ('dx2' put the blocks of one hash digit among the entries); an index in
  // an older layout is left alone and rebuilt from PostgreSQL.
  const base = (tenantId: string) => `lf:dx3:{${tenantId}}`;
  const blockHashes = (b: string) => Array.from({ length: 16 }, (_, i) => `${b}:blocks:${i.toString(16)}`);
  return {
    async enter(tenantId, rows, perBlock, most) {
      if (rows.length === 0) return [];
      const b = base(tenantId);
      const keys = [`${b}:seq`, `${b}:places`, `${b}:entries`, ...blockHashes(b)];
      const argv: string[] = [String(rows.length), String(perBlock), String(MAX_BLOCK_SIZE), String(most)];
      for (const row of rows) argv.push(row.entry.owner, encodeEntry(row.entry), String(row.blocks.length), ...row.blocks.map(blockId));
      const [lists, at, joined] = (await redis.eval(ENTER_SCRIPT, keys.length, ...keys, ...argv)) as [number[], number[], string];
      const decoded = decodeEntries(joined);
      const byPlace = new Map<number, IndexEntry>();
      at.forEach((place, i) => {
        const entry = decoded[i];
        if (entry) byPlace.set(place, entry);
      });
      const candidates: IndexEntry[][] = [];
      for (let i = 0; i < lists.length; ) {
        const count = lists[i++]!;
        const mine: IndexEntry[] = [];
        for (let j = i; j < i + count; j++) {
          const entry = byPlace.get(lists[j]!);
          if (entry) mine.push(entry);
        }
        candidates.push(mine);
        i += count;
      }
      return candidates;
    },
    async markDuplicates(tenantId, entries) {
      if (entries.length === 0) return;
      const b = base(tenantId);
      await redis.eval(MARK_SCRIPT, 2, `${b}:places`, `${b}:entries`, ...entries.flatMap((e) => [e.owner, encodeEntry(e)]));
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
    async clear(tenantId) {
      // Every layout's keys ('lf:dx:', 'lf:dx2:'...).
      await deleteMatching(redis, tenantId === undefined ? 'lf:dx*' : `lf:dx*:{${globEscape(tenantId)}}*`);
    },
  };
}
