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
