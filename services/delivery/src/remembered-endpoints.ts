import type { Endpoint, EndpointStore } from './endpoint-store.js';

export interface RememberedEndpointsOptions {
  /** How long a tenant's endpoints are believed: an endpoint added in the database by another process is used at most this long after. */
  forMs: number;
  /** Tenants remembered at most; the oldest is forgotten first. @default 1000 */
  maxTenants?: number;
  now?: () => number;
}

/**
 * The tenant's endpoints read once per `forMs` instead of once per batch: in `leadflow serve` a
 * single lead is a batch, and its look-up waited in line on the one embedded connection with
 * the next lead's statements. An endpoint saved through this store is seen at once.
 */
export function rememberEndpoints(store: EndpointStore, opts: RememberedEndpointsOptions): EndpointStore {
  const now = opts.now ?? Date.now;
  const maxTenants = opts.maxTenants ?? 1000;
  const known = new Map<string, { until: number; endpoints: Promise<Endpoint[]> }>();
  return {
    endpointsOf(tenantId) {
      const hit = known.get(tenantId);
      if (hit && hit.until > now()) return hit.endpoints;
      known.delete(tenantId);
      const endpoints = store.endpointsOf(tenantId);
      // A failed read is not remembered.
      endpoints.catch(() => known.get(tenantId)?.endpoints === endpoints && known.delete(tenantId));
      if (known.size >= maxTenants) known.delete(known.keys().next().value!);
      known.set(tenantId, { until: now() + opts.forMs, endpoints });
      return endpoints;
    },
    async save(endpoint) {
      try {
        return await store.save(endpoint);
      } finally {
        known.delete(endpoint.tenantId);
      }
    },
    sealAtRest: () => store.sealAtRest(),
  };
}
