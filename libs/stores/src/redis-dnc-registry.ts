import type { Redis } from 'ioredis';
import { listsFrom, splitNanp, type DncRegistry } from './dnc-registry.js';

// The national list keeps the keys it had when it was the only list, so a registry loaded then still counts.
const OTHERS_KEY = 'lf:dnc:intl';
const bitmapKey = (areaCode: string) => `lf:dnc:nanp:${areaCode}`;
/** A tenant's internal list: one set of its numbers (the braces keep a tenant's keys in one cluster slot). */
const internalKey = (tenantId: string) => `lf:dnc:t:{${tenantId}}:internal`;

type Answers = [error: Error | null, value: unknown][] | null;

const valuesOf = (answers: Answers): unknown[] =>
  (answers ?? []).map(([err, value]) => {
    if (err) throw err;
    return value;
  });

/**
 * The registry in Redis: the national list as SETBIT/GETBIT on one key per area code (the bit
 * order of the memory registry) and a set for other countries; a tenant's internal list as a set.
 */
export function createRedisDncRegistry(redis: Redis): DncRegistry {
  return {
    async add(numbers, list) {
      if (numbers.length === 0) return 0;
      const pipeline = redis.pipeline();
      const isBit: boolean[] = [];
      for (const n of numbers) {
        const nanp = list ? undefined : splitNanp(n);
        isBit.push(nanp !== undefined);
        if (nanp) pipeline.setbit(bitmapKey(nanp.areaCode), nanp.subscriber, 1);
        else pipeline.sadd(list ? internalKey(list.tenantId) : OTHERS_KEY, n);
      }
      // SETBIT answers the bit's previous value (0: newly set); SADD how many it added (1: new).
      return valuesOf(await pipeline.exec()).filter((value, i) => (isBit[i] ? value === 0 : value === 1)).length;
    },
    async listsOf(numbers, tenantId) {
      if (numbers.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const n of numbers) {
        const nanp = splitNanp(n);
        if (nanp) pipeline.getbit(bitmapKey(nanp.areaCode), nanp.subscriber);
        else pipeline.sismember(OTHERS_KEY, n);
        pipeline.sismember(internalKey(tenantId), n);
      }
      const found = valuesOf(await pipeline.exec());
      return numbers.map((_, i) => listsFrom(found[2 * i] === 1, found[2 * i + 1] === 1));
    },
  };
}
