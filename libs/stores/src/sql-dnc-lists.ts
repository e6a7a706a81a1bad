import { bitOf, BLOCK_BYTES, setBit, splitNanp, usesBits, valueKindOf, type DncListHead, type DncScreening, type DncTarget } from './dnc-lists.js';
import type { SqlClient } from './sql-client.js';

/**
 * A piece of a list's content, as a cache is rebuilt from it. `expires`: each entry's expiry
 * (epoch milliseconds, 0 for none), for a suppression list's entries.
 */
export type DncListChunk = { areaCode: number; block: number; bits: Uint8Array } | { phones: string[]; expires?: number[] };

export interface DncListStore {
  /** The lists a tenant's numbers are screened against: the shared ones, then its own. */
  heads(tenantId: string): Promise<DncListHead[]>;
  /**
   * Adds E.164 numbers to the shared national list, or to a tenant's internal list (made on its
   * first number), in one transaction; a change bumps the list's version.
   */
  add(numbers: readonly string[], target: DncTarget, source: string): Promise<{ added: number; head: DncListHead }>;
  /**
   * Screens values against the tenant's lists in one snapshot of the database: standalone mode's
   * screening. A phone (E.164) is looked up in the phone lists, an email in `suppression:email`,
   * a domain in `suppression:domain`; an expired entry is not listed.
   */
  screen(numbers: readonly string[], tenantId: string): Promise<DncScreening>;
  /**
   * The content of a list as it stands, in chunks, read in one snapshot: a replacement committed
   * meanwhile is not mixed in. `head` is the list as of that snapshot.
   */
  read(listId: string, each: (chunk: DncListChunk) => Promise<void>): Promise<DncListHead | undefined>;
  /** ORs `bits` (a whole number of blocks from block `firstBlock`) into a shared list's area code: how old Redis bitmaps come in. */
  mergeBits(target: DncTarget, areaCode: number, firstBlock: number, bits: Uint8Array, source: string): Promise<number>;
}

const HEAD = `list_id::text AS id, kind, owner, version::float8 AS version, generation::float8 AS generation,
  coalesce(to_char(snapshot_date, 'YYYY-MM-DD'), '') AS "snapshotDate"`;
const PAGE = 256;

/** PostgreSQL's get_bit numbers bits from the least significant of each byte; the blocks are stored most significant first. */
const pgBit = (bit: number) => (bit & ~7) | (7 - (bit & 7));

const listOf = (target: DncTarget) => (target ? { kind: 'internal', owner: target.tenantId } : { kind: 'national', owner: '' });

