import type { SqlClient } from './sql-client.js';

const UNDEFINED_TABLE = '42P01';
const UNDEFINED_COLUMN = '42703';

/**
 * Whether the gateway marked a job cancelled (its jobs table, migration 006). A database the
 * gateway has not migrated yet has no mark: nothing is cancelled there.
 */
export function sqlCancelLookup(db: SqlClient): (jobId: string) => Promise<boolean> {
  return async (jobId) => {
    try {
      const { rows } = await db.query<{ cancelled: boolean }>('SELECT cancelled_at IS NOT NULL AS cancelled FROM jobs WHERE id = $1', [jobId]);
      return rows[0]?.cancelled === true;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === UNDEFINED_TABLE || code === UNDEFINED_COLUMN) return false;
      throw err;
    }
  };
}

/** The jobs among `jobIds` the gateway marked cancelled, in one statement (as sqlCancelLookup, for several). */
export function sqlCancelLookupMany(db: SqlClient): (jobIds: readonly string[]) => Promise<Set<string>> {
  return async (jobIds) => {
    try {
      const { rows } = await db.query<{ id: string }>('SELECT id FROM jobs WHERE id = ANY($1::text[]) AND cancelled_at IS NOT NULL', [jobIds]);
      return new Set(rows.map((r) => r.id));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === UNDEFINED_TABLE || code === UNDEFINED_COLUMN) return new Set();
      throw err;
    }
  };
}
