import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryFingerprintStore, createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { candidateIndexContract } from './matching/candidate-index.contract.js';
import { createSqlCandidateIndex } from './matching/sql-candidate-index.js';
import { fingerprintStoreContract } from './fingerprint-store.contract.js';
import { createSqlFingerprintStore } from './sql-fingerprint-store.js';
import { migrations } from './index.js';

// One store for every test: two "stores" racing must share what they hold, as two Redis clients do.
const memory = createMemoryFingerprintStore();
describe('memory fingerprint store', () => fingerprintStoreContract(() => memory));

describe('SQL stores on the embedded database', () => {
  let db: SqlClient;
  // Starting PGlite compiles its WebAssembly: seconds, many on a loaded machine.
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
  }, 120_000);
  afterAll(() => db.close());

  describe('candidate index', () => candidateIndexContract(() => createSqlCandidateIndex(db)));
  describe('fingerprint store', () => fingerprintStoreContract(() => createSqlFingerprintStore(db)));

  it('keeps no email in clear in the claims table', async () => {
    await createSqlFingerprintStore(db).claim('clear-test', [{ owner: 'j:1', keys: ['email:secret.person@x.com'] }]);
    const { rows } = await db.query<{ key: string }>("SELECT key FROM dedup_claims WHERE tenant_id = 'clear-test'");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key).not.toContain('secret');
  });
});
