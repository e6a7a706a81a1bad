import type { Redis } from 'ioredis';
import { splitNanp, type DncRegistry } from './dnc-registry.js';

const OTHERS_KEY = 'lf:dnc:intl';
const bitmapKey = (areaCode: string) => `lf:dnc:nanp:${areaCode}`;

/** The registry in Redis: SETBIT/GETBIT on one key per area code (same bit order as the memory registry). */
export function createRedisDncRegistry(redis: Redis): DncRegistry {
  return {
    async add(numbers) {
      if (numbers.length === 0) return 0;
      const pipeline = redis.pipeline();
      const isBit: boolean[] = [];
      for (const n of numbers) {
        const nanp = splitNanp(n);
        isBit.push(nanp !== undefined);
        if (nanp) pipeline.setbit(bitmapKey(nanp.areaCode), nanp.subscriber, 1);
        else pipeline.sadd(OTHERS_KEY, n);
      }
      const results = (await pipeline.exec()) ?? [];
      let added = 0;
      results.forEach(([err, value], i) => {
        if (err) throw err;
        // SETBIT answers the bit's previous value (0: newly set); SADD how many it added (1: new).
        if (isBit[i] ? value === 0 : value === 1) added++;
      });
      return added;
    },
    async contains(numbers) {
      if (numbers.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const n of numbers) {
        const nanp = splitNanp(n);
        if (nanp) pipeline.getbit(bitmapKey(nanp.areaCode), nanp.subscriber);
        else pipeline.sismember(OTHERS_KEY, n);
      }
      const results = (await pipeline.exec()) ?? [];
      return results.map(([err, value]) => {
        if (err) throw err;
        return value === 1;
      });
    },
  };
}
