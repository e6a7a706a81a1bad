import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateDatabase, infraEnv, startPrivateRedis, uniqueName, type PrivateDatabase, type PrivateRedis } from '@leadflow/testkit';
import { dncRegistryContract, kindsOn } from './dnc-registry.contract.js';
import { createRedisDncCache } from './redis-dnc-cache.js';
import {
  createDncBitmapCache,
  createPostgres,
  createRedis,
  createRedisDncRegistry,
  createSqlDncLists,
  dncFileParts,
  dncListMigrations,
  importLegacyDncKeys,
  loadDncList,
  migrate,
  type DncListHead,
  type DncListKind,
  type DncLoadMode,
  type DncScreening,
  type Redis,
  type SqlClient,
} from './index.js';

describe('DNC registry on Redis over PostgreSQL', () => {
  const a = createRedis({ url: infraEnv().REDIS_URL, name: 'dnc-test-a' });
  let db: SqlClient;
  beforeAll(async () => {
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    await migrate(db, dncListMigrations);
  });
  afterAll(async () => {
    await Promise.all([a.quit(), db.close()]);
  });

  dncRegistryContract(() => createRedisDncRegistry(a, db));

  it('screens at the whole version Redis holds while another process builds the next, and at the new one once swapped', async () => {
    const tenant = uniqueName('t');
    const dnc = createRedisDncRegistry(a, db);
    await dnc.add(['+12015550181'], { tenantId: tenant });
    const numbers = ['+12015550181', '+12015550182'];
    const internalOf = (s: DncScreening) => s.lists.find((l) => l.kind === 'internal')!;
    const before = await dnc.screen(numbers, tenant);
    const list = internalOf(before);
    // Another process: PostgreSQL has the next version, and its builder holds the list's lock.
    await createSqlDncLists(db).add(['+12015550182'], { tenantId: tenant }, 'test');
    const lock = `lf:dnc:t:{${tenant}}:l${list.id}:lock`;
    await a.set(lock, 'another process', 'PX', 30_000);
    try {
      const during = await createRedisDncRegistry(a, db, { waitMs: 1_000 }).screen(numbers, tenant);
      expect([kindsOn(during), internalOf(during).version]).toEqual([[['internal'], []], list.version]);
    } finally {
      await a.del(lock);
    }
    const after = await createRedisDncRegistry(a, db).screen(numbers, tenant);
    expect([kindsOn(after), internalOf(after).version]).toEqual([[['internal'], ['internal']], list.version + 1]);
  });

  it("screens a tenant's first internal number at once in a process that keeps the lists' versions a while", async () => {
    const tenant = uniqueName('t');
    // The dnc service keeps the versions; the gateway adds the number.
    const screening = createRedisDncRegistry(a, db, { versionsTtlMs: 60_000 });
    const gateway = createRedisDncRegistry(a, db);
    expect(kindsOn(await screening.screen(['+12015550191'], tenant))).toEqual([[]]);
    await gateway.add(['+12015550191'], { tenantId: tenant });
    expect(kindsOn(await screening.screen(['+12015550191'], tenant))).toEqual([['internal']]);
  });

  it("keeps a tenant's internal list in PostgreSQL, and in Redis as one set under the tenant's keys, a few bytes a number", async () => {
    const tenant = uniqueName('t');
    const numbers = ['+12015550123', '+13125550123', '+14155550123', '+447911123456'];
    const dnc = createRedisDncRegistry(a, db);
    expect(await dnc.add(numbers, { tenantId: tenant })).toBe(4);
    const { rows } = await db.query<{ phone: string }>(
      `SELECT phone FROM dnc_list_numbers n JOIN dnc_lists l USING (list_id) WHERE l.kind = 'internal' AND l.owner = $1 ORDER BY phone`,
      [tenant],
    );
    expect(rows.map((r) => r.phone)).toEqual(numbers);
    expect(kindsOn(await dnc.screen(numbers, tenant))).toEqual(numbers.map(() => ['internal']));
    const keys = (await a.keys(`lf:dnc:t:{${tenant}}:*`)).sort();
    expect(keys).toEqual([expect.stringMatching(/^lf:dnc:t:\{.+\}:l\d+:[0-9a-f]{12}:set$/), expect.stringMatching(/:head$/)]);
    expect((await a.smembers(keys[0]!)).sort()).toEqual(numbers);
    // Bitmaps would cost 1.25 MB an area code for the first number in each.
    expect(await a.memory('USAGE', keys[0]!)).toBeLessThan(1000);
  });
});

