import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { BUILT_IN_ALIASES, createSqlSynonymStore, createTenantAliases, KEPT_BACKUPS, migrations, type SynonymStore } from './index.js';

describe("tenants' synonyms in the database", () => {
  let db: SqlClient;
  let store: SynonymStore;
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    store = createSqlSynonymStore(db);
  });
  afterAll(async () => {
    await db.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers none at version 0 before the first change, then each set with the version one up', async () => {
    expect(await store.get('acme')).toEqual({ synonyms: {}, version: 0, updatedAt: null });
    const first = await store.set('acme', { source: ['Herkunft'] });
    expect(first).toEqual({ synonyms: { source: ['Herkunft'] }, version: 1, updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const second = await store.set('acme', { source: ['Herkunft'], industry: ['Sparte'] });
    expect(second.version).toBe(2);
    expect(await store.get('acme')).toEqual(second);
    expect(await store.get('globex')).toEqual({ synonyms: {}, version: 0, updatedAt: null });
  });

  it('sends the synonyms to a poll only when the version moved', async () => {
    await store.set('poll', { source: ['Herkunft'] });
    const now = await store.get('poll');
    expect(await store.changedSince('poll', now.version)).toBeUndefined();
    expect(await store.changedSince('poll', 0)).toEqual(now);
    expect(await store.changedSince('never-set', 0)).toBeUndefined();
  });

  it('backs up, lists newest first, finds a backup for its tenant only, and keeps the newest ones', async () => {
    await store.set('bk', { source: ['Herkunft'] });
    const one = await store.backup('bk');
    expect(one).toEqual({ id: expect.any(String), createdAt: expect.any(String), version: 1, synonyms: { source: ['Herkunft'] } });
    await store.set('bk', {});
    const two = await store.backup('bk');
    expect((await store.backups('bk')).map((b) => [b.id, b.version])).toEqual([[two.id, 2], [one.id, 1]]);
    expect(await store.findBackup('bk', one.id)).toEqual(one);
    expect(await store.findBackup('other', one.id)).toBeUndefined();
    expect(await store.findBackup('bk', 'not-a-uuid')).toBeUndefined();
    expect(await store.backup('empty')).toMatchObject({ version: 0, synonyms: {} });

    for (let i = 0; i < KEPT_BACKUPS; i++) await store.backup('bk');
    const kept = await store.backups('bk');
    expect(kept).toHaveLength(KEPT_BACKUPS);
    expect(kept.map((b) => b.id)).not.toContain(one.id);
    expect(kept.map((b) => b.id)).not.toContain(two.id);
  });

  it("gives each tenant's jobs its own synonyms, a change within the reload interval, and reads only the version meanwhile", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const polls: string[] = [];
    const counting: Pick<SynonymStore, 'changedSince'> = {
      changedSince: async (tenantId, known) => {
        const changed = await store.changedSince(tenantId, known);
        polls.push(`${tenantId}@${known}:${changed ? 'read' : 'same'}`);
        return changed;
      },
    };
    const aliases = createTenantAliases(counting, { reloadMs: 1000 });
    expect(await aliases.get('reload')).toBe(BUILT_IN_ALIASES);

    await store.set('reload', { source: ['Herkunft'] });
    expect(await aliases.get('reload')).toBe(BUILT_IN_ALIASES);
    vi.advanceTimersByTime(1000);
    const table = await aliases.get('reload');
    expect(table.byCompact.get('herkunft')).toMatchObject({ field: 'source', tenant: true });
    expect((await aliases.get('other-tenant')).byCompact.get('herkunft')).toBeUndefined();

    vi.advanceTimersByTime(1000);
    expect(await aliases.get('reload')).toBe(table);
    expect(polls).toEqual(['reload@0:same', 'reload@0:read', 'other-tenant@0:same', 'reload@1:same']);

    await store.set('reload', {});
    aliases.forget('reload');
    expect(await aliases.get('reload')).toBe(BUILT_IN_ALIASES);
  });
});
