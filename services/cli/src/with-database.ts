import { createPglite, createPostgres, migrate, type Migrations, type SqlClient } from '@leadflow/stores';

export interface DatabaseEnvironment {
  /** PostgreSQL to use; unset: the embedded database of `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
}

/**
 * Runs `fn` on the database `leadflow run` and `serve` use, its owners' migrations applied,
 * and closes it (giving the data folder up) whatever `fn` does.
 */
export async function withDatabase<T>(env: DatabaseEnvironment, owners: readonly Migrations[], fn: (db: SqlClient) => Promise<T>): Promise<T> {
  const db = env.databaseUrl ? createPostgres({ url: env.databaseUrl }) : await createPglite({ dataDir: env.dataDir });
  try {
    for (const owner of owners) await migrate(db, owner);
    return await fn(db);
  } finally {
    await db.close();
  }
}
