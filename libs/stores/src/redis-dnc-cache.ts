import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isSuppressionKind, splitNanp, usesBits, valueKindOf, valuesOfKind, type DncListHead } from './dnc-lists.js';
import type { AreaBitmap, DncBitmapCache } from './dnc-bitmap-cache.js';
import { deleteMatching, globEscape } from './redis.js';
import type { DncListChunk } from './sql-dnc-lists.js';

/**
 * A list's keys share one prefix (one cluster slot): a tenant's under its braces, as every key of
 * a tenant; `head` names the generation of data keys in force, with its version and snapshot date.
 */
const baseOf = (l: Pick<DncListHead, 'id' | 'owner'>) => (l.owner ? `lf:dnc:t:{${l.owner}}:l${l.id}` : `lf:dnc:{l${l.id}}`);
const headKey = (l: Pick<DncListHead, 'id' | 'owner'>) => `${baseOf(l)}:head`;
const lockKey = (l: Pick<DncListHead, 'id' | 'owner'>) => `${baseOf(l)}:lock`;
const dataKey = (l: Pick<DncListHead, 'id' | 'owner'>, gen: string, what: string) => `${baseOf(l)}:${gen}:${what}`;

/** Bumps the version after an addition only when the head is still the generation written to, one version behind. */
const BUMP = `if redis.call('HGET', KEYS[1], 'gen') == ARGV[1] and redis.call('HGET', KEYS[1], 'version') == ARGV[2] then
  redis.call('HSET', KEYS[1], 'version', ARGV[3], 'snapshot', ARGV[4]) return 1 end return 0`;
/**
 * Points the head at a generation just built, if its builder still holds the lock and its keys
 * were not emptied meanwhile (the `building` marker, written first, is still there): else a
 * FLUSHALL during the build would publish half a list. Answers the generation replaced.
 */
const SWAP = `if redis.call('GET', KEYS[3]) ~= ARGV[1] or redis.call('EXISTS', KEYS[2]) == 0 then return false end
  local old = redis.call('HGET', KEYS[1], 'gen')
  redis.call('HSET', KEYS[1], 'gen', ARGV[2], 'version', ARGV[3], 'snapshot', ARGV[4])
  redis.call('DEL', KEYS[2], KEYS[3])
  return old or ''`;
/**
 * For each (key index, offset or member) pair: '1' when the bit is set or the member is in the
 * set, else '0'; key index '0' is a value the list does not hold the kind of (an email on a phone list): '0'.
 */
const LOOKUP = `local out = {}
for i = 1, #ARGV, 2 do
  local v = 0
  if ARGV[i] ~= '0' then
    local k = KEYS[tonumber(ARGV[i])]
    if string.sub(ARGV[i + 1], 1, 1) == '+' then v = redis.call('SISMEMBER', k, ARGV[i + 1]) else v = redis.call('GETBIT', k, tonumber(ARGV[i + 1])) end
  end
  out[#out + 1] = (v == 1) and '1' or '0'
end
return table.concat(out)`;
/**
 * A suppression list's entries are a hash, entry → expiry (epoch ms, '0' for none): ARGV[1] is
 * now, then (key index, entry) pairs as LOOKUP's; '1' when the entry is there and not expired.
 */
const LOOKUP_EXPIRING = `local out = {}
local now = tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  local hit = false
  if ARGV[i] ~= '0' then
    local e = redis.call('HGET', KEYS[tonumber(ARGV[i])], ARGV[i + 1])
    if e then local at = tonumber(e) hit = at == 0 or at > now end
  end
  out[#out + 1] = hit and '1' or '0'
end
return table.concat(out)`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

const LOCK_MS = 30_000;
/** One bit for each of the 10 million subscriber numbers of an area code. */
const BITMAP_BYTES = 10_000_000 / 8;

type Answers = [error: Error | null, value: unknown][] | null;
const valuesOf = (answers: Answers): unknown[] =>
  (answers ?? []).map(([err, value]) => {
    if (err) throw err;
    return value;
  });

