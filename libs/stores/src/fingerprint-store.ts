import { createHash } from 'node:crypto';

/** One row's claim: the keys that identify it (`email:ann@x.com`, `phone:+1555...`) and who claims them. */
export interface Claim {
  /** Who the row is: `jobId:rowNumber`. */
  owner: string;
  keys: readonly string[];
}

/** A key of the claim that someone else already owns. */
export interface ClaimConflict {
  key: string;
  owner: string;
}

/**
 * Dedup fingerprints: which row first claimed each identifying key, per tenant.
 *
 * `claim` handles a batch's rows in order, atomically as a whole: for each row, if any of
 * its keys is owned by another owner, the first such key and its owner are returned and
 * nothing is claimed for that row; otherwise the row claims all its keys. Claiming again
 * with the same owner (a redelivered batch) succeeds and changes nothing.
 */
export interface FingerprintStore {
  claim(tenantId: string, claims: readonly Claim[]): Promise<(ClaimConflict | null)[]>;
  /** Gives up keys a row claimed (it turned out to be a duplicate by other evidence); keys another owner holds stay. */
  release(tenantId: string, claims: readonly Claim[]): Promise<void>;
  /** Forgets one tenant's fingerprints, or every tenant's (PostgreSQL stays the truth). */
  clear(tenantId?: string): Promise<void>;
}

/** Keys are hashed before they are stored, so no store holds an email or phone in clear: 132 bits of SHA-256. */
export const fingerprintHash = (key: string) => createHash('sha256').update(key).digest('base64url').slice(0, 22);

/** A key's name in a store shared by tenants (Redis). */
export function fingerprintKey(tenantId: string, key: string): string {
  return `${fingerprintPrefix(tenantId)}${fingerprintHash(key)}`;
}

/** What every fingerprint key of a tenant starts with. */
export const fingerprintPrefix = (tenantId: string) => `lf:fp:${tenantId}:`;

/** In-process fingerprints, for tests and the benchmark: everything in the JS heap. */
export function createMemoryFingerprintStore(): FingerprintStore {
  const owners = new Map<string, string>();
  return {
    async claim(tenantId, claims) {
      return claims.map((claim) => {
        const hashed = claim.keys.map((k) => fingerprintKey(tenantId, k));
        for (let i = 0; i < hashed.length; i++) {
          const owner = owners.get(hashed[i]!);
          if (owner !== undefined && owner !== claim.owner) return { key: claim.keys[i]!, owner };
        }
        for (const h of hashed) owners.set(h, claim.owner);
        return null;
      });
    },
    async release(tenantId, claims) {
      for (const claim of claims) {
        for (const key of claim.keys) {
          const hashed = fingerprintKey(tenantId, key);
          if (owners.get(hashed) === claim.owner) owners.delete(hashed);
        }
      }
    },
    async clear(tenantId) {
      if (tenantId === undefined) return owners.clear();
      const prefix = fingerprintPrefix(tenantId);
      for (const key of [...owners.keys()]) if (key.startsWith(prefix)) owners.delete(key);
    },
  };
}
