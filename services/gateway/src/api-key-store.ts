import type { SqlClient } from '@leadflow/stores';
import { apiKeyPrefix, hashApiKey, keyMatches, newApiKey, type Role } from './api-key.js';

/**
 * A tenant's name: lower-case letters, digits, `.`, `_`, `-`, at most 63 characters. It becomes
 * the tenant's id, which prefixes its data everywhere (database rows, Redis keys).
 */
export const TENANT_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** A key's name: up to 100 characters, none a control character (it is printed on terminals). */
const KEY_NAME = /^[^\p{Cc}]{0,100}$/u;

/** Why the store refused: a stable code, and a message that says what to do. */
export class ApiKeyError extends Error {
  override readonly name = 'ApiKeyError';
  constructor(
    readonly code: 'KEY_NOT_FOUND' | 'KEY_REVOKED' | 'INVALID_TENANT_NAME' | 'INVALID_KEY_NAME',
    message: string,
  ) {
    super(message);
  }
}

/** Who a key speaks for. */
export interface Caller {
  tenantId: string;
  role: Role;
  prefix: string;
}

/** A key as listed: everything but the key, which is never kept. */
export interface ApiKeyView {
  prefix: string;
  tenant: string;
  role: Role;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** The prefix of the key this one was made to replace (`rotate`). */
  rotatedFrom: string | null;
}

/** A key just made: `key` is its only appearance, anywhere. */
export interface NewApiKey {
  key: string;
  prefix: string;
  tenantId: string;
}

/** Why a key was refused: not a Leadflow key, no such key, or one no longer valid. */
export type KeyRefusal = 'malformed' | 'unknown' | 'revoked' | 'expired';

export type KeyCheck = { caller: Caller } | { refused: KeyRefusal };

export interface ApiKeyStore {
  /** Makes a key; the tenant named is made with it when it is new. */
  create(opts: { tenant: string; role: Role; name?: string; expiresAt?: Date }): Promise<NewApiKey>;
  /**
   * The caller a key speaks for; undefined for a malformed, unknown, revoked or expired key.
   * Records its use (at most once a `lastUsedEveryMs`).
   */
  verify(rawKey: string): Promise<Caller | undefined>;
  /** As verify, saying why a key is refused. */
  check(rawKey: string): Promise<KeyCheck>;
  /** The keys, oldest first, of one tenant (by id) or of all. */
  list(opts?: { tenantId?: string }): Promise<ApiKeyView[]>;
  /** Ends a key at once; the date it was revoked at before, when it already was. */
  revoke(prefix: string, opts?: { tenantId?: string }): Promise<{ alreadyRevokedAt?: Date }>;
  /**
   * A new key of the same tenant, role and name as the key `prefix`, which stays valid until
   * it is revoked, so that its users can move to the new one first.
   */
  rotate(prefix: string, opts?: { tenantId?: string; expiresAt?: Date }): Promise<NewApiKey>;
  /** Whether an admin key of any tenant works now (neither revoked nor expired): someone can administer this installation. */
  hasAdminKey(): Promise<boolean>;
}

export interface ApiKeyStoreOptions {
  /** @default () => new Date() */
  clock?: () => Date;
  /** A key's last use is written at most this often, so that checking a key is not a write per request. @default 60_000 */
  lastUsedEveryMs?: number;
  /**
   * How long a key that verified is believed without the database (the gateway: 5 s, so that a
   * single lead's request costs no key look-up). A key revoked or rotated through this store is
   * forgotten at once; one revoked elsewhere (another gateway replica, `leadflow keys revoke`)
   * works at most this long after. Refusals are never remembered: a new key works at once.
   * @default 0, every check asks the database
   */
  verifiedForMs?: number;
}

