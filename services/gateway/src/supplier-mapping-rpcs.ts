import type { ServerUnaryCall } from '@grpc/grpc-js';
import type { GetSupplierMappingRequest, LeadflowGatewayServer, SetSupplierMappingRequest, SupplierMapping } from '@leadflow/proto';
import type { Unary } from './mapping-rpcs.js';
import type { SupplierMappingService, SupplierMappingView } from './supplier-mapping.js';

const toProto = (v: SupplierMappingView): SupplierMapping => ({
  supplierId: v.supplierId,
  supplier: v.supplier,
  mapping: v.mapping.map((e) => ({ header: e.header, field: e.field, learnedAt: e.learnedAt, learnedBy: e.learnedBy, jobId: e.jobId ?? '' })),
});

/** GetSupplierMapping and SetSupplierMapping, over the same service as REST's routes (supplier-mapping-routes.ts). */
export function supplierMappingRpcs(service: SupplierMappingService, unary: Unary): Pick<LeadflowGatewayServer, 'getSupplierMapping' | 'setSupplierMapping'> {
  return {
    getSupplierMapping: unary('getSupplierMapping', async (call: ServerUnaryCall<GetSupplierMappingRequest, SupplierMapping>, tenantId) =>
      toProto(await service.getSupplierMapping(call.request.id, tenantId)),
    ),
    setSupplierMapping: unary('setSupplierMapping', async (call: ServerUnaryCall<SetSupplierMappingRequest, SupplierMapping>, tenantId) =>
      // Header and field of each entry, checked as REST's JSON is; what GET adds is read only.
      toProto(await service.setSupplierMapping(call.request.id, tenantId, call.request.mapping.map((e) => ({ header: e.header, field: e.field })))),
    ),
  };
}
