import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryFingerprintStore, createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { candidateIndexContract } from './matching/candidate-index.contract.js';
import { createSqlCandidateIndex } from './matching/sql-candidate-index.js';
import type { IndexRow } from './matching/candidate-index.js';
import { toMatchRecord } from './matching/record.js';
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
  // `leadflow serve` on its embedded database: one index, the only writer, keeps each tenant's row in memory.
  let sole: ReturnType<typeof createSqlCandidateIndex> | undefined;
  describe('candidate index, the only writer', () => candidateIndexContract(() => (sole ??= createSqlCandidateIndex(db, { soleWriter: true }))));
  describe('fingerprint store', () => fingerprintStoreContract(() => createSqlFingerprintStore(db)));

  it('goes on from the places an earlier process gave out, and writes its own back (the only writer)', async () => {
    const earlier = createSqlCandidateIndex(db);
    const t = `sole-${Math.random().toString(36).slice(2)}`;
    const entry = (job: string, n: number): IndexRow['entry'] => ({
      owner: `${job}:${n}`, leadId: `lead-${job}-${n}`, jobId: job, rowNumber: n, time: 1_700_000_000_000 + n,
      record: toMatchRecord({ firstName: 'Ann', lastName: `Row${n}`, fullName: '', email: `ann${n}@example.com`, emailKey: `ann${n}@example.com`, phone: '', company: '', street: '', addressLine2: '', city: '', state: '', postalCode: '' }),
    });
    await earlier.enter(t, [{ entry: entry('a', 1), blocks: ['k'] }], 10, 10);
    const now = createSqlCandidateIndex(db, { soleWriter: true });
    const found = await now.enter(t, [{ entry: entry('b', 1), blocks: ['k'] }], 10, 10);
    expect(found[0]!.map((e) => e.owner)).toEqual(['a:1']);
    await now.enter(t, [{ entry: entry('c', 1), blocks: ['k'] }], 10, 10);
    const { rows } = await db.query<{ last_place: string }>('SELECT last_place FROM dedup_index_tenants WHERE tenant_id = $1', [t]);
    expect(Number(rows[0]!.last_place)).toBe(3);
    // A later process (no memory) goes on after them.
    expect((await createSqlCandidateIndex(db).enter(t, [{ entry: entry('d', 1), blocks: ['k'] }], 10, 10))[0]!.map((e) => e.owner).sort()).toEqual(['a:1', 'b:1', 'c:1']);
  });

  it('keeps no email in clear in the claims table', async () => {
    await createSqlFingerprintStore(db).claim('clear-test', [{ owner: 'j:1', keys: ['email:secret.person@x.com'] }]);
    const { rows } = await db.query<{ key: string }>("SELECT key FROM dedup_claims WHERE tenant_id = 'clear-test'");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key).not.toContain('secret');
  });
});
