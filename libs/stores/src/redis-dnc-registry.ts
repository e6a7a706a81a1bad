import type { Redis } from 'ioredis';
import type { DncBitmapCache } from './dnc-bitmap-cache.js';
import type { DncListHead } from './dnc-lists.js';
import { DncListsNotReady, type DncRegistry } from './dnc-registry.js';
import { createRedisDncCache } from './redis-dnc-cache.js';
import type { SqlClient } from './sql-client.js';
import { createSqlDncLists } from './sql-dnc-lists.js';
import { dncListSummaries, loadDncList } from './sql-dnc-load.js';

/** Moved by every addition and load through a registry: the dnc service's cached versions are read again at once. */
const LISTS_CHANGED = 'lf:dnc:lists-changed';

export interface RedisDncRegistryOptions {
  /** How long a screening waits for a list being loaded (by this process or another) before it fails, to be retried. @default 20000 */
  waitMs?: number;
  /** Between two looks at a list another process loads. @default 100 */
  pollMs?: number;
  /**
   * How long the lists' versions read from PostgreSQL serve a tenant's screenings, rather than a
   * query a batch: a Redis copy left behind PostgreSQL (an addition whose copy failed, a load by
   * `leadflow dnc import` on the server's database) is noticed that much later; an emptied Redis,
   * a swap, or an addition or load through a registry of any process at once. @default 0
   */
  versionsTtlMs?: number;
  /**
   * The shared lists' area-code bitmaps held in this process, read whole from Redis as they are
   * first met (docs/dnc-lists.md, "Screening from memory"): a number is then a bit test in
   * memory. None without (the gateway, which does not screen).
   */
  bitmapCache?: DncBitmapCache;
}

export interface RedisDncRegistry extends DncRegistry {
  /** Loads every shared list, and the lists of tenants that have one, that Redis does not hold at their version: before the service says it is ready. */
  warm(): Promise<number>;
}

/**
 * Kafka mode: PostgreSQL is the truth, Redis a copy rebuilt from it (docs/dnc-lists.md). Every
 * screening reads the lists' versions from PostgreSQL and the numbers from Redis; a list Redis
 * lacks (emptied, restarted, never loaded) or holds at an older version is rebuilt first, while
 * the screening waits.
 */
export function createRedisDncRegistry(redis: Redis, db: SqlClient, opts: RedisDncRegistryOptions = {}): RedisDncRegistry {
  const store = createSqlDncLists(db);
  const cache = createRedisDncCache(redis, { bitmaps: opts.bitmapCache });
  const waitMs = opts.waitMs ?? 20_000;
  const pollMs = opts.pollMs ?? 100;
  const versionsTtlMs = opts.versionsTtlMs ?? 0;
  const versions = new Map<string, { at: number; stamp: string | null; heads: Promise<DncListHead[]> }>();
  /**
   * The tenant's lists as PostgreSQL has them, read at most once per `versionsTtlMs`, and again
   * as soon as a registry of any process added to or loaded a list (LISTS_CHANGED moved): a list
   * made a moment ago (a tenant's first internal number) screens the next batch.
   */
  async function heads(tenantId: string, fresh: boolean): Promise<DncListHead[]> {
    if (versionsTtlMs <= 0) return store.heads(tenantId);
    const stamp = await redis.get(LISTS_CHANGED);
    const cached = versions.get(tenantId);
    if (!fresh && cached && cached.stamp === stamp && Date.now() - cached.at < versionsTtlMs) return cached.heads;
    const read = store.heads(tenantId);
    versions.set(tenantId, { at: Date.now(), stamp, heads: read });
    read.catch(() => versions.delete(tenantId));
    return read;
  }
  /** Tells every registry's cached versions that a list changed. */
  const changed = async () => {
    versions.clear();
    await redis.incr(LISTS_CHANGED);
  };

  /** Makes `list` whole in Redis at its version or later: builds it, or waits for the process that does. */
  async function load(list: DncListHead, deadline: number): Promise<void> {
    while (Date.now() < deadline) {
      if (await cache.rebuild(list, (each) => store.read(list.id, each))) return;
      if (((await cache.cachedVersion(list)) ?? -1) >= list.version) return;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    throw new DncListsNotReady([`${list.kind}${list.owner ? ` of ${list.owner}` : ''}`]);
  }

  return {
    async add(numbers, list, source = 'api') {
      const { added, head } = await store.add(numbers, list, source);
      if (added > 0) await cache.apply(head, numbers);
      await changed();
      return added;
    },

    async screen(numbers, tenantId) {
      const deadline = Date.now() + waitMs;
      // Lists another process is building a new version of: screened meanwhile at the whole version Redis holds.
      const previous = new Set<string>();
      for (let attempt = 0; attempt < 20; attempt++) {
        const truth = await heads(tenantId, attempt > 0);
        const found = await cache.lookup(truth, numbers, previous);
        if (found.ok) return { lists: found.lists, on: found.on };
        for (const list of found.stale) {
          if (!previous.has(list.id) && (await cache.cachedVersion(list)) !== undefined && (await cache.building(list))) previous.add(list.id);
          else await load(list, deadline);
        }
      }
      throw new DncListsNotReady(['(changing faster than they load)']);
    },

    async load(req, parts) {
      const result = await loadDncList(db, req, parts);
      await changed();
      // The new version is built into Redis and swapped in whole now, rather than by the next screening that finds it behind.
      if (((await cache.cachedVersion(result.head)) ?? -1) < result.head.version) await load(result.head, Date.now() + Math.max(waitMs, 600_000));
      return result;
    },

    lists: (tenantId) => dncListSummaries(db, tenantId),

    async warm() {
      const { rows } = await db.query<{ owner: string }>(`SELECT DISTINCT owner FROM dnc_lists`);
      const deadline = Date.now() + Math.max(waitMs, 600_000);
      let loaded = 0;
      for (const { owner } of rows) {
        for (const list of await store.heads(owner)) {
          if (list.owner !== owner) continue;
          if (((await cache.cachedVersion(list)) ?? -1) >= list.version) continue;
          await load(list, deadline);
          loaded++;
        }
      }
      return loaded;
    },
  };
}
