import type { SqlClient } from '@leadflow/stores';
import { decodeBlocks, decodePlaces, encodePlaces } from './matching/sql-candidate-index.js';

/** The row (SQL expressions of its job and number) is in none of the tables persistence files a lead in. */
export const neverStored = (job: string, row: string) =>
  ['leads', 'duplicate_leads', 'suppressed_leads']
    .map((table) => `NOT EXISTS (SELECT 1 FROM ${table} f WHERE f.job_id = ${job} AND f.row_number = ${row})`)
    .join(' AND ');

/**
 * Forgets what dedup's tables (standalone mode) hold of the rows of these jobs that were never
 * stored: jobs whose process was killed between dedup and persistence. Their index entries (and
 * their places in the blocks) and their exact-key claims would make later rows duplicates of
 * leads that do not exist. After a crash of the database itself these unlogged tables are empty
 * already; this is for a process killed while the server ran on.
 */
export async function forgetRowsNeverStored(db: SqlClient, jobIds: readonly string[]): Promise<void> {
  if (jobIds.length === 0) return;
  await db.transaction(async (tx) => {
    const ownerJob = "left(c.owner, length(c.owner) - strpos(reverse(c.owner), ':'))";
    const ownerRow = "nullif(right(c.owner, strpos(reverse(c.owner), ':') - 1), '')::int";
    // A claim's owner is "jobId:rowNumber".
    await tx.query(`DELETE FROM dedup_claims c WHERE ${ownerJob} = ANY($1::text[]) AND ${neverStored(ownerJob, ownerRow)}`, [jobIds]);
    const { rows } = await tx.query<{ gone: string | null }>(
      `WITH gone AS (
         DELETE FROM dedup_index_entries e WHERE e.job_id = ANY($1::text[]) AND ${neverStored('e.job_id', 'e.row_number')}
         RETURNING e.tenant, e.place, e.blocks)
       SELECT string_agg(tenant || ' ' || place || ' ' || blocks, ',') AS gone FROM gone`,
      [jobIds],
    );
    // The blocks that held the places of the entries gone, by tenant.
    const byTenant = new Map<number, { places: Set<number>; blocks: Set<number> }>();
    for (const item of rows[0]?.gone?.split(',') ?? []) {
      const [tenant, place, blocks] = item.split(' ');
      const t = byTenant.get(Number(tenant)) ?? { places: new Set(), blocks: new Set() };
      byTenant.set(Number(tenant), t);
      t.places.add(Number(place));
      for (const b of decodeBlocks(blocks ?? '')) t.blocks.add(b);
    }
    for (const [tenant, gone] of byTenant) {
      const held = await tx.query<{ held: string | null }>(
        `SELECT string_agg(block || ' ' || places, ',') AS held FROM dedup_index_blocks
          WHERE tenant = $1 AND block = ANY(string_to_array($2, ',')::int8[])`,
        [tenant, [...gone.blocks].join(',')],
      );
      const kept = (held.rows[0]?.held?.split(',') ?? []).map((b) => {
        const [block, places] = b.split(' ');
        return `${block} ${encodePlaces(decodePlaces(places ?? '').filter((p) => !gone.places.has(p)))}`;
      });
      await tx.query(
        `UPDATE dedup_index_blocks d SET places = split_part(b, ' ', 2)
           FROM unnest(string_to_array($2, ',')) AS b
          WHERE d.tenant = $1 AND d.block = split_part(b, ' ', 1)::int8`,
        [tenant, kept.join(',')],
      );
    }
  });
}
