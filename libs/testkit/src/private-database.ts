import { randomBytes } from 'node:crypto';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import { infraEnv } from './infra-env.js';

export interface PrivateDatabase {
  url: string;
  db: SqlClient;
  drop(): Promise<void>;
}

/** A database of one test's own on the integration server: what it stores is seen by no other test. */
export async function createPrivateDatabase(prefix: string): Promise<PrivateDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = createPostgres({ url: infraEnv().DATABASE_URL });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(infraEnv().DATABASE_URL);
  url.pathname = `/${name}`;
  const db = createPostgres({ url: url.toString() });
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}
