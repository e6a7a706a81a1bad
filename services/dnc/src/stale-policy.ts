import type { SqlClient } from '@leadflow/stores';
import type { StaleListPolicy } from './freshness-config.js';

/** How long a tenant's stale-list policy, read from the gateway's table, is believed. */
const POLICY_FOR_MS = 5_000;

/**
 * A tenant's policy for stale lists (docs/dnc-lists.md, "Freshness"): its row of the gateway's
 * `dnc_policies` (migration 014; PUT /v1/dnc/policy), else `fallback` (DNC_STALE_LIST_POLICY).
 * Read once per tenant every few seconds; a gateway not yet migrated has no table: the fallback.
 */
export function sqlStalePolicy(db: SqlClient, fallback: StaleListPolicy): (tenantId: string) => Promise<StaleListPolicy> {
  const known = new Map<string, { policy: StaleListPolicy; until: number }>();
  return async (tenantId) => {
    const hit = known.get(tenantId);
    if (hit && hit.until > Date.now()) return hit.policy;
    const { rows } = await db.query<{ policy: StaleListPolicy | null }>(
      'SELECT stale_list AS policy FROM dnc_policies WHERE tenant_id = $1',
      [tenantId],
    ).catch(async (err: { code?: string }) => {
      // undefined_table: the gateway's migration 014 not applied yet.
      if (err.code === '42P01') return { rows: [] as { policy: StaleListPolicy | null }[] };
      throw err;
    });
    const policy = rows[0]?.policy ?? fallback;
    if (known.size > 10_000) known.clear();
    known.set(tenantId, { policy, until: Date.now() + POLICY_FOR_MS });
    return policy;
  };
}
