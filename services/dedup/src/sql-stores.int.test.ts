import { afterAll, beforeAll, describe } from 'vitest';
import { createPostgres, createRedis, createRedisFingerprintStore, migrate, type SqlClient } from '@leadflow/stores';
import { infraEnv } from '@leadflow/testkit';
import { candidateIndexContract } from './matching/candidate-index.contract.js';
import { createSqlCandidateIndex } from './matching/sql-candidate-index.js';
import { fingerprintStoreContract } from './fingerprint-store.contract.js';
import { createSqlFingerprintStore } from './sql-fingerprint-store.js';
import { migrations } from './index.js';

describe('SQL stores on a PostgreSQL server (standalone mode with DATABASE_URL)', () => {
  // Two pools: two processes sharing the database, each with its connections.
  let one: SqlClient;
  let two: SqlClient;
  let turn = 0;
  const next = () => (turn++ % 2 === 0 ? one : two);
  beforeAll(async () => {
    one = createPostgres({ url: infraEnv().DATABASE_URL });
    two = createPostgres({ url: infraEnv().DATABASE_URL });
    await migrate(one, migrations);
  });
  afterAll(() => Promise.all([one.close(), two.close()]));

  describe('candidate index', () => candidateIndexContract(() => createSqlCandidateIndex(next())));
  describe('fingerprint store', () => fingerprintStoreContract(() => createSqlFingerprintStore(next())));
});

describe('Redis fingerprint store', () => {
  const a = createRedis({ url: infraEnv().REDIS_URL, name: 'contract-a' });
  const b = createRedis({ url: infraEnv().REDIS_URL, name: 'contract-b' });
  let turn = 0;
  afterAll(() => Promise.all([a.quit(), b.quit()]));
  fingerprintStoreContract(() => createRedisFingerprintStore(turn++ % 2 === 0 ? a : b));
});