export type CacheLookup =
  | { ok: true; lists: DncListHead[]; on: number[][] }
  /** `stale`: lists the cache does not hold at their version in PostgreSQL (emptied, never built, behind). */
  | { ok: false; stale: DncListHead[] };

/**
 * The Redis copy of the lists (docs/dnc-lists.md): shared lists' North American numbers as one
 * bitmap per area code, every other number in a set; each list under a head that says which
 * generation of keys is whole, and at which version.
 */
export interface RedisDncCache {
  /**
   * Looks numbers up in every list of `truth` (heads as PostgreSQL has them), in one MULTI. A list
   * whose id is in `previous` counts at the whole version Redis holds even when it is behind
   * PostgreSQL's (another process builds the new one meanwhile).
   */
  lookup(truth: readonly DncListHead[], numbers: readonly string[], previous?: ReadonlySet<string>): Promise<CacheLookup>;
  /** Whether some process holds the list's build lock: a new version of it is being built. */
  building(list: DncListHead): Promise<boolean>;
  /** Writes numbers just added in PostgreSQL (`head` after the addition) into the cached list, if it is cached. */
  apply(head: DncListHead, numbers: readonly string[]): Promise<void>;
  /**
   * Builds `list` anew from `read` and swaps it in whole; false when another process holds the
   * list's build lock (it is building) or the build was emptied meanwhile.
   */
  rebuild(list: DncListHead, read: (each: (chunk: DncListChunk) => Promise<void>) => Promise<DncListHead | undefined>): Promise<boolean>;
  /** The cached head of a list: its version, undefined when not cached. */
  cachedVersion(list: DncListHead): Promise<number | undefined>;
}

type Nanp = { areaCode: number; subscriber: number };

/** For each number, the indexes of the lists it is on. */
function onOf(count: number, hits: readonly Uint8Array[]): number[][] {
  const on: number[][] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at: number[] = [];
    for (let j = 0; j < hits.length; j++) if (hits[j]![i] === 1) at.push(j);
    on[i] = at;
  }
  return on;
}

/** How a list's numbers of one area code are answered in a look-up: from a bitmap in memory (held, or read in the MULTI), or by the script. */
type AreaPlan = { bitmap?: AreaBitmap; command?: number; areaCode?: number } | 'script';

/** What a look-up asks of one list. */
interface ListPlan {
  /** Index of the script's answer in the MULTI; -1 when every number is answered from memory. */
  script: number;
  /** Numbers (by index) the script answers, in its order. */
  scripted: number[];
  /** Pairs (number index, subscriber) answered from a bitmap in memory, and each one's area. */
  local: number[];
  localAreas: Exclude<AreaPlan, 'script'>[];
  /** Bitmaps read whole in the MULTI. */
  fetched: Exclude<AreaPlan, 'script'>[];
  /** Whether a number was answered from a bitmap held before this look-up (at `stamp`). */
  fromCache: boolean;
  stamp: string | undefined;
}

export interface RedisDncCacheOptions {
  /** Area-code bitmaps of shared lists held in this process (docs/dnc-lists.md, "Screening from memory"); none without. */
  bitmaps?: DncBitmapCache;
}

/** Bitmaps read whole by one look-up at most (20 MB): the rest of its numbers are looked up in Redis meanwhile. */
const FETCHES_AT_ONCE = 16;

