import { timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { keyChecksum } from './api-key.js';
import { API_KEY_PREFIX, ApiKeyError, createSqlApiKeyStore, migrations, type ApiKeyStore } from './index.js';

// The real timingSafeEqual, counted: the test below shows that a key is compared with it.
vi.mock('node:crypto', async (original) => {
  const crypto = await original<typeof import('node:crypto')>();
  return { ...crypto, timingSafeEqual: vi.fn(crypto.timingSafeEqual) };
});

const MINUTE = 60_000;
const T0 = new Date('2026-03-01T10:00:00Z');

describe('API keys in the database', () => {
  let db: SqlClient;
  let now: Date;
  let keys: ApiKeyStore;
  const later = (ms: number) => (now = new Date(now.getTime() + ms));
  const view = async (prefix: string) => (await keys.list()).find((k) => k.prefix === prefix);

  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    keys = createSqlApiKeyStore(db, { clock: () => now, lastUsedEveryMs: MINUTE });
  });
  afterAll(() => db.close());
  beforeEach(() => {
    now = T0;
  });

  it('makes a key of 256 random bits with a visible prefix, keeps only its SHA-256, and verifies it as its tenant and role', async () => {
    const made = await keys.create({ tenant: 'acme', role: 'uploader', name: 'supplier sync' });
    expect(made.key).toMatch(/^lfk_[0-9A-Za-z]{8}_[0-9A-Za-z]{49}$/);
    expect(made.key.startsWith(`${made.prefix}_`)).toBe(true);
    expect(made.prefix).toMatch(API_KEY_PREFIX);
    expect(made.tenantId).toBe('acme');
    const stored = (await db.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE prefix = $1', [made.prefix])).rows[0]!;
    expect(JSON.stringify(stored)).not.toContain(made.key.slice(13));
    expect(Buffer.from(stored.hash as Uint8Array).toString('hex')).toHaveLength(64);
    expect(await keys.verify(made.key)).toEqual({ tenantId: 'acme', role: 'uploader', prefix: made.prefix });
    expect((await db.query('SELECT id, name FROM tenants WHERE id = $1', ['acme'])).rows).toEqual([{ id: 'acme', name: 'acme' }]);
  });

  it('makes two keys that share no secret, and a tenant once however many keys it has', async () => {
    const [a, b] = [await keys.create({ tenant: 'twice', role: 'viewer' }), await keys.create({ tenant: 'twice', role: 'admin' })];
    expect(a.prefix).not.toBe(b.prefix);
    expect(a.key.slice(13, 56)).not.toBe(b.key.slice(13, 56));
    expect((await db.query('SELECT count(*)::int AS n FROM tenants WHERE name = $1', ['twice'])).rows).toEqual([{ n: 1 }]);
  });

  it('keeps the tenant default of the data stored before keys, for its first key', async () => {
    expect((await db.query('SELECT id, name FROM tenants WHERE id = $1', ['default'])).rows).toEqual([{ id: 'default', name: 'default' }]);
    const made = await keys.create({ tenant: 'default', role: 'admin' });
    expect(await keys.verify(made.key)).toMatchObject({ tenantId: 'default', role: 'admin' });
  });

  it('compares a key with its stored hash in constant time', async () => {
    const made = await keys.create({ tenant: 'acme', role: 'viewer' });
    vi.mocked(timingSafeEqual).mockClear();
    expect(await keys.verify(made.key)).toBeDefined();
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });

  it('refuses an unknown key, a tampered key, a cut key and text that is no key', async () => {
    const made = await keys.create({ tenant: 'acme', role: 'admin' });
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'a' ? 'b' : 'a') + s.slice(i + 1);
    const unknown = (await keys.create({ tenant: 'acme', role: 'admin' })).key.replace(/^lfk_[0-9A-Za-z]{8}/, 'lfk_00000000');
    // A changed secret with its checksum made again, as an attacker could: the hash refuses it.
    const body = flip(made.key, 20).slice(0, -6);
    for (const bad of [flip(made.key, 20), body + keyChecksum(body), made.key.slice(0, -1), `${made.key}x`, made.prefix, '', 'Bearer x', unknown]) {
      expect(await keys.verify(bad), bad).toBeUndefined();
    }
    expect(await keys.verify(made.key)).toBeDefined();
  });

  it('refuses a key once it is revoked, and says so when it is revoked again', async () => {
    const made = await keys.create({ tenant: 'acme', role: 'admin' });
    expect(await keys.revoke(made.prefix)).toEqual({});
    expect(await keys.verify(made.key)).toBeUndefined();
    later(MINUTE);
    expect(await keys.revoke(made.prefix)).toEqual({ alreadyRevokedAt: T0 });
    expect(await view(made.prefix)).toMatchObject({ revokedAt: T0 });
  });

  it('refuses a key from its expiry on', async () => {
    const made = await keys.create({ tenant: 'acme', role: 'viewer', expiresAt: new Date(T0.getTime() + 10 * MINUTE) });
    later(10 * MINUTE - 1);
    expect(await keys.verify(made.key)).toBeDefined();
    later(1);
    expect(await keys.verify(made.key)).toBeUndefined();
  });

  it('records when a key was last used, at most once a minute', async () => {
    const made = await keys.create({ tenant: 'acme', role: 'viewer' });
    expect(await view(made.prefix)).toMatchObject({ createdAt: T0, lastUsedAt: null });
    later(5_000);
    await keys.verify(made.key);
    expect((await view(made.prefix))!.lastUsedAt).toEqual(new Date(T0.getTime() + 5_000));
    later(30_000);
    await keys.verify(made.key);
    expect((await view(made.prefix))!.lastUsedAt).toEqual(new Date(T0.getTime() + 5_000));
    later(30_000);
    await keys.verify(made.key);
    expect((await view(made.prefix))!.lastUsedAt).toEqual(new Date(T0.getTime() + 65_000));
    // A refused key is not used.
    await keys.revoke(made.prefix);
    later(5 * MINUTE);
    await keys.verify(made.key);
    expect((await view(made.prefix))!.lastUsedAt).toEqual(new Date(T0.getTime() + 65_000));
  });

  it('believes a verified key for verifiedForMs without the database, but not a revoked, tampered or expired one', async () => {
    const cached = createSqlApiKeyStore(db, { clock: () => now, verifiedForMs: 5_000 });
    const made = await keys.create({ tenant: 'acme', role: 'viewer', expiresAt: new Date(T0.getTime() + 8_000) });
    const other = await keys.create({ tenant: 'acme', role: 'viewer' });
    expect(await cached.verify(made.key)).toEqual({ tenantId: 'acme', role: 'viewer', prefix: made.prefix });
    // Revoked by another process: believed until the 5 s are up, then refused.
    await db.query('UPDATE api_keys SET revoked_at = $2 WHERE prefix = $1', [made.prefix, now]);
    later(4_000);
    expect(await cached.check(made.key)).toEqual({ caller: { tenantId: 'acme', role: 'viewer', prefix: made.prefix } });
    expect(await cached.check(`${made.key.slice(0, -1)}${made.key.endsWith('a') ? 'b' : 'a'}`)).toEqual({ refused: 'malformed' });
    later(1_001);
    expect(await cached.check(made.key)).toEqual({ refused: 'revoked' });
    // Revoked through the store that remembers it: refused at once.
    expect(await cached.verify(other.key)).toBeDefined();
    await cached.revoke(other.prefix);
    expect(await cached.check(other.key)).toEqual({ refused: 'revoked' });
    // Expiry is checked on every call, remembered or not.
    const expiring = await keys.create({ tenant: 'acme', role: 'viewer', expiresAt: new Date(now.getTime() + 2_000) });
    expect(await cached.verify(expiring.key)).toBeDefined();
    later(2_000);
    expect(await cached.check(expiring.key)).toEqual({ refused: 'expired' });
  });

  it('rotates a key into a new one of the same tenant, role and name, both valid until the old one is revoked', async () => {
    const old = await keys.create({ tenant: 'rotating', role: 'uploader', name: 'nightly' });
    const fresh = await keys.rotate(old.prefix);
    expect(fresh.prefix).not.toBe(old.prefix);
    expect(await keys.verify(old.key)).toMatchObject({ tenantId: 'rotating', role: 'uploader' });
    expect(await keys.verify(fresh.key)).toEqual({ tenantId: 'rotating', role: 'uploader', prefix: fresh.prefix });
    expect(await view(fresh.prefix)).toMatchObject({ tenant: 'rotating', role: 'uploader', name: 'nightly', rotatedFrom: old.prefix });
    await keys.revoke(old.prefix);
    expect(await keys.verify(old.key)).toBeUndefined();
    expect(await keys.verify(fresh.key)).toBeDefined();
    await expect(keys.rotate(old.prefix)).rejects.toMatchObject({ code: 'KEY_REVOKED' });
  });

  it('answers a prefix it does not know, or of another tenant, with KEY_NOT_FOUND', async () => {
    const made = await keys.create({ tenant: 'acme', role: 'viewer' });
    await expect(keys.revoke('lfk_00000000')).rejects.toMatchObject({ code: 'KEY_NOT_FOUND', message: expect.stringContaining('lfk_00000000') });
    await expect(keys.revoke(made.prefix, { tenantId: 'twice' })).rejects.toBeInstanceOf(ApiKeyError);
    await expect(keys.rotate(made.prefix, { tenantId: 'twice' })).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    expect(await keys.verify(made.key)).toBeDefined();
  });

  it('lists keys by tenant, never with a key or a hash', async () => {
    const made = await keys.create({ tenant: 'listed', role: 'admin', name: 'ops' });
    const listed = await keys.list({ tenantId: 'listed' });
    expect(listed).toEqual([
      { prefix: made.prefix, tenant: 'listed', role: 'admin', name: 'ops', createdAt: T0, lastUsedAt: null, expiresAt: null, revokedAt: null, rotatedFrom: null },
    ]);
    expect(JSON.stringify(await keys.list())).not.toContain(made.key);
  });

  it('refuses a key name too long to list, or with control characters', async () => {
    for (const name of ['x'.repeat(101), 'ops\u001b[2J', 'a\nb']) {
      await expect(keys.create({ tenant: 'acme', role: 'admin', name }), name).rejects.toMatchObject({ code: 'INVALID_KEY_NAME' });
    }
    expect(await keys.create({ tenant: 'acme', role: 'admin', name: 'Équipe ventes ✓' })).toBeDefined();
  });

  it('refuses a tenant name that could not be an id', async () => {
    for (const tenant of ['', 'Acme', 'a b', '-x', 'x'.repeat(64), 'acme:1']) {
      await expect(keys.create({ tenant, role: 'admin' }), tenant).rejects.toMatchObject({ code: 'INVALID_TENANT_NAME' });
    }
  });
});

describe('whether an installation has an admin key', () => {
  let db: SqlClient;
  afterAll(() => db.close());

  it('counts only an admin key that works now: not a viewer or uploader key, not a revoked or expired admin key', async () => {
    db = await createPglite();
    await migrate(db, migrations);
    let now = T0;
    const keys = createSqlApiKeyStore(db, { clock: () => now });
    expect(await keys.hasAdminKey()).toBe(false);
    await keys.create({ tenant: 'acme', role: 'viewer' });
    await keys.create({ tenant: 'acme', role: 'uploader' });
    expect(await keys.hasAdminKey()).toBe(false);
    const revoked = await keys.create({ tenant: 'acme', role: 'admin' });
    await keys.revoke(revoked.prefix);
    await keys.create({ tenant: 'acme', role: 'admin', expiresAt: new Date(T0.getTime() + MINUTE) });
    expect(await keys.hasAdminKey()).toBe(true);
    now = new Date(T0.getTime() + MINUTE);
    expect(await keys.hasAdminKey()).toBe(false);
    await keys.create({ tenant: 'other', role: 'admin' });
    expect(await keys.hasAdminKey()).toBe(true);
  });
});
