import { describe, expect, it } from 'vitest';
import type { Endpoint, EndpointStore } from './endpoint-store.js';
import { rememberEndpoints } from './remembered-endpoints.js';

/** A store that answers from a map of tenants and counts its reads. */
function storeOf(byTenant: Map<string, Endpoint[]>) {
  const reads: string[] = [];
  const store: EndpointStore = {
    endpointsOf: async (tenantId) => (reads.push(tenantId), [...(byTenant.get(tenantId) ?? [])]),
    save: async (e) => (byTenant.set(e.tenantId, [...(byTenant.get(e.tenantId) ?? []), { url: e.url, secret: e.secret }]), 'id'),
    sealAtRest: async () => ({ sealed: 0, resealed: 0, unreadable: 0 }) as never,
  };
  return { reads, store };
}

describe("a tenant's endpoints, remembered", () => {
  it('reads them once per forMs, per tenant, and sees an endpoint added elsewhere after that', async () => {
    let clock = 0;
    const endpoints = new Map<string, Endpoint[]>([['t1', [{ url: 'https://a.example/', secret: null }]]]);
    const { reads, store } = storeOf(endpoints);
    const remembered = rememberEndpoints(store, { forMs: 5_000, now: () => clock });
    expect(await remembered.endpointsOf('t1')).toEqual([{ url: 'https://a.example/', secret: null }]);
    endpoints.set('t1', [...endpoints.get('t1')!, { url: 'https://b.example/', secret: null }]);
    clock = 4_999;
    expect(await remembered.endpointsOf('t1')).toHaveLength(1);
    expect(await remembered.endpointsOf('t2')).toEqual([]);
    clock = 5_000;
    expect(await remembered.endpointsOf('t1')).toHaveLength(2);
    expect(reads).toEqual(['t1', 't2', 't1']);
  });

  it('sees an endpoint saved through it at once', async () => {
    const { reads, store } = storeOf(new Map());
    const remembered = rememberEndpoints(store, { forMs: 5_000, now: () => 0 });
    expect(await remembered.endpointsOf('t1')).toEqual([]);
    await remembered.save({ tenantId: 't1', url: 'https://a.example/', secret: null });
    expect(await remembered.endpointsOf('t1')).toEqual([{ url: 'https://a.example/', secret: null }]);
    expect(reads).toEqual(['t1', 't1']);
  });

  it('does not remember a failed read', async () => {
    let fail = true;
    const store: EndpointStore = {
      endpointsOf: async () => {
        if (fail) throw new Error('database gone');
        return [];
      },
      save: async () => 'id',
      sealAtRest: async () => ({}) as never,
    };
    const remembered = rememberEndpoints(store, { forMs: 5_000, now: () => 0 });
    await expect(remembered.endpointsOf('t1')).rejects.toThrow('database gone');
    fail = false;
    expect(await remembered.endpointsOf('t1')).toEqual([]);
  });
});
