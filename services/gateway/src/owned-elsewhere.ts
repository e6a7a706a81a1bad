import type { SqlClient } from '@leadflow/stores';

const UNDEFINED_TABLE = '42P01';

/** What a read of tables another service owns gives, or `none` before that service has created them. */
export async function ownedElsewhere<T>(read: Promise<T>, none: T): Promise<T> {
  try {
    return await read;
  } catch (err) {
    if ((err as { code?: string }).code === UNDEFINED_TABLE) return none;
    throw err;
  }
}

/** Reads a table another service owns; before that service has created it, there is nothing to read. */
export const readOwnedElsewhere = async <R>(db: SqlClient, sql: string, params: unknown[]): Promise<R[]> =>
  ownedElsewhere(db.query<R>(sql, params).then((r) => r.rows), []);
