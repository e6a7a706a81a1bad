import { BLOCK_BYTES, isSuppressionKind, type DncListHead, type DncListKind } from './dnc-lists.js';
import { loadSuppressionList } from './sql-suppression-load.js';
import { DncLineReader, type LineOp } from './dnc-file-lines.js';
import type { DncFilePart } from './dnc-file-source.js';
import type { SqlClient } from './sql-client.js';

/** `add`: the numbers join the list; `replace`: the files are the whole list; `changes`: each line adds or deletes (the FTC's change lists). */
export type DncLoadMode = 'add' | 'replace' | 'changes';

export interface DncLoadRequest {
  kind: DncListKind;
  /** '' for a shared list; else the tenant whose list it is. */
  owner: string;
  mode: DncLoadMode;
  /** Who or what the numbers come from, kept in the list's changes. */
  source: string;
  /** YYYY-MM-DD the content is as of; default today. */
  snapshotDate?: string;
  /** Reads a spelling the fast path does not: E.164 or undefined. */
  normalize: (text: string) => string | undefined;
}

export interface DncLoadProblem {
  file: string;
  line: number;
  problem: string;
}

export interface DncLoadResult {
  head: DncListHead;
  /** Numbers read from the files (lines that held one). */
  numbers: number;
  added: number;
  removed: number;
  size: number;
  badLines: number;
  /** The first problems, in order (at most 20). */
  problems: DncLoadProblem[];
}

/** A load refused, nothing of it in force: `DNC_IMPORT_INVALID` (the files), `DNC_LIST_BUSY` (another replacement loads). */
export class DncLoadError extends Error {
  constructor(
    readonly code: 'DNC_IMPORT_INVALID' | 'DNC_LIST_BUSY',
    message: string,
    readonly problems: DncLoadProblem[] = [],
  ) {
    super(message);
    this.name = 'DncLoadError';
  }
}

const BLOCKS_PER_AREA = Math.ceil(10_000_000 / 8 / BLOCK_BYTES);
const AREA_BYTES = BLOCKS_PER_AREA * BLOCK_BYTES;
/** Area codes held in memory at once by a replacement (1.25 MB each): an FTC download comes sorted, so each is written once. */
const AREAS_IN_MEMORY = 24;
const ROWS_AT_ONCE = 10_000;
const OPS_AT_ONCE = 500_000;
const MAX_PROBLEMS = 20;
/** A replacement whose lines are more than 1% problems is refused: most likely the wrong file. */
const BAD_SHARE = 0.01;
/** A replacement left loading this long (its process died) no longer keeps another from starting. */
const STALE_LOAD = '15 minutes';
const WRITE_BLOCKS = 16;
/** Blocks written by one statement of a replacement (512 KiB). */
const REPLACE_WRITE_BLOCKS = 64;

const HEAD = `list_id::text AS id, kind, owner, version::float8 AS version, generation::float8 AS generation,
  coalesce(to_char(snapshot_date, 'YYYY-MM-DD'), '') AS "snapshotDate"`;
/** Whether the block of `bytes` at `at` holds no bit (blocks start at multiples of 8 KiB: read 32 bits at a time). */
function isZero(bytes: Uint8Array, at: number): boolean {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + at, BLOCK_BYTES / 4);
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
  return true;
}

