import type { SqlClient } from '@leadflow/stores';
import type { StaleListPolicy } from './freshness-config.js';

/**
 * A tenant's policy for stale lists (docs/dnc-lists.md, "Freshness"): its row of the gateway's
 * `dnc_policies` (migration 014; PUT /v1/dnc/policy), else `fallback` (DNC_STALE_LIST_POLICY).
 * Read by the dnc stage only for a batch that meets a stale list, so not cached: a change applies
 * to the next batch. A gateway not yet migrated has no table: the fallback.
 */
export function sqlStalePolicy(db: SqlClient, fallback: StaleListPolicy): (tenantId: string) => Promise<StaleListPolicy> {
  return async (tenantId) => {
    const { rows } = await db.query<{ policy: StaleListPolicy }>('SELECT stale_list AS policy FROM dnc_policies WHERE tenant_id = $1', [tenantId]).catch(
      async (err: { code?: string }) => {
        // undefined_table: the gateway's migration 014 not applied yet.
        if (err.code === '42P01') return { rows: [] as { policy: StaleListPolicy }[] };
        throw err;
      },
    );
    return rows[0]?.policy ?? fallback;
  };
}
