import { fingerprintHash, type FingerprintStore, type SqlClient } from '@leadflow/stores';

/**
 * Dedup's exact-key claims in a PostgreSQL table (dedup_claims; standalone mode, where no Redis
 * is). A batch is claimed in one transaction under a lock on the tenant: its keys read in one
 * statement, decided in order as the Redis script does, the new claims written in one more.
 */
export function createSqlFingerprintStore(db: SqlClient): FingerprintStore {
  return {
    async claim(tenantId, claims) {
      if (claims.length === 0) return [];
      const hashed = claims.map((c) => c.keys.map(fingerprintHash));
      return db.transaction(async (tx) => {
        // Processes sharing the database claim one batch after another, as Redis runs one script after another.
        // PGlite has one connection, whose transactions already run one after another: no lock to take.
        if (tx.kind !== 'pglite') await tx.query("SELECT pg_advisory_xact_lock(hashtext('leadflow-dedup-claims'), hashtext($1))", [tenantId]);
        // One row of one text (PGlite hands each row of a result to JS at a cost); a hash holds no space or comma.
        const { rows } = await tx.query<{ held: string | null }>(
          `SELECT string_agg(key || ' ' || owner, E'\\n') AS held FROM dedup_claims
            WHERE tenant_id = $1 AND key = ANY(string_to_array($2, ','))`,
          [tenantId, [...new Set(hashed.flat())].join(',')],
        );
        const owners = new Map<string, string>();
        for (const line of rows[0]?.held?.split('\n') ?? []) owners.set(line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1));
        const taken: { key: string; owner: string }[] = [];
        const out = claims.map((claim, r) => {
          const keys = hashed[r]!;
          for (let i = 0; i < keys.length; i++) {
            const owner = owners.get(keys[i]!);
            if (owner !== undefined && owner !== claim.owner) return { key: claim.keys[i]!, owner };
          }
          for (const key of keys) {
            if (owners.has(key)) continue;
            owners.set(key, claim.owner);
            taken.push({ key, owner: claim.owner });
          }
          return null;
        });
        if (taken.length > 0) {
          await tx.query('INSERT INTO dedup_claims (tenant_id, key, owner) SELECT $1, * FROM unnest($2::text[], $3::text[])', [
            tenantId, taken.map((t) => t.key), taken.map((t) => t.owner),
          ]);
        }
        return out;
      });
    },
    async release(tenantId, claims) {
      const keys = claims.flatMap((c) => c.keys.map(fingerprintHash));
      if (keys.length === 0) return;
      await db.query(
        `DELETE FROM dedup_claims c USING unnest($2::text[], $3::text[]) AS r(key, owner)
          WHERE c.tenant_id = $1 AND c.key = r.key AND c.owner = r.owner`,
        [tenantId, keys, claims.flatMap((c) => c.keys.map(() => c.owner))],
      );
    },
    async clear(tenantId) {
      if (tenantId === undefined) await db.query('DELETE FROM dedup_claims');
      else await db.query('DELETE FROM dedup_claims WHERE tenant_id = $1', [tenantId]);
    },
  };
}
