import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { QueryResult, SqlClient } from './sql-client.js';

function wrap(q: PGlite | Transaction): Omit<SqlClient, 'transaction' | 'close'> {
  return {
    kind: 'pglite',
    async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const res = await q.query<R>(text, params as unknown[] | undefined);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
    async exec(text: string) {
      await q.exec(text);
    },
  };
}

/**
 * Embedded PostgreSQL (PGlite) for standalone mode.
 * @param dataDir a folder that keeps the database between runs; undefined keeps it in memory.
 */
export async function createPglite(opts: { dataDir?: string } = {}): Promise<SqlClient> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const db = await PGlite.create(opts.dataDir);
  const base = wrap(db);
  return {
    ...base,
    transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      return db.transaction(async (t) => {
        const tx: SqlClient = { ...wrap(t), transaction: (inner) => inner(tx), close: async () => {} };
        return fn(tx);
      });
    },
    close: () => db.close(),
  };
}
