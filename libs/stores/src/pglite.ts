import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { QueryResult, SqlClient } from './sql-client.js';

function wrap(q: PGlite | Transaction, changed: (rows: number) => void): Omit<SqlClient, 'transaction' | 'close'> {
  return {
    kind: 'pglite',
    async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const res = await q.query<R>(text, params as unknown[] | undefined);
      if (res.affectedRows) changed(res.affectedRows);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
    async exec(text: string) {
      await q.exec(text);
    },
  };
}

/** Rows changed before the first ANALYZE of a process. */
const FIRST_ANALYZE = 1000;

/**
 * Embedded PostgreSQL (PGlite) for standalone mode.
 * @param dataDir a folder that keeps the database between runs; undefined keeps it in memory.
 */
export async function createPglite(opts: { dataDir?: string } = {}): Promise<SqlClient> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const db = await PGlite.create(opts.dataDir);
  // PGlite runs no autovacuum, so nothing would ever ANALYZE its tables: the planner would go on
  // taking them for nearly empty and, for each batch's emails and phones, read every lead of the
  // tenant (a run slowing down with every row). This client ANALYZEs as autovacuum would, each
  // time the rows it changed since the last time reach the number changed before: a few times a run.
  let changed = 0;
  let analyzeAt = FIRST_ANALYZE;
  let analyzing: Promise<void> | undefined;
  const count = (rows: number) => {
    changed += rows;
  };
  const analyzeWhenDue = async () => {
    if (changed < analyzeAt || analyzing) return;
    analyzeAt = changed * 2;
    // Statistics only speed queries up: a failed ANALYZE must not fail the query that was done.
    analyzing = db.exec('ANALYZE').then(
      () => undefined,
      () => undefined,
    );
    try {
      await analyzing;
    } finally {
      analyzing = undefined;
    }
  };
  const base = wrap(db, count);
  return {
    ...base,
    async query<R>(text: string, params?: readonly unknown[]) {
      const res = await base.query<R>(text, params);
      await analyzeWhenDue();
      return res;
    },
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      const out = await db.transaction(async (t) => {
        const tx: SqlClient = { ...wrap(t, count), transaction: (inner) => inner(tx), close: async () => {} };
        return fn(tx);
      });
      await analyzeWhenDue();
      return out;
    },
    close: () => db.close(),
  };
}
