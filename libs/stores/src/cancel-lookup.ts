import type { LocalCancels } from './local-cancels.js';
import type { SqlClient } from './sql-client.js';

const UNDEFINED_TABLE = '42P01';
const UNDEFINED_COLUMN = '42703';

/**
 * Whether the gateway marked a job cancelled (its jobs table, migration 006). A database the
 * gateway has not migrated yet has no mark: nothing is cancelled there. `local`: the marks this
 * process knows without asking (local-cancels.ts; `leadflow serve` on its embedded database).
 */
export function sqlCancelLookup(db: SqlClient, local?: LocalCancels): (jobId: string) => Promise<boolean> {
  return async (jobId) => {
    const known = local?.known(jobId);
    if (known !== undefined) return known;
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
export function sqlCancelLookupMany(db: SqlClient, local?: LocalCancels): (jobIds: readonly string[]) => Promise<Set<string>> {
  return async (jobIds) => {
    const found = new Set<string>();
    const ask: string[] = [];
    for (const jobId of jobIds) {
      const known = local?.known(jobId);
      if (known === undefined) ask.push(jobId);
      else if (known) found.add(jobId);
    }
    if (ask.length === 0) return found;
    try {
      const { rows } = await db.query<{ id: string }>('SELECT id FROM jobs WHERE id = ANY($1::text[]) AND cancelled_at IS NOT NULL', [ask]);
      for (const r of rows) found.add(r.id);
      return found;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === UNDEFINED_TABLE || code === UNDEFINED_COLUMN) return found;
      throw err;
    }
  };
}
