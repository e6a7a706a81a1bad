import { Redis } from 'ioredis';

export type { Redis };

/** A Redis client that fails commands fast while disconnected instead of queueing them forever. */
export function createRedis(opts: { url: string; name?: string }): Redis {
  return new Redis(opts.url, {
    connectionName: opts.name ?? 'leadflow',
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    enableOfflineQueue: true,
  });
}

/** `text` as a Redis glob pattern that matches only itself. */
export const globEscape = (text: string) => text.replace(/[\\*?[\]]/g, '\\$&');

/** Deletes every key matching `pattern` (SCAN, a thousand at a time: never blocks Redis with KEYS). */
export async function deleteMatching(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    // UNLINK frees in the background: a tenant's blocking index is a few hashes of millions of
    // fields, and DEL would hold every other client for a second or more.
    if (found.length > 0) await redis.unlink(...found);
    cursor = next;
  } while (cursor !== '0');
}
