import { resolve } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { DataDirError } from './data-dir-error.js';
import { lockDataDir } from './data-dir-lock.js';
import { readyFolder } from './embedded-folder.js';
import { createUpkeep } from './pglite-upkeep.js';
import type { QueryResult, SqlClient } from './sql-client.js';

function wrap(q: PGlite | Transaction, changed: (rows: number) => void): Omit<SqlClient, 'transaction' | 'close' | 'holdLock'> {
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

/** Opens the database of a folder this process holds; a folder PGlite cannot start on says so in one line. */
async function open(folder: string): Promise<PGlite> {
  try {
    return await PGlite.create(folder);
  } catch (err) {
    throw new DataDirError(
      'DATA_DIR_UNREADABLE',
      `the embedded database in ${folder} cannot be opened (${(err as Error).message}): ` +
        'move the folder away to start with an empty database, or set LEADFLOW_DATA_DIR to another folder',
      { cause: err },
    );
  }
}

/** What the file system refuses about a data folder, said as what to change: a path that is a file, a folder not ours. */
const FOLDER_ERRORS: Readonly<Record<string, string>> = {
  ENOTDIR: 'is a file, or inside one',
  EEXIST: 'is a file, or inside one',
  EACCES: 'may not be written by this user',
  EPERM: 'may not be written by this user',
  EROFS: 'is on a read-only file system',
};

/** Runs a step that prepares the data folder; a refusal of the file system becomes one line naming the folder. */
function usable<T>(dir: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    const why = FOLDER_ERRORS[(err as NodeJS.ErrnoException).code ?? ''];
    if (!why || err instanceof DataDirError) throw err;
    throw new DataDirError(
      'DATA_DIR_UNREADABLE',
      `the data folder ${resolve(dir)} ${why} (${(err as Error).message}): set LEADFLOW_DATA_DIR to a folder this user can write`,
      { cause: err },
    );
  }
}

/**
 * Embedded PostgreSQL (PGlite) for standalone mode.
 * @param dataDir a folder that keeps the database between runs; undefined keeps it in memory. The
 *   folder is locked (see lockDataDir) from here until close: one process at a time.
 */
export async function createPglite(opts: { dataDir?: string } = {}): Promise<SqlClient> {
  if (!opts.dataDir) return client(await PGlite.create(), () => {});
  const lock = usable(opts.dataDir, () => lockDataDir(opts.dataDir!));
  try {
    const opened = usable(opts.dataDir, () => readyFolder(opts.dataDir!));
    const db = await open(resolve(opts.dataDir));
    opened();
    return client(db, lock.release);
  } catch (err) {
    lock.release();
    throw err;
  }
}

function client(db: PGlite, release: () => void): SqlClient {
  const upkeep = createUpkeep(db);
  const base = wrap(db, upkeep.count);
  return {
    ...base,
    async query<R>(text: string, params?: readonly unknown[]) {
      const res = await base.query<R>(text, params);
      await upkeep.run();
      return res;
    },
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      const out = await db.transaction(async (t) => {
        const tx: SqlClient = {
          ...wrap(t, upkeep.count),
          transaction: (inner) => inner(tx),
          holdLock: () => Promise.reject(new Error('a session lock cannot be taken inside a transaction')),
          close: async () => {},
        };
        return fn(tx);
      });
      await upkeep.run();
      return out;
    },
    // One session: the lock only matters to processes sharing a server, and no other process opens this folder.
    async holdLock(name) {
      await db.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
      return async () => {
        await db.query('SELECT pg_advisory_unlock(hashtext($1))', [name]).catch(() => {});
      };
    },
    async close() {
      try {
        await db.close();
      } finally {
        release();
      }
    },
  };
}
