import type { SqlClient } from '@leadflow/stores';
import { enterInOrder, MAX_BLOCK_SIZE, type CandidateIndex, type IndexEntry, type PlaceBook } from './candidate-index.js';
import { blockHash, decodeEntries, encodeEntry } from './index-entry-codec.js';

// Tables: services/dedup/migrations/001_dedup_state.sql. A batch is read in two statements
// (the tenant; the places of its rows and the blocks they name), entered in memory by the same
// algorithm as every index (enterInOrder), and written back in one more, in one transaction.
// (soleWriter: the tenant is known from the batch before.)

/** A place in a block's list: 8 base-36 digits (2.8 × 10^12 places a tenant). */
const PLACE_WIDTH = 8;
/** A block hash (53 bits) in an entry's list of blocks: 11 base-36 digits. */
const BLOCK_WIDTH = 11;

const fixed = (n: number, width: number) => n.toString(36).padStart(width, '0');

function unfixed(text: string, width: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i += width) out.push(parseInt(text.slice(i, i + width), 36));
  return out;
}

/** The places of a block as stored. */
export const encodePlaces = (places: readonly number[]) => places.map((p) => fixed(p, PLACE_WIDTH)).join('');
export const decodePlaces = (text: string) => unfixed(text, PLACE_WIDTH);
/** The blocks an entry joined, as stored. */
export const encodeBlocks = (blocks: readonly number[]) => blocks.map((b) => fixed(b, BLOCK_WIDTH)).join('');
export const decodeBlocks = (text: string) => unfixed(text, BLOCK_WIDTH);

/** "a b,c d" → [a, b], [c, d]. */
function* pairs(text: string | null | undefined): Generator<[string, string]> {
  if (!text) return;
  for (const pair of text.split(',')) {
    const space = pair.indexOf(' ');
    yield [pair.slice(0, space), pair.slice(space + 1)];
  }
}

const REBUILD_LEASE = "interval '15 minutes'";

/**
 * The blocking index in PostgreSQL tables (the embedded database in standalone mode, or the
 * server `DATABASE_URL` names): it grows on disk, not in the process, and outlives it. The
 * tenant's row is locked for the whole of an `enter`, so that processes sharing the database
 * enter their rows one batch after another, in one order, as the Redis script does.
 */
export interface SqlCandidateIndexOptions {
  /**
   * This process is the only one that writes the tables (the embedded database of `leadflow
   * serve`/`run`, held by its data folder's lock): each tenant's number and last place, and that
   * its index is built, are kept in memory once read, not read (and locked) again each batch.
   * @default false
   */
  soleWriter?: boolean;
}