/** The lists' truth in PostgreSQL (or the embedded database): docs/dnc-lists.md. */
export function createSqlDncLists(db: SqlClient): DncListStore {
  async function lockedHead(tx: SqlClient, target: DncTarget): Promise<DncListHead> {
    const { kind, owner } = listOf(target);
    await tx.query(
      `INSERT INTO dnc_lists (kind, owner, source) VALUES ($1, $2, $3) ON CONFLICT (kind, owner) DO NOTHING`,
      [kind, owner, owner ? 'the tenant' : 'none loaded'],
    );
    return (await tx.query<DncListHead>(`SELECT ${HEAD} FROM dnc_lists WHERE kind = $1 AND owner = $2 FOR UPDATE`, [kind, owner])).rows[0]!;
  }

  /** Sets the numbers' bits in their blocks (read, changed, written back): how many were not set. */
  async function addBits(tx: SqlClient, head: DncListHead, numbers: readonly string[]): Promise<number> {
    const blocks = new Map<string, { areaCode: number; block: number; bits?: Uint8Array; bitsToSet: number[] }>();
    for (const n of numbers) {
      const nanp = splitNanp(n)!;
      const { block, bit } = bitOf(nanp.subscriber);
      const key = `${nanp.areaCode}:${block}`;
      const entry = blocks.get(key) ?? { areaCode: nanp.areaCode, block, bitsToSet: [] };
      entry.bitsToSet.push(bit);
      blocks.set(key, entry);
    }
    const wanted = [...blocks.values()];
    const { rows } = await tx.query<{ area_code: number; block: number; bits: Uint8Array }>(
      `SELECT area_code, block, bits FROM dnc_list_blocks
       WHERE list_id = $1 AND generation = $2 AND (area_code, block) IN (SELECT * FROM unnest($3::smallint[], $4::smallint[]))`,
      [head.id, head.generation, wanted.map((b) => b.areaCode), wanted.map((b) => b.block)],
    );
    for (const r of rows) blocks.get(`${r.area_code}:${r.block}`)!.bits = new Uint8Array(r.bits);
    let added = 0;
    for (const b of wanted) {
      b.bits ??= new Uint8Array(BLOCK_BYTES);
      for (const bit of b.bitsToSet) if (setBit(b.bits, bit)) added++;
    }
    await writeBlocks(tx, head, wanted as { areaCode: number; block: number; bits: Uint8Array }[]);
    return added;
  }

  async function writeBlocks(tx: SqlClient, head: DncListHead, blocks: readonly { areaCode: number; block: number; bits: Uint8Array }[]) {
    if (blocks.length === 0) return;
    await tx.query(
      `INSERT INTO dnc_list_blocks (list_id, generation, area_code, block, bits)
       SELECT $1, $2, * FROM unnest($3::smallint[], $4::smallint[], $5::bytea[])
       ON CONFLICT (list_id, generation, area_code, block) DO UPDATE SET bits = EXCLUDED.bits`,
      [head.id, head.generation, blocks.map((b) => b.areaCode), blocks.map((b) => b.block), blocks.map((b) => b.bits)],
    );
  }

  /** Records a change of `added` numbers: the list's next version. */
  async function changed(tx: SqlClient, head: DncListHead, added: number, change: string, source: string): Promise<DncListHead> {
    if (added === 0) return head;
    const next = (
      await tx.query<DncListHead>(
        `UPDATE dnc_lists SET version = version + 1, size = size + $2, changed_at = now(),
           snapshot_date = CASE WHEN owner = '' THEN coalesce(snapshot_date, current_date) ELSE current_date END
         WHERE list_id = $1 RETURNING ${HEAD}`,
        [head.id, added],
      )
    ).rows[0]!;
    await tx.query(
      `INSERT INTO dnc_list_changes (list_id, version, change, numbers, source, snapshot_date) VALUES ($1, $2, $3, $4, $5, nullif($6, '')::date)`,
      [next.id, next.version, change, added, source, next.snapshotDate],
    );
    return next;
  }

  return {
    async heads(tenantId) {
      return (
        await db.query<DncListHead>(`SELECT ${HEAD} FROM dnc_lists WHERE owner = '' OR owner = $1 ORDER BY owner <> '', list_id`, [tenantId])
      ).rows;
    },

    add(numbers, target, source) {
      return db.transaction(async (tx) => {
        const head = await lockedHead(tx, target);
        const unique = [...new Set(numbers)];
        const bits = unique.filter((n) => usesBits(head, n));
        const rows = unique.filter((n) => !usesBits(head, n));
        let added = bits.length > 0 ? await addBits(tx, head, bits) : 0;
        if (rows.length > 0) {
          added += (
            await tx.query(
              `INSERT INTO dnc_list_numbers (list_id, generation, phone) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`,
              [head.id, head.generation, rows],
            )
          ).rowCount;
        }
        return { added, head: await changed(tx, head, added, 'add', source) };
      });
    },

    screen(numbers, tenantId) {
      return screenOnce(db, numbers, tenantId);
    },

    read(listId, each) {
      return db.transaction(async (tx) => {
        await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        const head = (await tx.query<DncListHead>(`SELECT ${HEAD} FROM dnc_lists WHERE list_id = $1`, [listId])).rows[0];
        if (!head) return undefined;
        for (let after = [-1, -1]; ; ) {
          const { rows } = await tx.query<{ area_code: number; block: number; bits: Uint8Array }>(
            `SELECT area_code, block, bits FROM dnc_list_blocks WHERE list_id = $1 AND generation = $2 AND (area_code, block) > ($3, $4)
             ORDER BY area_code, block LIMIT ${PAGE}`,
            [listId, head.generation, after[0], after[1]],
          );
          for (const r of rows) await each({ areaCode: r.area_code, block: r.block, bits: r.bits });
          if (rows.length < PAGE) break;
          after = [rows.at(-1)!.area_code, rows.at(-1)!.block];
        }
        for (let after = ''; ; ) {
          // An entry already expired is left out; one that expires later carries its expiry.
          const { rows } = await tx.query<{ phone: string; expires: number | null }>(
            `SELECT phone, (extract(epoch FROM expires_at) * 1000)::float8 AS expires FROM dnc_list_numbers
             WHERE list_id = $1 AND generation = $2 AND phone > $3 AND (expires_at IS NULL OR expires_at > now()) ORDER BY phone LIMIT ${PAGE * 40}`,
            [listId, head.generation, after],
          );
          if (rows.length > 0) {
            await each(
              rows.some((r) => r.expires !== null)
                ? { phones: rows.map((r) => r.phone), expires: rows.map((r) => r.expires ?? 0) }
                : { phones: rows.map((r) => r.phone) },
            );
          }
          if (rows.length < PAGE * 40) break;
          after = rows.at(-1)!.phone;
        }
        return head;
      });
    },

    mergeBits(target, areaCode, firstBlock, bits, source) {
      return db.transaction(async (tx) => {
        const head = await lockedHead(tx, target);
        const count = Math.ceil(bits.length / BLOCK_BYTES);
        const blocks = Array.from({ length: count }, (_, i) => ({ areaCode, block: firstBlock + i, bits: new Uint8Array(BLOCK_BYTES) }));
        const { rows } = await tx.query<{ block: number; bits: Uint8Array }>(
          `SELECT block, bits FROM dnc_list_blocks WHERE list_id = $1 AND generation = $2 AND area_code = $3 AND block >= $4 AND block < $5`,
          [head.id, head.generation, areaCode, firstBlock, firstBlock + count],
        );
        for (const r of rows) blocks[r.block - firstBlock]!.bits.set(r.bits);
        let added = 0;
        blocks.forEach((b, i) => {
          const from = bits.subarray(i * BLOCK_BYTES, (i + 1) * BLOCK_BYTES);
          for (let j = 0; j < from.length; j++) {
            const fresh = from[j]! & ~b.bits[j]!;
            if (fresh === 0) continue;
            added += popcount(fresh);
            b.bits[j]! |= fresh;
          }
        });
        await writeBlocks(tx, head, blocks.filter((b) => b.bits.some((x) => x !== 0)));
        await changed(tx, head, added, 'import', source);
        return added;
      });
    },
  };
}

