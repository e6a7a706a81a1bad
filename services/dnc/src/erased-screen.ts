import { createReloadingCache, erasedEntry, ERASED_PURPOSES, type ErasedIndex, type ErasedKind, type ErasedSubjects } from '@leadflow/stores';

/** The keyed hashes of a value under every key the installation holds (Keyring.keyedHashes). */
export type KeyedHashes = (purpose: string, value: string) => readonly { keyId: string; hash: Buffer }[];

export interface ErasedScreen {
  /** For each value (a lowercase email or an E.164 phone), the day its person was erased by the tenant; undefined when not. */
  match(tenantId: string, values: readonly { kind: ErasedKind; value: string }[]): Promise<(string | undefined)[]>;
  /** Reads the tenant's erased persons again at the next match (an erasure made in this process). */
  forget(tenantId: string): void;
}

/** How long a tenant's erased persons are believed: an erasure made by another process screens rows at most this long after. */
export const ERASED_TTL_MS = 1000;

/**
 * Screening against the persons a tenant erased (docs/erasure.md): kept only as keyed hashes, so
 * each value is hashed under every key the installation holds (a hash made before a key rotation
 * still matches) and looked up in the tenant's set. The set is read once per tenant and again at
 * most `ttlMs` later; a tenant that erased nobody costs a map look-up a batch, no hash.
 */
export function createErasedScreen(opts: { subjects: Pick<ErasedSubjects, 'of'>; hashes: KeyedHashes; ttlMs?: number }): ErasedScreen {
  const cache = createReloadingCache<string, ErasedIndex>((tenantId) => opts.subjects.of(tenantId), { ttlMs: opts.ttlMs ?? ERASED_TTL_MS });
  return {
    async match(tenantId, values) {
      const erased = await cache.get(tenantId);
      // A domain is no person: not looked up.
      if (erased.size === 0) return values.map(() => undefined);
      const seen = new Map<string, string | undefined>();
      return values.map(({ kind, value }) => {
        if (!value) return undefined;
        const k = `${kind}:${value}`;
        if (seen.has(k)) return seen.get(k);
        let day: string | undefined;
        for (const h of opts.hashes(ERASED_PURPOSES[kind], value)) {
          day = erased.get(erasedEntry(kind, h.keyId, h.hash));
          if (day) break;
        }
        seen.set(k, day);
        return day;
      });
    },
    forget: (tenantId) => cache.forget(tenantId),
  };
}
