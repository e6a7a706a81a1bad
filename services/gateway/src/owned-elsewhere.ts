import type { SqlClient } from '@leadflow/stores';

const UNDEFINED_TABLE = '42P01';

/** Reads a table another service owns; before that service has created it, there is nothing to read. */
export async function readOwnedElsewhere<R>(db: SqlClient, sql: string, params: unknown[]): Promise<R[]> {
  try {
    return (await db.query<R>(sql, params)).rows;
  } catch (err) {
    if ((err as { code?: string }).code === UNDEFINED_TABLE) return [];
    throw err;
  }
}
