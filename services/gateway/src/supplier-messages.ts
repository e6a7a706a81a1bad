import type { CreateSupplierRequest, GetSupplierResponse, Supplier, UpdateSupplierRequest } from '@leadflow/proto';
import type { Money } from './money.js';
import { GatewayError } from './gateway-error.js';
import type { SupplierInput, SupplierTotalsView, SupplierView } from './supplier-service.js';

/**
 * Suppliers between gRPC's messages and the supplier service, which checks what either protocol
 * sends alike: a message's unset field is REST's field left out, "" a region removed.
 */
export const toProtoSupplier = (s: SupplierView): Supplier => ({ ...s, costPerLead: s.costPerLead ?? undefined, phoneRegion: s.phoneRegion ?? '' });

export const toProtoMoney = (m: Money | null): Money | undefined => m ?? undefined;

export function toProtoTotals(t: SupplierTotalsView): GetSupplierResponse['totals'] {
  return { ...t, costs: t.costs.map((c) => ({ ...c, costPerAcceptedLead: toProtoMoney(c.costPerAcceptedLead) })) };
}

export const fromCreateSupplier = (r: CreateSupplierRequest): SupplierInput => ({
  name: r.name,
  costPerLead: r.costPerLead,
  phoneRegion: r.phoneRegion || undefined,
  active: r.active,
});

export function fromUpdateSupplier(r: UpdateSupplierRequest): SupplierInput {
  if (r.clearCostPerLead && r.costPerLead) throw new GatewayError('INVALID_SUPPLIER', 'send cost_per_lead to set a price, or clear_cost_per_lead to remove it, not both');
  return { name: r.name, costPerLead: r.clearCostPerLead ? null : r.costPerLead, phoneRegion: r.phoneRegion, active: r.active };
}
