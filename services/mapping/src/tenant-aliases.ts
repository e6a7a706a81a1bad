import { int } from '@leadflow/config';
import { createReloadingCache } from '@leadflow/stores';
import { BUILT_IN_ALIASES, withSynonyms, type AliasTable } from './alias-table.js';
import type { SynonymStore } from './synonym-store.js';

/** How often a tenant's synonyms are looked at again, by default: the 30 s within which every replica uses a change. */
export const SYNONYMS_RELOAD_MS = 30_000;

/** The variable that sets it (mapping service, `leadflow run` and `serve`); at most the 30 s the API promises. */
export const synonymsSchema = {
  synonymsReloadMs: [
    'MAPPING_SYNONYMS_RELOAD_MS',
    int({ min: 100, max: SYNONYMS_RELOAD_MS, default: SYNONYMS_RELOAD_MS, description: "how often, in ms, a tenant's header synonyms are checked for a change" }),
  ],
} as const;

export interface TenantAliases {
  /** The aliases a tenant's headers are matched against: the built-in ones and the tenant's synonyms. */
  get(tenantId: string): Promise<AliasTable>;
  /** Reads the tenant's synonyms again at its next job: they were changed in this process (`leadflow serve`). */
  forget(tenantId: string): void;
}

/**
 * Each tenant's alias table, as the mapping stage needs it once per job: built from the tenant's
 * synonyms, kept, and checked again every `reloadMs` by its version alone (the synonyms are read
 * and the table rebuilt only when the version moved), as the dedup service rereads policies.
 */
export function createTenantAliases(store: Pick<SynonymStore, 'changedSince'>, opts: { reloadMs?: number } = {}): TenantAliases {
  const cache = createReloadingCache<string, { version: number; table: AliasTable }>(
    async (tenantId, previous) => {
      const changed = await store.changedSince(tenantId, previous?.version ?? 0);
      if (!changed) return previous ?? { version: 0, table: BUILT_IN_ALIASES };
      return { version: changed.version, table: withSynonyms(changed.synonyms) };
    },
    { ttlMs: opts.reloadMs ?? SYNONYMS_RELOAD_MS },
  );
  return {
    get: async (tenantId) => (await cache.get(tenantId)).table,
    forget: (tenantId) => cache.forget(tenantId),
  };
}
