import { SupplierMappingError, validateSupplierMapping, type SupplierMappingEntry, type SupplierMappingStore } from '@leadflow/mapping';
import { GatewayError } from './gateway-error.js';
import { supplierNotFound } from './supplier-service.js';
import type { SupplierStore } from './supplier-store.js';

/** A supplier's confirmed mapping as REST shows it (gRPC's SupplierMapping has the same fields). */
export interface SupplierMappingView {
  supplierId: string;
  /** The supplier's name as registered: what its uploads name, and what the mapping is kept by. */
  supplier: string;
  mapping: SupplierMappingEntry[];
}

export type SupplierMappingService = ReturnType<typeof createSupplierMappingService>;

const FORMAT = 'send {"mapping": [{"header": "<header as the supplier writes it>", "field": "<lead field or extra>"}, ...]}';

/**
 * GET / PUT /v1/suppliers/{id}/mapping (gRPC GetSupplierMapping, SetSupplierMapping): the headers
 * a person confirmed for one of the tenant's suppliers, read and replaced whole. The mapping
 * service keeps them by the supplier's name (docs/supplier-mapping.md); the supplier is looked up
 * by id in the tenant first, so that another tenant's supplier is not found, as one that never was.
 */
export function createSupplierMappingService(suppliers: SupplierStore | undefined, mappings: SupplierMappingStore | undefined) {
  const stores = () => {
    if (!suppliers || !mappings) throw new Error('the job service was built without supplier and supplier mapping stores');
    return { suppliers, mappings };
  };
  async function supplierName(id: string, tenantId: string): Promise<string> {
    const found = await stores().suppliers.get(id, tenantId);
    if (!found) throw supplierNotFound(id);
    return found.name;
  }

  return {
    async getSupplierMapping(id: string, tenantId: string): Promise<SupplierMappingView> {
      const supplier = await supplierName(id, tenantId);
      return { supplierId: id, supplier, mapping: await stores().mappings.get(tenantId, supplier) };
    },

    /** Replaces the supplier's mapping; its next job (on every mapping replica) is mapped by it. */
    async setSupplierMapping(id: string, tenantId: string, input: unknown): Promise<SupplierMappingView> {
      const supplier = await supplierName(id, tenantId);
      let entries;
      try {
        entries = validateSupplierMapping(input);
      } catch (err) {
        if (err instanceof SupplierMappingError) throw new GatewayError('INVALID_SUPPLIER_MAPPING', `${err.message}; ${FORMAT}`);
        throw err;
      }
      return { supplierId: id, supplier, mapping: await stores().mappings.replace(tenantId, supplier, entries) };
    },
  };
}