function popcount(byte: number): number {
  let n = 0;
  for (let b = byte; b; b &= b - 1) n++;
  return n;
}

/**
 * The heads of the lists a tenant's numbers are checked against, and the numbers on each, in one
 * statement: one snapshot for both (a list replaced meanwhile is seen old or new, never mixed),
 * without a transaction around two (a single lead is screened in one round trip).
 */
async function screenOnce(db: SqlClient, numbers: readonly string[], tenantId: string): Promise<{ lists: DncListHead[]; on: number[][] }> {
  const on: number[][] = numbers.map(() => []);
  if (numbers.length === 0) {
    const { rows } = await db.query<DncListHead>(`SELECT ${HEAD} FROM dnc_lists WHERE owner = '' OR owner = $1 ORDER BY owner <> '', list_id`, [tenantId]);
    return { lists: rows, on };
  }
  const split = numbers.map((n) => {
    const nanp = splitNanp(n);
    return nanp ? { areaCode: nanp.areaCode, ...bitOf(nanp.subscriber) } : undefined;
  });
  const { rows } = await db.query<{ lists: DncListHead[] | null; hits: string | null }>(
    `WITH l AS (SELECT * FROM dnc_lists WHERE owner = '' OR owner = $1),
     n AS (SELECT * FROM unnest($2::int[], $3::text[], $4::int[], $5::int[], $6::int[], $7::text[]) AS n(i, phone, ac, blk, bit, vk)),
     hit AS (
       SELECT n.i, l.list_id FROM n CROSS JOIN l
       WHERE CASE
         WHEN l.owner = '' AND n.ac IS NOT NULL THEN EXISTS (SELECT 1 FROM dnc_list_blocks b
           WHERE b.list_id = l.list_id AND b.generation = l.generation AND b.area_code = n.ac AND b.block = n.blk AND get_bit(b.bits, n.bit) = 1)
         ELSE EXISTS (SELECT 1 FROM dnc_list_numbers x WHERE x.list_id = l.list_id AND x.generation = l.generation AND x.phone = n.phone
           AND (x.expires_at IS NULL OR x.expires_at > now()))
       END
       AND n.vk = CASE l.kind WHEN 'suppression:email' THEN 'email' WHEN 'suppression:domain' THEN 'domain' ELSE 'phone' END)
     SELECT (SELECT json_agg(json_build_object(
               'id', list_id::text, 'kind', kind, 'owner', owner, 'version', version::float8, 'generation', generation::float8,
               'snapshotDate', coalesce(to_char(snapshot_date, 'YYYY-MM-DD'), '')) ORDER BY owner <> '', list_id) FROM l) AS lists,
            (SELECT string_agg(i || ' ' || list_id, ',') FROM hit) AS hits`,
    [
      tenantId,
      numbers.map((_, i) => i),
      numbers,
      split.map((s) => s?.areaCode ?? null),
      split.map((s) => s?.block ?? null),
      split.map((s) => (s ? pgBit(s.bit) : null)),
      numbers.map(valueKindOf),
    ],
  );
  const lists = rows[0]?.lists ?? [];
  const index = new Map(lists.map((l, i) => [l.id, i]));
  for (const pair of rows[0]?.hits?.split(',') ?? []) {
    const space = pair.indexOf(' ');
    on[Number(pair.slice(0, space))]!.push(index.get(pair.slice(space + 1))!);
  }
  for (const listed of on) listed.sort((a, b) => a - b);
  return { lists, on };
}
