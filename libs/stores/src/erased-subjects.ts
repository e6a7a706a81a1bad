import type { SqlClient } from './sql-client.js';

/** What an erased person is kept by: their lowercase email or their E.164 phone, each only as a keyed hash. */
export type ErasedKind = 'email' | 'phone';

/** The keyed hashes' purposes (Keyring.keyedHash): no other use of the installation's keys shares them. */
export const ERASED_PURPOSES: Readonly<Record<ErasedKind, string>> = { email: 'erased-email', phone: 'erased-phone' };

/** One keyed hash of an erased person: the key's id and the HMAC. */
export interface ErasedHash {
  kind: ErasedKind;
  keyId: string;
  hash: Buffer;
}

/** A tenant's erased persons: `${kind}:${keyId}:${hash hex}` → the day (YYYY-MM-DD, UTC) of the erasure. */
export type ErasedIndex = ReadonlyMap<string, string>;

/** How an index names a hash. */
export const erasedEntry = (kind: ErasedKind, keyId: string, hash: Buffer) => `${kind}:${keyId}:${hash.toString('hex')}`;

/**
 * The `erased_subjects` table (dnc-lists migration 007, docs/erasure.md): persons a tenant erased,
 * by keyed hash only. The gateway's erasure adds them; the dnc stage screens every row against them.
 */
export interface ErasedSubjects {
  /** Records the hashes (a hash already there keeps its first erasure); `erasureId` may be set later by `link`. @param erasedAt default now */
  add(tenantId: string, hashes: readonly ErasedHash[], erasureId?: string, erasedAt?: Date): Promise<void>;
  /** Names the erasure_log row of hashes added without one, and dates them as it (default: as they were added). */
  link(tenantId: string, hashes: readonly ErasedHash[], erasureId: string, erasedAt?: Date): Promise<void>;
  /** Every hash the tenant erased. */
  of(tenantId: string): Promise<ErasedIndex>;
}

export function createSqlErasedSubjects(db: SqlClient): ErasedSubjects {
  const columns = (hashes: readonly ErasedHash[]) => [hashes.map((h) => h.kind), hashes.map((h) => h.keyId), hashes.map((h) => h.hash)];
  return {
    async add(tenantId, hashes, erasureId, erasedAt) {
      if (hashes.length === 0) return;
      await db.query(
        `INSERT INTO erased_subjects (tenant_id, kind, key_id, hash, erasure_id, erased_at)
         SELECT $1, k, i, h, $5::bigint, coalesce($6::timestamptz, now()) FROM unnest($2::text[], $3::text[], $4::bytea[]) AS e(k, i, h)
         ON CONFLICT DO NOTHING`,
        [tenantId, ...columns(hashes), erasureId ?? null, erasedAt?.toISOString() ?? null],
      );
    },
    async link(tenantId, hashes, erasureId, erasedAt) {
      if (hashes.length === 0) return;
      await db.query(
        `UPDATE erased_subjects s SET erasure_id = $5::bigint, erased_at = coalesce($6::timestamptz, s.erased_at) FROM unnest($2::text[], $3::text[], $4::bytea[]) AS e(k, i, h)
          WHERE s.tenant_id = $1 AND s.kind = e.k AND s.key_id = e.i AND s.hash = e.h AND s.erasure_id IS NULL`,
        [tenantId, ...columns(hashes), erasureId, erasedAt?.toISOString() ?? null],
      );
    },
    async of(tenantId) {
      const { rows } = await db.query<{ kind: ErasedKind; key_id: string; hash: Buffer; day: string }>(
        `SELECT kind, key_id, hash, to_char(erased_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM erased_subjects WHERE tenant_id = $1`,
        [tenantId],
      );
      return new Map(rows.map((r) => [erasedEntry(r.kind, r.key_id, Buffer.from(r.hash)), r.day]));
    },
  };
}
