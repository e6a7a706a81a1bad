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