interface KeyRow {
  prefix: string;
  tenant_id: string;
  role: Role;
  name: string;
  hash: Uint8Array;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

/** A prefix is random, 47 bits: a clash is a one-in-10^13 event, tried again a few times. */
const PREFIX_TRIES = 5;

/** The tenants and api_keys tables of the gateway's migrations, on PostgreSQL or PGlite. */
export function createSqlApiKeyStore(db: SqlClient, opts: ApiKeyStoreOptions = {}): ApiKeyStore {
  const clock = opts.clock ?? (() => new Date());
  const lastUsedEveryMs = opts.lastUsedEveryMs ?? 60_000;
  const verifiedForMs = opts.verifiedForMs ?? 0;
  /** Keys that verified, by prefix: the hash they matched, whom they speak for, until when that is believed. */
  const verified = new Map<string, { hash: Uint8Array; caller: Caller; expiresAt: Date | null; until: number }>();
  /** Keys verified and remembered at most; the oldest is forgotten first. */
  const MAX_VERIFIED = 10_000;

  const find = async (tx: SqlClient, prefix: string, tenantId?: string): Promise<KeyRow> => {
    const row = (
      await tx.query<KeyRow>(
        'SELECT prefix, tenant_id, role, name, hash, expires_at, revoked_at, last_used_at FROM api_keys WHERE prefix = $1 AND ($2::text IS NULL OR tenant_id = $2) FOR UPDATE',
        [prefix, tenantId ?? null],
      )
    ).rows[0];
    if (!row) throw new ApiKeyError('KEY_NOT_FOUND', `no key with prefix ${prefix}: see the prefixes with leadflow keys list`);
    return row;
  };

  const insert = async (tx: SqlClient, key: { tenantId: string; role: Role; name: string; expiresAt?: Date; rotatedFrom?: string }): Promise<NewApiKey> => {
    for (let i = 0; i < PREFIX_TRIES; i++) {
      const made = newApiKey();
      const res = await tx.query(
        `INSERT INTO api_keys (prefix, tenant_id, role, name, hash, created_at, expires_at, rotated_from)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (prefix) DO NOTHING`,
        [made.prefix, key.tenantId, key.role, key.name, hashApiKey(made.key), clock(), key.expiresAt ?? null, key.rotatedFrom ?? null],
      );
      if (res.rowCount === 1) return { ...made, tenantId: key.tenantId };
    }
    throw new Error(`${PREFIX_TRIES} new key prefixes in a row were taken: the random source is broken`);
  };

  const check = async (rawKey: string): Promise<KeyCheck> => {
    const prefix = apiKeyPrefix(rawKey);
    if (!prefix) return { refused: 'malformed' };
    const now = clock();
    const known = verified.get(prefix);
    if (known) {
      if (known.until > now.getTime() && keyMatches(rawKey, known.hash) && !(known.expiresAt && known.expiresAt <= now)) return { caller: known.caller };
      verified.delete(prefix);
    }
    const row = (
      await db.query<KeyRow>('SELECT prefix, tenant_id, role, hash, expires_at, revoked_at, last_used_at FROM api_keys WHERE prefix = $1', [prefix])
    ).rows[0];
    if (!row || !keyMatches(rawKey, row.hash)) return { refused: 'unknown' };
    if (row.revoked_at) return { refused: 'revoked' };
    if (row.expires_at && row.expires_at <= now) return { refused: 'expired' };
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= lastUsedEveryMs) {
      await db.query('UPDATE api_keys SET last_used_at = $2 WHERE prefix = $1 AND (last_used_at IS NULL OR last_used_at < $2)', [prefix, now]);
    }
    const caller: Caller = { tenantId: row.tenant_id, role: row.role, prefix };
    if (verifiedForMs > 0) {
      if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value!);
      verified.set(prefix, { hash: row.hash, caller, expiresAt: row.expires_at, until: now.getTime() + verifiedForMs });
    }
    return { caller };
  };

  return {
    async create({ tenant, role, name = '', expiresAt }) {
      if (!TENANT_NAME.test(tenant)) {
        throw new ApiKeyError('INVALID_TENANT_NAME', 'a tenant name is 1 to 63 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit');
      }
      if (!KEY_NAME.test(name)) throw new ApiKeyError('INVALID_KEY_NAME', 'a key name is at most 100 characters, with no control characters');
      return db.transaction(async (tx) => {
        await tx.query('INSERT INTO tenants (id, name, created_at) VALUES ($1, $1, $2) ON CONFLICT DO NOTHING', [tenant, clock()]);
        const found = (await tx.query<{ id: string }>('SELECT id FROM tenants WHERE name = $1', [tenant])).rows[0];
        if (!found) throw new ApiKeyError('INVALID_TENANT_NAME', `the tenant id "${tenant}" belongs to a tenant renamed since: use its new name`);
        return insert(tx, { tenantId: found.id, role, name, expiresAt });
      });
    },

    async verify(rawKey) {
      const checked = await check(rawKey);
      return 'caller' in checked ? checked.caller : undefined;
    },

    check,

    async list({ tenantId } = {}) {
      const rows = await db.query<{
        prefix: string; tenant: string; role: Role; name: string; created_at: Date;
        last_used_at: Date | null; expires_at: Date | null; revoked_at: Date | null; rotated_from: string | null;
      }>(
        `SELECT k.prefix, t.name AS tenant, k.role, k.name, k.created_at, k.last_used_at, k.expires_at, k.revoked_at, k.rotated_from
         FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
         WHERE $1::text IS NULL OR k.tenant_id = $1 ORDER BY t.name, k.created_at, k.prefix`,
        [tenantId ?? null],
      );
      return rows.rows.map((r) => ({
        prefix: r.prefix, tenant: r.tenant, role: r.role, name: r.name, createdAt: r.created_at,
        lastUsedAt: r.last_used_at, expiresAt: r.expires_at, revokedAt: r.revoked_at, rotatedFrom: r.rotated_from,
      }));
    },

    async revoke(prefix, { tenantId } = {}) {
      verified.delete(prefix);
      const out = await db.transaction(async (tx) => {
        const row = await find(tx, prefix, tenantId);
        if (row.revoked_at) return { alreadyRevokedAt: row.revoked_at };
        await tx.query('UPDATE api_keys SET revoked_at = $2 WHERE prefix = $1', [prefix, clock()]);
        return {};
      });
      // Again once it is committed: a check that read the key before may have remembered it meanwhile.
      verified.delete(prefix);
      return out;
    },

    rotate(prefix, { tenantId, expiresAt } = {}) {
      return db.transaction(async (tx) => {
        const old = await find(tx, prefix, tenantId);
        if (old.revoked_at) {
          throw new ApiKeyError('KEY_REVOKED', `key ${prefix} was revoked at ${old.revoked_at.toISOString()}: make a new key with leadflow keys create`);
        }
        return insert(tx, { tenantId: old.tenant_id, role: old.role, name: old.name, expiresAt, rotatedFrom: prefix });
      });
    },

    async hasAdminKey() {
      const found = await db.query(
        "SELECT 1 FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1) LIMIT 1",
        [clock()],
      );
      return found.rows.length > 0;
    },
  };
}