/** Numbers one to a bitmap block: a list whose copy in Redis is built in as many steps. */
const spread = (count: number, offset = 0) =>
  Array.from({ length: count }, (_, i) => `+1${300 + Math.floor(i / 100)}${String((i % 100) * 65_536 + 1000 + offset).padStart(7, '0')}`);

describe('DNC lists on a Redis and a database of their own', () => {
  let redis: PrivateRedis;
  let pg: PrivateDatabase;
  const clients: Redis[] = [];
  const client = () => {
    const c = createRedis({ url: redis.url, name: 'dnc-own' });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    [redis, pg] = await Promise.all([startPrivateRedis(), createPrivateDatabase('leadflow_dnc_lists')]);
    await migrate(pg.db, dncListMigrations);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => {})));
    await redis?.stop();
    await pg?.drop();
  });

  it('keeps North American numbers of the national list as one bitmap per area code of 1.25 MB at most, in PostgreSQL blocks of 8 KiB', async () => {
    const r = client();
    const dnc = createRedisDncRegistry(r, pg.db);
    expect(await dnc.add(['+12079999999', '+12072000000', '+12072000000', '+447700900123'])).toBe(3);
    const screened = await dnc.screen(['+12079999999', '+12072000000', '+12072000001', '+447700900123'], 'any');
    expect(kindsOn(screened)).toEqual([['national'], ['national'], [], ['national']]);
    const [bitmap] = await r.keys('lf:dnc:{l*}:*:nanp:207');
    expect(await r.strlen(bitmap!)).toBeLessThanOrEqual(1_250_000);
    const blocks = await pg.db.query<{ block: number; bytes: number }>(
      `SELECT block, length(bits) AS bytes FROM dnc_list_blocks WHERE area_code = 207 ORDER BY block`,
    );
    expect(blocks.rows).toEqual([{ block: 30, bytes: 8192 }, { block: 152, bytes: 8192 }]);
  });

  it('imports the lists an earlier version kept only in Redis into PostgreSQL once, and deletes the old keys', async () => {
    const r = client();
    const tenant = uniqueName('legacy');
    await r.setbit('lf:dnc:nanp:208', 5_550_100, 1);
    await r.setbit('lf:dnc:nanp:208', 9_999_999, 1);
    await r.sadd('lf:dnc:intl', '+447700900999');
    await r.sadd(`lf:dnc:t:{${tenant}}:internal`, '+12095550100', '+12095550101');
    expect(await importLegacyDncKeys(r, pg.db)).toBe(5);
    expect(await r.exists('lf:dnc:nanp:208', 'lf:dnc:intl', `lf:dnc:t:{${tenant}}:internal`)).toBe(0);
    expect(await importLegacyDncKeys(r, pg.db)).toBe(0);
    const numbers = ['+12085550100', '+12089999999', '+447700900999', '+12095550100', '+12095550101', '+12085550101'];
    expect(kindsOn(await createRedisDncRegistry(client(), pg.db).screen(numbers, tenant))).toEqual([
      ['national'], ['national'], ['national'], ['internal'], ['internal'], [],
    ]);
    const changes = await pg.db.query<{ change: string; source: string }>(
      `SELECT DISTINCT change, source FROM dnc_list_changes WHERE source LIKE 'Redis%' ORDER BY change`,
    );
    expect(changes.rows).toEqual([
      { change: 'add', source: 'Redis, before the lists moved to PostgreSQL' },
      { change: 'import', source: 'Redis, before the lists moved to PostgreSQL' },
    ]);
  });

  it('a reader sees a list being replaced whole, old or new, never a mix, and a build emptied half-way is never published', async () => {
    const tenant = uniqueName('t');
    const [loader, reader] = [createRedisDncRegistry(client(), pg.db), createRedisDncRegistry(client(), pg.db)];
    const before = spread(1000);
    const after = spread(1000, 1);
    await loader.add(before);
    const all = [...before, ...after];
    const national = (s: DncScreening) => s.lists.findIndex((l) => l.kind === 'national');
    const listedOf = (s: DncScreening) => all.filter((_, i) => s.on[i]!.includes(national(s)));
    expect(listedOf(await reader.screen(all, tenant))).toHaveLength(1000);

    // A replacement of the list's 1,000 numbers by 1,000 others, built block by block beside the old copy.
    const head = (await createSqlDncLists(pg.db).heads(tenant)).find((l) => l.kind === 'national')!;
    const replaced: DncListHead = { ...head, version: head.version + 1 };
    let building = true;
    const slowRead = async (each: Parameters<Parameters<ReturnType<typeof createRedisDncCache>['rebuild']>[1]>[0]) => {
      for (const n of after) {
        const m = /^\+1(\d{3})(\d{7})$/.exec(n)!;
        const bits = new Uint8Array(8192);
        const bit = Number(m[2]) % 65_536;
        bits[bit >> 3] = 0x80 >> (bit & 7);
        await each({ areaCode: Number(m[1]), block: Math.floor(Number(m[2]) / 65_536), bits });
      }
      return replaced;
    };
    const seen: number[] = [];
    const screening = (async () => {
      for (let i = 0; building && i < 10_000; i++) {
        const s = await reader.screen(all, tenant);
        const listed = listedOf(s);
        seen.push(listed.length);
        expect(listed.length === 1000 && (listed[0] === before[0] || listed[0] === after[0])).toBe(true);
        expect(listed).toEqual(listed[0] === before[0] ? before : after);
      }
    })();
    expect(await createRedisDncCache(client()).rebuild(replaced, slowRead)).toBe(true);
    building = false;
    await screening;
    expect(seen.length).toBeGreaterThan(1);
    expect(listedOf(await reader.screen(all, tenant))).toEqual(after);

    // Emptied while a build runs: the swap is refused, nothing half-built is published.
    const r = client();
    let chunks = 0;
    const emptiedHalfWay = async (each: Parameters<typeof slowRead>[0]) => {
      const result = await slowRead(async (chunk) => {
        if (++chunks === 500) await r.flushall();
        await each(chunk);
      });
      return { ...result, version: result.version + 1 };
    };
    expect(await createRedisDncCache(r).rebuild(replaced, emptiedHalfWay)).toBe(false);
    expect(await r.keys('*')).toEqual([]);
    // The next screening rebuilds the list from PostgreSQL, the truth: its 1,000 numbers.
    expect(listedOf(await reader.screen(all, tenant))).toEqual(before);
  });

  it('screens a listed number as listed after FLUSHALL and after a restart of Redis, rebuilding from PostgreSQL', async () => {
    const tenant = uniqueName('t');
    const r = client();
    const dnc = createRedisDncRegistry(r, pg.db);
    await dnc.add(['+12105550100'], { tenantId: tenant });
    await dnc.add(['+12105550101']);
    const numbers = ['+12105550100', '+12105550101', '+12105550102'];
    expect(kindsOn(await dnc.screen(numbers, tenant))).toEqual([['internal'], ['national'], []]);
    await r.flushall();
    expect(kindsOn(await dnc.screen(numbers, tenant))).toEqual([['internal'], ['national'], []]);
    await redis.restart();
    expect(await r.dbsize()).toBe(0);
    expect(kindsOn(await dnc.screen(numbers, tenant))).toEqual([['internal'], ['national'], []]);
    // warm() is what the dnc service does before it says it is ready.
    await r.flushall();
    expect(await createRedisDncRegistry(r, pg.db).warm()).toBeGreaterThanOrEqual(2);
    expect(await r.keys('*:head')).toHaveLength(await pg.db.query('SELECT 1 FROM dnc_lists').then((q) => q.rowCount));
  });
  /** A load of `numbers` into a shared list, as `leadflow dnc import` or the gateway does. */
  const loadOf = (kind: DncListKind, mode: DncLoadMode, numbers: readonly string[]) =>
    [{ kind, owner: '', mode, source: 'test', normalize: () => undefined }, dncFileParts('list.txt', [numbers.map((n) => n.slice(2)).join('\n')])] as const;

  it('a replica answers from the bitmaps it holds, sees a new version within a second, and never mixes two versions', async () => {
    const tenant = uniqueName('t');
    const r = client();
    const bitmapCache = createDncBitmapCache(64 * 1024 * 1024);
    const reader = createRedisDncRegistry(r, pg.db, { versionsTtlMs: 1000, bitmapCache });
    const loader = createRedisDncRegistry(client(), pg.db);
    const before = ['+14015550100', '+14025550100'];
    const after = ['+14015550101', '+14025550101'];
    const all = [...before, ...after];
    const wyoming = (s: DncScreening) => {
      const j = s.lists.findIndex((l) => l.kind === 'state:WY');
      return { version: s.lists[j]!.version, listed: all.filter((_, i) => s.on[i]!.includes(j)) };
    };
    const v1 = (await loader.load(...loadOf('state:WY', 'replace', before))).head.version;
    expect(wyoming(await reader.screen(all, tenant))).toEqual({ version: v1, listed: before });
    expect(bitmapCache.size()).toBeGreaterThanOrEqual(2);

    // Redis emptied: the replica still answers, from memory, the version PostgreSQL has in force (and reads nothing of Redis's lists).
    await r.flushall();
    expect(wyoming(await reader.screen(all, tenant))).toEqual({ version: v1, listed: before });
    expect(await r.keys('lf:dnc:{*')).toEqual([]);

    // Replaced in PostgreSQL alone (`leadflow dnc import` on the server's database): the replica answers the old version
    // whole until it reads the versions again, at most a second later, then the new one whole.
    const [req, parts] = loadOf('state:WY', 'replace', after);
    const v2 = (await loadDncList(pg.db, req, parts)).head.version;
    const loaded = Date.now();
    const soon = wyoming(await reader.screen(all, tenant));
    expect([{ version: v1, listed: before }, { version: v2, listed: after }]).toContainEqual(soon);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, loaded + 1000 - Date.now())));
    expect(wyoming(await reader.screen(all, tenant))).toEqual({ version: v2, listed: after });

    // Through a registry (the gateway, another replica): seen by the next screening.
    const v3 = (await loader.load(...loadOf('state:WY', 'replace', before))).head.version;
    expect(wyoming(await reader.screen(all, tenant))).toEqual({ version: v3, listed: before });
    // An addition bumps the version in place: the bitmaps of the version before are not answered again.
    await loader.load(...loadOf('state:WY', 'add', [after[0]!]));
    expect(wyoming(await reader.screen(all, tenant))).toEqual({ version: v3 + 1, listed: [...before, after[0]] });
  });

  it('holds no more bitmaps than its bound, least recently used dropped, and answers every number right meanwhile', async () => {
    const tenant = uniqueName('t');
    const bound = 3 * 1_250_000 + 4096;
    const bitmapCache = createDncBitmapCache(bound);
    const reader = createRedisDncRegistry(client(), pg.db, { versionsTtlMs: 1000, bitmapCache });
    const listed = Array.from({ length: 8 }, (_, i) => `+1${411 + i}5550100`);
    const clear = Array.from({ length: 8 }, (_, i) => `+1${411 + i}5550101`);
    await createRedisDncRegistry(client(), pg.db).load(...loadOf('state:LA', 'replace', listed));
    for (let round = 0; round < 4; round++) {
      const s = await reader.screen([...listed, ...clear], tenant);
      const j = s.lists.findIndex((l) => l.kind === 'state:LA');
      expect(s.on.map((on) => on.includes(j))).toEqual([...listed.map(() => true), ...clear.map(() => false)]);
      expect(bitmapCache.bytes()).toBeLessThanOrEqual(bound);
    }
    // Each of the last area codes met is held; the first ones were dropped to stay within the bound.
    expect(bitmapCache.size()).toBeGreaterThan(0);
  });
});
