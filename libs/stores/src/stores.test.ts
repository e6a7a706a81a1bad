import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dncRegistryContract } from './dnc-registry.contract.js';
import { createMemoryFingerprintStore, createPglite, createSqlDncRegistry, dncListMigrations, migrate, type SqlClient } from './index.js';

describe('memory fingerprint store', () => {
  it('lets the first owner claim keys and names it to every later row that shares one', async () => {
    const fp = createMemoryFingerprintStore();
    const res = await fp.claim('t1', [
      { owner: 'j:1', keys: ['email:a@x.com', 'phone:+15550000001'] },
      { owner: 'j:2', keys: ['email:b@x.com', 'phone:+15550000001'] },
      { owner: 'j:3', keys: ['email:b@x.com'] },
    ]);
    expect(res).toEqual([null, { key: 'phone:+15550000001', owner: 'j:1' }, null]);
    // a redelivery of the same rows changes nothing
    expect(await fp.claim('t1', [{ owner: 'j:1', keys: ['email:a@x.com'] }])).toEqual([null]);
    // tenants do not see each other's keys
    expect(await fp.claim('t2', [{ owner: 'k:1', keys: ['email:a@x.com'] }])).toEqual([null]);
    // one tenant forgotten, the other's claims stay
    await fp.clear('t1');
    expect(await fp.claim('t1', [{ owner: 'j:9', keys: ['email:a@x.com'] }])).toEqual([null]);
    expect(await fp.claim('t2', [{ owner: 'k:9', keys: ['email:a@x.com'] }])).toEqual([{ key: 'email:a@x.com', owner: 'k:1' }]);
  });
});

describe('DNC registry in the embedded database', () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, dncListMigrations);
  });
  afterAll(() => db.close());
  // Two registries on one database hold the same lists, as two processes on one DATABASE_URL do.
  dncRegistryContract(() => createSqlDncRegistry(db));
});

describe('migrate on PGlite', () => {
  it('applies each migration once, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-mig-'));
    writeFileSync(join(dir, '001_things.sql'), 'CREATE TABLE things (id int PRIMARY KEY);');
    writeFileSync(join(dir, '002_more.sql'), 'ALTER TABLE things ADD COLUMN name text; INSERT INTO things VALUES (1, $$a$$);');
    const db = await createPglite();
    try {
      expect(await migrate(db, { owner: 'test', dir })).toEqual(['001_things.sql', '002_more.sql']);
      expect(await migrate(db, { owner: 'test', dir })).toEqual([]);
      expect((await db.query('SELECT id, name FROM things')).rows).toEqual([{ id: 1, name: 'a' }]);
    } finally {
      await db.close();
    }
  });
});

describe('PGlite statistics', () => {
  it('analyzes the tables once a thousand rows have changed, so the planner uses the indexes for lookups in large tables', async () => {
    const db = await createPglite();
    try {
      await db.exec('CREATE TABLE people (id int PRIMARY KEY, email text); CREATE INDEX people_email ON people (email);');
      const analyzed = async () =>
        (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'people'")).rows[0]!.n > 0;
      await db.query("INSERT INTO people SELECT n, 'p' || n || '@x.test' FROM generate_series(1, 999) AS n");
      expect(await analyzed()).toBe(false);
      await db.transaction((tx) => tx.query("INSERT INTO people SELECT n, 'p' || n || '@x.test' FROM generate_series(1000, 20000) AS n"));
      expect(await analyzed()).toBe(true);
      const plan = (await db.query<{ 'QUERY PLAN': string }>("EXPLAIN SELECT id FROM people WHERE email = ANY(ARRAY['p5@x.test', 'p7@x.test'])")).rows;
      expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index Scan|Bitmap Index Scan on people_email/);
    } finally {
      await db.close();
    }
  });
});
