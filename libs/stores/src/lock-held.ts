import type { SqlClient } from './sql-client.js';

/**
 * Whether another session holds the advisory lock `name` (see SqlClient.holdLock), so the
 * process that took it still runs. Asked inside a transaction, the lock is let go at once. The
 * session that holds the lock itself always gets false.
 */
export async function isLockHeld(db: SqlClient, name: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ free: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS free', [name]);
    return rows[0]?.free === false;
  });
}
