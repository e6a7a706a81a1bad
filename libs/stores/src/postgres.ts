import pg from 'pg';
import type { QueryResult, SqlClient } from './sql-client.js';

function wrap(q: pg.Pool | pg.PoolClient): Omit<SqlClient, 'transaction' | 'close' | 'holdLock'> {
  return {
    kind: 'postgres',
    async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const res = await q.query(text, params as unknown[] | undefined);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
    },
    async exec(text: string) {
      await q.query(text);
    },
  };
}

/** A pooled client of a PostgreSQL server. */
export function createPostgres(opts: { url: string; maxConnections?: number; applicationName?: string }): SqlClient {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.maxConnections ?? 10,
    application_name: opts.applicationName ?? 'leadflow',
  });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const base = wrap(pool);
  return {
    ...base,
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      const tx: SqlClient = {
        ...wrap(client),
        transaction: (inner) => inner(tx),
        holdLock: () => Promise.reject(new Error('a session lock cannot be taken inside a transaction')),
        close: async () => {},
      };
      try {
        await client.query('BEGIN');
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async holdLock(name) {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
      } catch (err) {
        client.release();
        throw err;
      }
      return async () => {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]).catch(() => {});
        client.release();
      };
    },
    close: () => pool.end(),
  };
}
