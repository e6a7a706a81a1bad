import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations as persistenceMigrations } from '@leadflow/persistence';
import { createPostgres, migrate, type SqlClient } from '@leadflow/stores';
import { infraEnv, uniqueName } from '@leadflow/testkit';
import { forgetRowsNeverStored } from './forget-rows.js';
import { migrations } from './index.js';
import { createSqlCandidateIndex } from './matching/sql-candidate-index.js';
import { toMatchRecord } from './matching/record.js';
import { createSqlFingerprintStore } from './sql-fingerprint-store.js';

/** A row of `job` in block "k", with its own email. */
const row = (job: string, n: number) => ({
  entry: {
    owner: `${job}:${n}`, leadId: `lead-${n}`, jobId: job, rowNumber: n, time: 1,
    record: toMatchRecord({
      firstName: 'Ann', lastName: 'Lee', fullName: '', email: '', emailKey: `ann${n}@x.com`, phone: '', company: '', street: '',
      addressLine2: '', city: '', state: '', postalCode: '',
    }),
  },
  blocks: ['k', `own:${n}`],
});

// With DATABASE_URL the tables outlive a killed process (only a crash of the server empties them).
describe('forgetting the rows a killed process never stored (standalone mode on a PostgreSQL server)', () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    for (const m of [persistenceMigrations, migrations]) await migrate(db, m);
  });
  afterAll(() => db.close());

  it('leaves no later row a duplicate of a lead that was never stored, and keeps what was', async () => {
    const tenant = uniqueName('forget');
    const [killed, other] = [uniqueName('killed-job'), uniqueName('other-job')];
    const index = createSqlCandidateIndex(db);
    const claims = createSqlFingerprintStore(db);
    // The killed job entered rows 1-4 and claimed their emails; persistence stored rows 1 and 2 only.
    await index.enter(tenant, [1, 2, 3, 4].map((n) => row(killed, n)), 10, 10);
    await index.enter(tenant, [row(other, 1)], 10, 10);
    await claims.claim(tenant, [1, 2, 3, 4].map((n) => ({ owner: `${killed}:${n}`, keys: [`email:ann${n}@x.com`] })));
    await db.query(
      `INSERT INTO leads (id, tenant_id, job_id, row_number) VALUES (gen_random_uuid(), $1, $2, 1), (gen_random_uuid(), $1, $2, 2)`,
      [tenant, killed],
    );

    await forgetRowsNeverStored(db, [killed]);

    const [seen] = await index.enter(tenant, [row('later', 1)], 10, 10);
    expect(seen!.map((e) => e.owner).sort()).toEqual([`${killed}:1`, `${killed}:2`, `${other}:1`].sort());
    // The block keeps only the places of the rows kept: a row never stored takes no candidate's room.
    const { rows } = await db.query<{ n: number }>(
      `SELECT length(places) / 8 AS n FROM dedup_index_blocks b JOIN dedup_index_tenants t ON t.id = b.tenant WHERE t.tenant_id = $1 ORDER BY n DESC LIMIT 1`,
      [tenant],
    );
    expect(rows).toEqual([{ n: 4 }]);
    expect(await claims.claim(tenant, [1, 2, 3, 4].map((n) => ({ owner: `later:${n}`, keys: [`email:ann${n}@x.com`] })))).toEqual([
      { key: 'email:ann1@x.com', owner: `${killed}:1` },
      { key: 'email:ann2@x.com', owner: `${killed}:2` },
      null,
      null,
    ]);
  });
});