export function createRedisDncCache(redis: Redis, opts: RedisDncCacheOptions = {}): RedisDncCache {
  /** The generation last seen in force per list: a look-up names its keys before it reads the head that confirms them. */
  const gens = new Map<string, string>();
  const bitmaps = opts.bitmaps && opts.bitmaps.maxBytes >= BITMAP_BYTES ? opts.bitmaps : undefined;
  const maxFetches = bitmaps ? Math.min(FETCHES_AT_ONCE, Math.floor(bitmaps.maxBytes / BITMAP_BYTES)) : 0;
  /** Bitmaps being read by a look-up in flight: another looks their numbers up in Redis rather than read them twice. */
  const fetching = new Set<string>();

  /**
   * Every number answered from bitmaps held in memory, without Redis: when every list is a shared
   * list of phones whose bitmaps are held at the version PostgreSQL has it in force (read at most
   * once a second, and at once after a change through a registry), and every area code of the
   * batch is held. A bitmap is the list's content at its version, whatever Redis holds meanwhile
   * (emptied, being rebuilt). Else undefined: the look-up goes to Redis.
   */
  function answerFromMemory(truth: readonly DncListHead[], numbers: readonly string[], split: readonly (Nanp | undefined)[]): Uint8Array[] | undefined {
    if (!bitmaps) return undefined;
    const hits: Uint8Array[] = [];
    for (const l of truth) {
      if (l.owner !== '' || isSuppressionKind(l.kind) || valuesOfKind(l.kind) !== 'phone') return undefined;
      const stamp = bitmaps.stampOf(l.id);
      if (stamp === undefined || Number(stamp.slice(stamp.indexOf(':') + 1)) !== l.version) return undefined;
      const hit = new Uint8Array(numbers.length);
      // By area code (200-999): each looked up in the cache once a batch.
      const areas: (AreaBitmap | undefined)[] = new Array(1000);
      for (let i = 0; i < numbers.length; i++) {
        const nanp = split[i];
        if (!nanp) {
          // Another country's number is in the list's set, in Redis; an email or a domain is on no list of phones.
          if (valueKindOf(numbers[i]!) === 'phone') return undefined;
          continue;
        }
        let bitmap = areas[nanp.areaCode];
        if (bitmap === undefined) {
          bitmap = bitmaps.get(l.id, stamp, nanp.areaCode);
          if (bitmap === undefined) return undefined;
          areas[nanp.areaCode] = bitmap;
        }
        const sub = nanp.subscriber;
        if (bitmap && sub >> 3 < bitmap.length && (bitmap[sub >> 3]! & (0x80 >> (sub & 7))) !== 0) hit[i] = 1;
      }
      hits.push(hit);
    }
    return hits;
  }

  async function learn(lists: readonly DncListHead[]): Promise<void> {
    const unknown = lists.filter((l) => !gens.has(l.id));
    if (unknown.length === 0) return;
    const pipeline = redis.pipeline();
    for (const l of unknown) pipeline.hget(headKey(l), 'gen');
    valuesOf(await pipeline.exec()).forEach((gen, i) => {
      if (typeof gen === 'string') gens.set(unknown[i]!.id, gen);
    });
  }

  return {
    async building(list) {
      return (await redis.exists(lockKey(list))) === 1;
    },

    async lookup(truth, numbers, previous) {
      // Each number split once: area code and subscriber number, or undefined outside North America.
      const split = numbers.map(splitNanp);
      const held = answerFromMemory(truth, numbers, split);
      if (held) return { ok: true, lists: [...truth], on: onOf(numbers.length, held) };
      await learn(truth);
      const used = truth.map((l) => gens.get(l.id) ?? 'none');
      // One MULTI: the heads and the bits are read at one instant, so a swap or a FLUSHALL is seen whole or not at all.
      // Each list's numbers are looked up by one script (its keys in one slot): a command a list, not one a number.
      const multi = redis.multi();
      for (const l of truth) multi.hmget(headKey(l), 'gen', 'version', 'snapshot');
      let commands = truth.length;
      const claimed: string[] = [];
      const plans = truth.map((l, j): ListPlan => {
        const plan: ListPlan = { script: -1, scripted: [], local: [], localAreas: [], fetched: [], fromCache: false, stamp: undefined };
        const keys: string[] = [];
        const index = new Map<string, string>();
        const args: string[] = [];
        const keyOf = (what: string) => {
          let at = index.get(what);
          if (at === undefined) index.set(what, (at = String(keys.push(dataKey(l, used[j]!, what)))));
          return at;
        };
        const bits = l.owner === '';
        const holds = valuesOfKind(l.kind);
        const expiring = isSuppressionKind(l.kind);
        // A shared list's area-code bitmaps answered from this process's memory: held at the stamp last seen, or read whole now.
        const fromMemory = bits && bitmaps !== undefined && holds === 'phone' && !expiring;
        const stamp = fromMemory ? bitmaps.stampOf(l.id) : undefined;
        const usable = stamp !== undefined && stamp.startsWith(`${used[j]}:`);
        plan.stamp = stamp;
        const areas = new Map<number, AreaPlan>();
        let fetches = 0;
        if (expiring) args.push(String(Date.now()));
        numbers.forEach((n, i) => {
          const nanp = split[i];
          if (fromMemory && nanp) {
            let area = areas.get(nanp.areaCode);
            if (area === undefined) {
              const held = usable ? bitmaps.get(l.id, stamp, nanp.areaCode) : undefined;
              const claim = `${l.id}:${used[j]}:${nanp.areaCode}`;
              if (held !== undefined) {
                area = { bitmap: held };
                plan.fromCache = true;
              } else if (fetches < maxFetches && !fetching.has(claim)) {
                // Read whole in the MULTI (at most a few a batch), then held; another batch reading it meanwhile does not read it twice.
                fetching.add(claim);
                claimed.push(claim);
                multi.getBuffer(dataKey(l, used[j]!, `nanp:${nanp.areaCode}`));
                area = { command: commands++, areaCode: nanp.areaCode };
                plan.fetched.push(area);
                fetches++;
              } else area = 'script';
              areas.set(nanp.areaCode, area);
            }
            if (area !== 'script') {
              plan.local.push(i, nanp.subscriber);
              plan.localAreas.push(area);
              return;
            }
          }
          plan.scripted.push(i);
          if ((nanp ? 'phone' : valueKindOf(n)) !== holds) args.push('0', '');
          else if (expiring) args.push(keyOf('exp'), n);
          else if (bits && nanp) args.push(keyOf(`nanp:${nanp.areaCode}`), String(nanp.subscriber));
          else args.push(keyOf('set'), n);
        });
        if (plan.scripted.length > 0) {
          multi.eval(expiring ? LOOKUP_EXPIRING : LOOKUP, keys.length, ...keys, ...args);
          plan.script = commands++;
        }
        return plan;
      });
      let values: unknown[];
      try {
        values = valuesOf(await multi.exec());
      } finally {
        for (const c of claimed) fetching.delete(c);
      }
      const lists: DncListHead[] = [];
      const stale: DncListHead[] = [];
      let moved = false;
      truth.forEach((l, j) => {
        const [gen, version, snapshot] = values[j] as (string | null)[];
        if (gen === null || gen === undefined || (Number(version) < l.version && !(previous?.has(l.id) && gen === used[j]))) {
          gens.delete(l.id);
          stale.push(l);
        } else if (gen !== used[j]) {
          // Swapped since we last looked: the same look-up again on the generation now in force.
          gens.set(l.id, gen);
          moved = true;
        } else {
          lists.push({ ...l, version: Number(version), snapshotDate: snapshot ?? '' });
          const plan = plans[j]!;
          const stamp = `${gen}:${version}`;
          // Read in the MULTI, at the version its head says: held at that stamp (dropping the list's bitmaps of another).
          for (const f of plan.fetched) {
            f.bitmap = (values[f.command!] as Buffer | null) ?? null;
            bitmaps!.put(l.id, stamp, f.areaCode!, f.bitmap);
          }
          // Answered from bitmaps of another version (an addition bumped it in place): the look-up again, on bitmaps read anew.
          if (plan.fromCache && plan.stamp !== stamp) moved = true;
        }
      });
      if (stale.length > 0 || moved) return { ok: false, stale };
      const hits = plans.map((plan) => {
        const hit = new Uint8Array(numbers.length);
        if (plan.script >= 0) {
          const found = values[plan.script] as string;
          plan.scripted.forEach((i, k) => (hit[i] = found.charCodeAt(k) === 49 ? 1 : 0));
        }
        for (let k = 0; k < plan.localAreas.length; k++) {
          const bitmap = plan.localAreas[k]!.bitmap;
          const sub = plan.local[2 * k + 1]!;
          if (bitmap && (sub >> 3) < bitmap.length && (bitmap[sub >> 3]! & (0x80 >> (sub & 7))) !== 0) hit[plan.local[2 * k]!] = 1;
        }
        return hit;
      });
      return { ok: true, lists, on: onOf(numbers.length, hits) };
    },

    async apply(head, numbers) {
      const [gen, version] = await redis.hmget(headKey(head), 'gen', 'version');
      // Not cached: the next screening builds it from PostgreSQL, which has the numbers.
      if (!gen || numbers.length === 0) return;
      const pipeline = redis.pipeline();
      for (const n of numbers) {
        const nanp = splitNanp(n);
        if (isSuppressionKind(head.kind)) pipeline.hset(dataKey(head, gen, 'exp'), n, '0');
        else if (usesBits(head, n)) pipeline.setbit(dataKey(head, gen, `nanp:${nanp!.areaCode}`), nanp!.subscriber, 1);
        else pipeline.sadd(dataKey(head, gen, 'set'), n);
      }
      valuesOf(await pipeline.exec());
      // Another change in between (or a rebuild): the version stays behind PostgreSQL's, and the next screening rebuilds.
      if (Number(version) === head.version - 1) await redis.eval(BUMP, 1, headKey(head), gen, String(head.version - 1), String(head.version), head.snapshotDate);
    },

    async rebuild(list, read) {
      const token = randomBytes(12).toString('hex');
      if ((await redis.set(lockKey(list), token, 'PX', LOCK_MS, 'NX')) !== 'OK') return false;
      const gen = randomBytes(6).toString('hex');
      const building = dataKey(list, gen, 'building');
      try {
        await redis.set(building, '1');
        // Several chunks a round trip; each area code's bitmap made at its full 1.25 MB by its first write, so that
        // Redis does not grow it piece by piece (and keep the slack of each growth).
        let pipeline = redis.pipeline();
        let queued = 0;
        const sized = new Set<number>();
        const send = async () => {
          pipeline.eval(EXTEND, 1, lockKey(list), token, String(LOCK_MS));
          valuesOf(await pipeline.exec());
          pipeline = redis.pipeline();
          queued = 0;
        };
        const head = await read(async (chunk) => {
          if ('phones' in chunk && isSuppressionKind(list.kind)) {
            pipeline.hset(dataKey(list, gen, 'exp'), ...chunk.phones.flatMap((p, i) => [p, String(chunk.expires?.[i] ?? 0)]));
          } else if ('phones' in chunk) pipeline.sadd(dataKey(list, gen, 'set'), ...chunk.phones);
          else {
            const key = dataKey(list, gen, `nanp:${chunk.areaCode}`);
            if (!sized.has(chunk.areaCode)) {
              sized.add(chunk.areaCode);
              pipeline.setrange(key, BITMAP_BYTES - 1, Buffer.alloc(1));
            }
            // The last block reaches past subscriber 9,999,999: its tail is never set, and a bitmap stays at 1.25 MB.
            const offset = chunk.block * chunk.bits.length;
            const bits = Buffer.from(chunk.bits.buffer, chunk.bits.byteOffset, Math.min(chunk.bits.length, BITMAP_BYTES - offset));
            pipeline.setrange(key, offset, bits);
          }
          if (++queued >= 64) await send();
        });
        if (queued > 0) await send();
        const old = head
          ? ((await redis.eval(SWAP, 3, headKey(list), building, lockKey(list), token, gen, String(head.version), head.snapshotDate)) as string | null)
          : null;
        if (old === null) {
          await deleteMatching(redis, `${globEscape(baseOf(list))}:${gen}:*`);
          return false;
        }
        gens.set(list.id, gen);
        if (old) await deleteMatching(redis, `${globEscape(baseOf(list))}:${old}:*`);
        return true;
      } finally {
        await redis.eval(RELEASE, 1, lockKey(list), token).catch(() => {});
      }
    },

    async cachedVersion(list) {
      const version = await redis.hget(headKey(list), 'version');
      return version === null ? undefined : Number(version);
    },
  };
}