export function createSqlCandidateIndex(db: SqlClient, opts: SqlCandidateIndexOptions = {}): CandidateIndex {
  const sole = opts.soleWriter === true;
  /** soleWriter: a tenant's row as this process last committed it. */
  const tenants = new Map<string, { id: number; last: number }>();
  /** soleWriter: the tenants whose index is built (only clear() unbuilds one, here). */
  const built = new Set<string>();
  /** Counts the clears: an answer read before one is not kept. */
  let clears = 0;
  const tenantNumber = `(SELECT id FROM dedup_index_tenants WHERE tenant_id = $1)`;
  return {
    async enter(tenantId, rows, perBlock, most) {
      if (rows.length === 0) return [];
      const blocksOf = rows.map((r) => r.blocks.map(blockHash));
      const entering = db.transaction(async (tx) => {
        let tenant = sole ? tenants.get(tenantId) : undefined;
        if (!tenant) {
          // Updating the row (to itself) locks it until the transaction ends.
          const [row] = (
            await tx.query<{ id: number; last_place: string | number }>(
              `INSERT INTO dedup_index_tenants AS t (tenant_id) VALUES ($1)
               ON CONFLICT (tenant_id) DO UPDATE SET last_place = t.last_place
               RETURNING id, last_place`,
              [tenantId],
            )
          ).rows;
          tenant = { id: row!.id, last: Number(row!.last_place) };
        }
        const id = tenant.id;
        // Reads answer in one row of one text: PGlite hands each row of a result to JS at a cost
        // (a batch's 6,000 blocks read as rows take twice the time), and a block id or a place
        // never holds a space or a comma. The rows' places and their blocks in one statement.
        const { rows: read } = await tx.query<{ known: string | null; held: string | null }>(
          `SELECT (SELECT string_agg(r.n || ' ' || e.place, ',')
                     FROM unnest($2::text[], $3::int[]) WITH ORDINALITY AS r(job_id, row_number, n)
                     JOIN dedup_index_entries e ON e.tenant = $1 AND e.job_id = r.job_id AND e.row_number = r.row_number) AS known,
                  (SELECT string_agg(block || ' ' || places, ',') FROM dedup_index_blocks
                    WHERE tenant = $1 AND block = ANY(string_to_array($4, ',')::int8[])) AS held`,
          [id, rows.map((r) => r.entry.jobId), rows.map((r) => r.entry.rowNumber), [...new Set(blocksOf.flat())].join(',')],
        );
        const book: PlaceBook<number> = { places: new Map(), blocks: new Map(), last: tenant.last };
        for (const pair of pairs(read[0]?.known)) book.places.set(rows[Number(pair[0]) - 1]!.entry.owner, Number(pair[1]));
        for (const pair of pairs(read[0]?.held)) book.blocks.set(Number(pair[0]), decodePlaces(pair[1]));
        const entered = enterInOrder(book, rows.map((r, i) => ({ owner: r.entry.owner, blocks: blocksOf[i]! })), perBlock, most);

        // The candidates' entries: this batch's from the rows, the others from the table.
        const local = new Map(entered.fresh.map((i) => [book.places.get(rows[i]!.entry.owner)!, rows[i]!.entry]));
        const wanted = [...new Set(entered.found.flat())].filter((p) => !local.has(p));
        const stored = new Map<number, IndexEntry>();
        if (wanted.length > 0) {
          // An entry is JSON, which holds no line break.
          const { rows: found } = await tx.query<{ found: string | null }>(
            `SELECT string_agg(place || ' ' || entry, E'\\n') AS found FROM dedup_index_entries
              WHERE tenant = $1 AND place = ANY(string_to_array($2, ',')::int8[])`,
            [id, wanted.join(',')],
          );
          const lines = found[0]?.found?.split('\n') ?? [];
          const decoded = decodeEntries(lines.map((l) => l.slice(l.indexOf(' ') + 1)).join(','));
          lines.forEach((l, i) => stored.set(Number(l.slice(0, l.indexOf(' '))), decoded[i]!));
        }

        if (entered.fresh.length > 0) {
          const fresh = entered.fresh.map((i) => rows[i]!.entry);
          // Each block gets only the places this batch added to it, appended in SQL: the newest
          // MAX_BLOCK_SIZE are kept (the oldest dropped), as enterInOrder kept them.
          const before = tenant.last;
          const added = [...entered.changed].map((b) => `${b} ${encodePlaces(book.blocks.get(b)!.filter((p) => p > before))}`);
          // The new entries, the blocks and the tenant's last place written by one statement (one round trip).
          await tx.query(
            `WITH t AS (UPDATE dedup_index_tenants SET last_place = $3 WHERE id = $1),
             e AS (INSERT INTO dedup_index_entries (tenant, place, job_id, row_number, entry, blocks)
                   SELECT $1, * FROM unnest($4::int8[], $5::text[], $6::int[], $7::text[], $8::text[]))
             INSERT INTO dedup_index_blocks AS d (tenant, block, places)
             SELECT $1, split_part(b, ' ', 1)::int8, split_part(b, ' ', 2) FROM unnest(string_to_array($2, ',')) AS b
             ON CONFLICT (tenant, block) DO UPDATE SET places = right(d.places || excluded.places, ${MAX_BLOCK_SIZE * PLACE_WIDTH})`,
            [
              id, added.join(','), book.last,
              fresh.map((e) => book.places.get(e.owner)!), fresh.map((e) => e.jobId), fresh.map((e) => e.rowNumber),
              fresh.map(encodeEntry), entered.fresh.map((i) => encodeBlocks(blocksOf[i]!)),
            ],
          );
        }
        // Set before the commit, while no other transaction can run (the next one reads it); dropped if the commit fails.
        if (sole) tenants.set(tenantId, { id, last: book.last });
        // A place whose entry is gone (a row never stored, forgotten since) is left out.
        return entered.found.map((places) => places.map((p) => local.get(p) ?? stored.get(p)).filter((e): e is IndexEntry => e !== undefined));
      });
      if (!sole) return entering;
      return entering.catch((err) => {
        tenants.delete(tenantId);
        throw err;
      });
    },
    async markDuplicates(tenantId, entries) {
      if (entries.length === 0) return;
      await db.query(
        `UPDATE dedup_index_entries e SET entry = r.entry
           FROM unnest($2::text[], $3::int[], $4::text[]) AS r(job_id, row_number, entry)
          WHERE e.tenant = ${tenantNumber} AND e.job_id = r.job_id AND e.row_number = r.row_number`,
        [tenantId, entries.map((e) => e.jobId), entries.map((e) => e.rowNumber), entries.map(encodeEntry)],
      );
    },
    async isBuilt(tenantId) {
      if (built.has(tenantId)) return true;
      const asked = clears;
      const { rows } = await db.query<{ built: boolean }>('SELECT built FROM dedup_index_tenants WHERE tenant_id = $1', [tenantId]);
      const yes = rows[0]?.built === true;
      if (yes && sole && asked === clears) built.add(tenantId);
      return yes;
    },
    async markBuilt(tenantId) {
      await db.query(
        'INSERT INTO dedup_index_tenants (tenant_id, built) VALUES ($1, true) ON CONFLICT (tenant_id) DO UPDATE SET built = true',
        [tenantId],
      );
    },
    async lockRebuild(tenantId) {
      await db.query('INSERT INTO dedup_index_tenants (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO NOTHING', [tenantId]);
      const { rows } = await db.query(
        `UPDATE dedup_index_tenants SET rebuilding_until = now() + ${REBUILD_LEASE}
          WHERE tenant_id = $1 AND (rebuilding_until IS NULL OR rebuilding_until < now()) RETURNING id`,
        [tenantId],
      );
      return rows.length === 1;
    },
    async unlockRebuild(tenantId) {
      await db.query('UPDATE dedup_index_tenants SET rebuilding_until = NULL WHERE tenant_id = $1', [tenantId]);
    },
    async clear(tenantId) {
      // A tenant keeps its number and its last place: a process that cached neither can go on.
      // Unbuilt from the start of the transaction: a batch meanwhile asks the table (and waits for it).
      clears++;
      if (tenantId === undefined) built.clear();
      else built.delete(tenantId);
      await db.transaction(async (tx) => {
        const which = tenantId === undefined ? 'true' : `tenant = ${tenantNumber}`;
        const params = tenantId === undefined ? [] : [tenantId];
        await tx.query(`DELETE FROM dedup_index_entries WHERE ${which}`, params);
        await tx.query(`DELETE FROM dedup_index_blocks WHERE ${which}`, params);
        await tx.query(
          `UPDATE dedup_index_tenants SET built = false, rebuilding_until = NULL WHERE ${tenantId === undefined ? 'true' : 'tenant_id = $1'}`,
          params,
        );
      });
    },
  };
}
