import type { Redis } from 'ioredis';
import { BLOCK_BYTES } from './dnc-lists.js';
import type { SqlClient } from './sql-client.js';
import { createSqlDncLists } from './sql-dnc-lists.js';

const SOURCE = 'Redis, before the lists moved to PostgreSQL';
/** 64 blocks (512 KiB) of an old bitmap at a time. */
const SLICE = 64 * BLOCK_BYTES;

async function* keysMatching(redis: Redis, pattern: string): AsyncGenerator<string> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    yield* found;
    cursor = next;
  } while (cursor !== '0');
}

async function* membersOf(redis: Redis, key: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, found] = await redis.sscan(key, cursor, 'COUNT', 10_000);
    if (found.length > 0) yield found;
    cursor = next;
  } while (cursor !== '0');
}

/**
 * Moves the lists an earlier version kept only in Redis into PostgreSQL, once (docs/dnc-lists.md,
 * "From Redis-only lists"): the national bitmaps `lf:dnc:nanp:<area code>` and set `lf:dnc:intl`,
 * and each tenant's `lf:dnc:t:{<tenant>}:internal`. A key is deleted only once PostgreSQL holds its
 * numbers; a start that stops half-way imports the rest next time (adding is idempotent).
 * Answers how many numbers were new to PostgreSQL.
 */
export async function importLegacyDncKeys(redis: Redis, db: SqlClient): Promise<number> {
  const lists = createSqlDncLists(db);
  let added = 0;
  for await (const key of keysMatching(redis, 'lf:dnc:nanp:*')) {
    const areaCode = /^lf:dnc:nanp:(\d{3})$/.exec(key)?.[1];
    if (!areaCode) continue;
    const length = await redis.strlen(key);
    for (let offset = 0; offset < length; offset += SLICE) {
      const bits = await redis.getrangeBuffer(key, offset, offset + SLICE - 1);
      added += await lists.mergeBits(undefined, Number(areaCode), offset / BLOCK_BYTES, bits, SOURCE);
    }
    await redis.unlink(key);
  }
  for await (const key of keysMatching(redis, 'lf:dnc:intl')) {
    for await (const phones of membersOf(redis, key)) added += (await lists.add(phones, undefined, SOURCE)).added;
    await redis.unlink(key);
  }
  for await (const key of keysMatching(redis, 'lf:dnc:t:{*}:internal')) {
    const tenantId = /^lf:dnc:t:\{(.*)\}:internal$/.exec(key)?.[1];
    if (tenantId === undefined) continue;
    for await (const phones of membersOf(redis, key)) added += (await lists.add(phones, { tenantId }, SOURCE)).added;
    await redis.unlink(key);
  }
  return added;
}
