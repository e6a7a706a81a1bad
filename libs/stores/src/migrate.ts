import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlClient } from './sql-client.js';

/** The SQL migrations of the service that owns some tables: files `NNN_name.sql` in `dir`. */
export interface Migrations {
  owner: string;
  dir: string;
}

/**
 * Applies the owner's migrations that have not run yet, in file-name order, in one
 * transaction under an advisory lock, so that replicas (and services sharing a database)
 * starting together apply each once and never create the same table at the same time.
 * Returns the names applied.
 */
export async function migrate(db: SqlClient, migrations: Migrations): Promise<string[]> {
  const files = readdirSync(migrations.dir)
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .sort();
  return db.transaction(async (tx) => {
    // One lock for every owner: CREATE TABLE IF NOT EXISTS is not safe against itself, and
    // services (and tests) starting together on a new database all create schema_migrations.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('leadflow-migrate'))");
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      owner text NOT NULL,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (owner, name)
    )`);
    const done = new Set(
      (await tx.query<{ name: string }>('SELECT name FROM schema_migrations WHERE owner = $1', [migrations.owner])).rows.map(
        (r) => r.name,
      ),
    );
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      await tx.exec(readFileSync(join(migrations.dir, file), 'utf8'));
      await tx.query('INSERT INTO schema_migrations (owner, name) VALUES ($1, $2)', [migrations.owner, file]);
      applied.push(file);
    }
    return applied;
  });
}