/** Bits set in `bytes` (a whole bitmap, its length a multiple of 4). */
function popcount(bytes: Uint8Array): number {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
  let n = 0;
  for (let i = 0; i < words.length; i++) {
    let v = words[i]!;
    if (v === 0) continue;
    v -= (v >>> 1) & 0x55555555;
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    n += (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
  }
  return n;
}
const phoneOf = (areaCode: number, subscriber: number) => `+1${areaCode}${String(subscriber).padStart(7, '0')}`;

/**
 * Loads files into a list (docs/dnc-lists.md, "Import"), streaming. A replacement writes a new
 * generation beside the one in force (North American numbers of a shared list as area-code
 * bitmaps, built in memory a few area codes at a time, written as 8 KiB blocks), then switches to
 * it in one commit and deletes the old one: a reader sees the old list or the new, never a mix.
 * An addition or a change list is one transaction on the generation in force.
 */
export async function loadDncList(db: SqlClient, req: DncLoadRequest, parts: AsyncIterable<DncFilePart>): Promise<DncLoadResult> {
  await db.query(`INSERT INTO dnc_lists (kind, owner, source) VALUES ($1, $2, $3) ON CONFLICT (kind, owner) DO NOTHING`, [
    req.kind,
    req.owner,
    req.owner ? 'the tenant' : 'none loaded',
  ]);
  if (isSuppressionKind(req.kind)) return loadSuppressionList(db, req, parts);
  return req.mode === 'replace' ? replace(db, req, parts) : change(db, req, parts);
}

/** Reads every part's lines into `sink`, collecting problems. */
async function readParts(
  parts: AsyncIterable<DncFilePart>,
  changes: boolean,
  normalize: DncLoadRequest['normalize'],
  nanp: (areaCode: number, subscriber: number, op: LineOp) => void,
  other: (e164: string, op: LineOp) => void,
  every: () => Promise<void>,
): Promise<{ numbers: number; badLines: number; problems: DncLoadProblem[] }> {
  const problems: DncLoadProblem[] = [];
  let numbers = 0;
  let badLines = 0;
  for await (const part of parts) {
    const reader = new DncLineReader(
      { nanp, other, bad: (line, problem) => void (problems.length < MAX_PROBLEMS && problems.push({ file: part.name, line, problem })) },
      { changes, normalize },
    );
    for await (const chunk of part.chunks) {
      reader.push(chunk);
      await every();
    }
    reader.end();
    numbers += reader.numbers;
    badLines += reader.badLines;
  }
  await every();
  return { numbers, badLines, problems };
}

async function replace(db: SqlClient, req: DncLoadRequest, parts: AsyncIterable<DncFilePart>): Promise<DncLoadResult> {
  const { id, gen, bits } = await db.transaction(async (tx) => {
    const row = (
      await tx.query<{ id: string; owner: string; busy: boolean }>(
        `SELECT list_id::text AS id, owner, loading_generation IS NOT NULL AND loading_at > now() - interval '${STALE_LOAD}' AS busy
         FROM dnc_lists WHERE kind = $1 AND owner = $2 FOR UPDATE`,
        [req.kind, req.owner],
      )
    ).rows[0]!;
    if (row.busy) throw new DncLoadError('DNC_LIST_BUSY', `the ${req.kind} list is being replaced by another load; try again when it is done`);
    const g = (await tx.query<{ gen: string }>(`SELECT nextval('dnc_list_generations')::text AS gen`)).rows[0]!.gen;
    await tx.query(`UPDATE dnc_lists SET loading_generation = $2, loading_at = now() WHERE list_id = $1`, [row.id, g]);
    return { id: row.id, gen: g, bits: row.owner === '' };
  });

  const areas = new Map<number, Uint8Array>();
  const written = new Set<number>();
  /** Numbers on each area code's bitmap as written: the list's size without reading the bitmaps back. */
  const areaBits = new Map<number, number>();
  let rows: string[] = [];
  let pending: Promise<void> = Promise.resolve();
  let inflight = 0;

  async function writeArea(areaCode: number, bitmap: Uint8Array) {
    if (written.has(areaCode)) {
      // Seen before and written: what was written joins what came since.
      const { rows: stored } = await db.query<{ block: number; bits: Uint8Array }>(
        `SELECT block, bits FROM dnc_list_blocks WHERE list_id = $1 AND generation = $2 AND area_code = $3`,
        [id, gen, areaCode],
      );
      for (const r of stored) {
        const at = r.block * BLOCK_BYTES;
        for (let i = 0; i < BLOCK_BYTES; i++) bitmap[at + i]! |= r.bits[i]!;
      }
    }
    written.add(areaCode);
    const buf = Buffer.from(bitmap.buffer, bitmap.byteOffset, bitmap.length);
    areaBits.set(areaCode, popcount(bitmap));
    let blocks: number[] = [];
    const flush = async () => {
      if (blocks.length === 0) return;
      // Each block its own parameter: node-postgres sends a Buffer as binary, where an array of them goes as hex text.
      const params: unknown[] = [id, gen, areaCode];
      const values = blocks.map((b) => {
        params.push(b, buf.subarray(b * BLOCK_BYTES, (b + 1) * BLOCK_BYTES));
        return `($1, $2, $3, $${params.length - 1}::smallint, $${params.length}::bytea)`;
      });
      await db.query(
        `INSERT INTO dnc_list_blocks (list_id, generation, area_code, block, bits) VALUES ${values.join(', ')}
         ON CONFLICT (list_id, generation, area_code, block) DO UPDATE SET bits = EXCLUDED.bits`,
        params,
      );
      blocks = [];
    };
    for (let b = 0; b < BLOCKS_PER_AREA; b++) {
      if (isZero(bitmap, b * BLOCK_BYTES)) continue;
      blocks.push(b);
      if (blocks.length === REPLACE_WRITE_BLOCKS) await flush();
    }
    await flush();
  }

  async function writeRows(phones: string[]) {
    if (phones.length === 0) return;
    await db.query(`INSERT INTO dnc_list_numbers (list_id, generation, phone) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`, [id, gen, phones]);
  }

  /** Writes are chained one at a time behind the reading, which waits when they fall behind. */
  const queue: (() => Promise<void>)[] = [];
  const enqueue = (job: () => Promise<void>) => queue.push(job);

  let current = -1;
  let bitmap: Uint8Array | undefined;
  try {
    const read = await readParts(
      parts,
      false,
      req.normalize,
      (areaCode, subscriber) => {
        if (!bits) {
          rows.push(phoneOf(areaCode, subscriber));
          if (rows.length >= ROWS_AT_ONCE) {
            const batch = rows;
            rows = [];
            enqueue(() => writeRows(batch));
          }
          return;
        }
        if (areaCode !== current) {
          bitmap = areas.get(areaCode);
          if (!bitmap) {
            if (areas.size >= AREAS_IN_MEMORY) {
              // The area code touched longest ago (a Map keeps insertion order; touched ones are moved to its end).
              const [oldest, map] = areas.entries().next().value as [number, Uint8Array];
              areas.delete(oldest);
              enqueue(() => writeArea(oldest, map));
            }
            bitmap = new Uint8Array(AREA_BYTES);
          } else areas.delete(areaCode);
          areas.set(areaCode, bitmap);
          current = areaCode;
        }
        bitmap![subscriber >> 3]! |= 0x80 >> (subscriber & 7);
      },
      (e164) => {
        rows.push(e164);
        if (rows.length >= ROWS_AT_ONCE) {
          const batch = rows;
          rows = [];
          enqueue(() => writeRows(batch));
        }
      },
      async () => {
        // Writing overlaps reading: the reader waits only when more than two writes are behind it.
        while (queue.length > 0) {
          const job = queue.shift()!;
          inflight++;
          pending = pending.then(job).finally(() => inflight--);
          // Its failure is thrown where it is awaited, not as an unhandled rejection meanwhile.
          pending.catch(() => {});
        }
        if (inflight > 2) await pending;
      },
    );
    await pending;
    const problems = read.problems;
    if (read.numbers === 0) throw new DncLoadError('DNC_IMPORT_INVALID', 'no number was read: the list in force is kept', problems);
    if (read.badLines > Math.max(MAX_PROBLEMS, read.numbers * BAD_SHARE)) {
      throw new DncLoadError(
        'DNC_IMPORT_INVALID',
        `${read.badLines} of ${read.numbers + read.badLines} lines hold no number (more than 1%, and more than 20): the list in force is kept; is this the right file?`,
        problems,
      );
    }
    for (const [areaCode, map] of areas) await writeArea(areaCode, map);
    areas.clear();
    await writeRows(rows);
    rows = [];

    const { size } = (
      await db.query<{ size: number }>(
        `SELECT $3::float8 + (SELECT count(*) FROM dnc_list_numbers WHERE list_id = $1 AND generation = $2)::float8 AS size`,
        [id, gen, [...areaBits.values()].reduce((a, b) => a + b, 0)],
      )
    ).rows[0]!;
    const { head, before } = await db.transaction(async (tx) => {
      const old = (await tx.query<{ size: number; loading: string | null }>(`SELECT size::float8 AS size, loading_generation::text AS loading FROM dnc_lists WHERE list_id = $1 FOR UPDATE`, [id])).rows[0]!;
      if (old.loading !== gen) throw new DncLoadError('DNC_LIST_BUSY', `the ${req.kind} list was taken over by another load`);
      const next = (
        await tx.query<DncListHead>(
          `UPDATE dnc_lists SET generation = $2, version = version + 1, size = $3, snapshot_date = coalesce($4::date, current_date),
             source = $5, changed_at = now(), loading_generation = NULL, loading_at = NULL
           WHERE list_id = $1 RETURNING ${HEAD}`,
          [id, gen, size, req.snapshotDate ?? null, req.source],
        )
      ).rows[0]!;
      await tx.query(
        `INSERT INTO dnc_list_changes (list_id, version, change, numbers, removed, source, snapshot_date) VALUES ($1, $2, 'replace', $3, $4, $5, $6::date)`,
        [id, next.version, size, old.size, req.source, next.snapshotDate],
      );
      return { head: next, before: old.size };
    });
    await dropOtherGenerations(db, id, gen);
    return { head, numbers: read.numbers, added: size, removed: before, size, badLines: read.badLines, problems };
  } catch (err) {
    await pending.catch(() => {});
    await db.query(`UPDATE dnc_lists SET loading_generation = NULL, loading_at = NULL WHERE list_id = $1 AND loading_generation = $2`, [id, gen]).catch(() => {});
    await dropGeneration(db, id, gen).catch(() => {});
    throw err;
  }
}

async function dropGeneration(db: SqlClient, id: string, gen: string) {
  await db.query(`DELETE FROM dnc_list_blocks WHERE list_id = $1 AND generation = $2`, [id, gen]);
  await db.query(`DELETE FROM dnc_list_numbers WHERE list_id = $1 AND generation = $2`, [id, gen]);
}

/** After a switch: the rows of every generation but the one in force (the old one, a load that died half-way). */
async function dropOtherGenerations(db: SqlClient, id: string, gen: string) {
  await db.query(`DELETE FROM dnc_list_blocks WHERE list_id = $1 AND generation <> $2`, [id, gen]);
  await db.query(`DELETE FROM dnc_list_numbers WHERE list_id = $1 AND generation <> $2`, [id, gen]);
}

async function change(db: SqlClient, req: DncLoadRequest, parts: AsyncIterable<DncFilePart>): Promise<DncLoadResult> {
  return db.transaction(async (tx) => {
    const head = (await tx.query<DncListHead>(`SELECT ${HEAD} FROM dnc_lists WHERE kind = $1 AND owner = $2 FOR UPDATE`, [req.kind, req.owner])).rows[0]!;
    const bits = head.owner === '';
    // The last word on a number wins: later lines (and files) overrule earlier ones.
    let ops = new Map<number, Map<number, LineOp>>();
    let phones = new Map<string, LineOp>();
    let count = 0;
    let added = 0;
    let removed = 0;

    async function applyBits(batch: Map<number, Map<number, LineOp>>) {
      for (const [areaCode, subs] of batch) {
        const byBlock = new Map<number, [number, LineOp][]>();
        for (const [sub, op] of subs) {
          const b = Math.floor(sub / (BLOCK_BYTES * 8));
          let list = byBlock.get(b);
          if (!list) byBlock.set(b, (list = []));
          list.push([sub - b * BLOCK_BYTES * 8, op]);
        }
        const wanted = [...byBlock.keys()];
        const { rows } = await tx.query<{ block: number; bits: Uint8Array }>(
          `SELECT block, bits FROM dnc_list_blocks WHERE list_id = $1 AND generation = $2 AND area_code = $3 AND block = ANY($4::smallint[])`,
          [head.id, head.generation, areaCode, wanted],
        );
        const stored = new Map(rows.map((r) => [r.block, Buffer.from(r.bits)]));
        const out: { block: number; bits: Buffer }[] = [];
        for (const [b, list] of byBlock) {
          const block = stored.get(b) ?? Buffer.alloc(BLOCK_BYTES);
          let touched = false;
          for (const [bit, op] of list) {
            const mask = 0x80 >> (bit & 7);
            const on = (block[bit >> 3]! & mask) !== 0;
            if (op === 'add' && !on) {
              block[bit >> 3]! |= mask;
              added++;
              touched = true;
            } else if (op === 'delete' && on) {
              block[bit >> 3]! &= ~mask;
              removed++;
              touched = true;
            }
          }
          if (touched) out.push({ block: b, bits: block });
        }
        for (let i = 0; i < out.length; i += WRITE_BLOCKS) {
          const part = out.slice(i, i + WRITE_BLOCKS);
          await tx.query(
            `INSERT INTO dnc_list_blocks (list_id, generation, area_code, block, bits)
             SELECT $1, $2, $3, * FROM unnest($4::smallint[], $5::bytea[])
             ON CONFLICT (list_id, generation, area_code, block) DO UPDATE SET bits = EXCLUDED.bits`,
            [head.id, head.generation, areaCode, part.map((p) => p.block), part.map((p) => p.bits)],
          );
        }
      }
    }

    async function applyRows(batch: Map<string, LineOp>) {
      const adds = [...batch].filter(([, op]) => op === 'add').map(([p]) => p);
      const dels = [...batch].filter(([, op]) => op === 'delete').map(([p]) => p);
      if (adds.length > 0) {
        added += (
          await tx.query(`INSERT INTO dnc_list_numbers (list_id, generation, phone) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`, [
            head.id,
            head.generation,
            adds,
          ])
        ).rowCount;
      }
      if (dels.length > 0) {
        removed += (await tx.query(`DELETE FROM dnc_list_numbers WHERE list_id = $1 AND generation = $2 AND phone = ANY($3::text[])`, [head.id, head.generation, dels])).rowCount;
      }
    }

    const other = (e164: string, op: LineOp) => {
      phones.delete(e164);
      phones.set(e164, op);
      count++;
    };
    const read = await readParts(
      parts,
      req.mode === 'changes',
      req.normalize,
      (areaCode, subscriber, op) => {
        if (!bits) return other(phoneOf(areaCode, subscriber), op);
        let subs = ops.get(areaCode);
        if (!subs) ops.set(areaCode, (subs = new Map()));
        subs.delete(subscriber);
        subs.set(subscriber, op);
        count++;
      },
      other,
      async () => {
        if (count < OPS_AT_ONCE) return;
        const [b, p] = [ops, phones];
        ops = new Map();
        phones = new Map();
        count = 0;
        await applyBits(b);
        await applyRows(p);
      },
    );
    if (read.numbers === 0) throw new DncLoadError('DNC_IMPORT_INVALID', 'no number was read: the list is unchanged', read.problems);
    await applyBits(ops);
    await applyRows(phones);
    let next = head;
    if (added + removed > 0 || req.snapshotDate) {
      next = (
        await tx.query<DncListHead>(
          `UPDATE dnc_lists SET version = version + 1, size = size + $2, changed_at = now(), snapshot_date = coalesce($3::date, current_date)
           WHERE list_id = $1 RETURNING ${HEAD}`,
          [head.id, added - removed, req.snapshotDate ?? null],
        )
      ).rows[0]!;
      await tx.query(
        `INSERT INTO dnc_list_changes (list_id, version, change, numbers, removed, source, snapshot_date) VALUES ($1, $2, $3, $4, $5, $6, $7::date)`,
        [next.id, next.version, req.mode, added, removed, req.source, next.snapshotDate],
      );
    }
    const size = (await tx.query<{ size: number }>(`SELECT size::float8 AS size FROM dnc_lists WHERE list_id = $1`, [head.id])).rows[0]!.size;
    return { head: next, numbers: read.numbers, added, removed, size, badLines: read.badLines, problems: read.problems };
  });
}

/** A list as `GET /v1/dnc/lists` shows it. */
export interface DncListSummary {
  list: string;
  kind: DncListKind;
  shared: boolean;
  source: string;
  snapshotDate: string;
  /** Whole days since the snapshot date; null while never loaded. */
  ageDays: number | null;
  version: number;
  size: number;
  changedAt: string;
}

/** Every list a tenant's numbers are screened against: the shared ones, then its own. */
export async function dncListSummaries(db: SqlClient, tenantId: string): Promise<DncListSummary[]> {
  const { rows } = await db.query<DncListSummary>(
    `SELECT kind AS list, kind, owner = '' AS shared, source, coalesce(to_char(snapshot_date, 'YYYY-MM-DD'), '') AS "snapshotDate",
       (current_date - snapshot_date)::int AS "ageDays", version::float8 AS version, size::float8 AS size,
       to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "changedAt"
     FROM dnc_lists WHERE owner = '' OR owner = $1 ORDER BY owner <> '', kind`,
    [tenantId],
  );
  return rows;
}
