import type { SqlClient } from '@leadflow/stores';
import { GatewayError } from './gateway-error.js';
import { microsOfNumeric, numericOf } from './money.js';
import { cleanSupplierName, MAX_SUPPLIER_NAME } from './supplier-name.js';
import { createSqlSupplierStore, type Price, type SupplierRecord } from './supplier-store.js';

/** The supplier a job was linked to: its name as the tenant registered it, and its default phone region. */
export type JobSupplier = Pick<SupplierRecord, 'id' | 'name' | 'phoneRegion'>;

/** How a job records its supplier (docs/suppliers.md). */
export interface JobSupplierLink {
  /** The supplier, none when the job names none. */
  supplier?: JobSupplier;
  /** The job's `supplier`: the registered name, or the one sent when there is none. */
  name: string;
  /** The job's columns supplier_id, cost_per_lead, cost_currency: the price as it is at upload. */
  columns: [string | null, string | null, string | null];
}

/**
 * Links a job to the supplier it names: the tenant's supplier of that name, made (with no price)
 * when there is none, so that no file is refused for its supplier. A name longer than a name is
 * refused (INVALID_SUPPLIER) before the job is made.
 */
export function jobSupplierLinker(db: SqlClient): (tenantId: string, name: string) => Promise<JobSupplierLink> {
  const suppliers = createSqlSupplierStore(db);
  return async (tenantId, name) => {
    if (cleanSupplierName(name).length > MAX_SUPPLIER_NAME) {
      throw new GatewayError('INVALID_SUPPLIER', `supplier must be a supplier's name of at most ${MAX_SUPPLIER_NAME} characters, not ${name.length}`);
    }
    if (!name.trim()) return { name, columns: [null, null, null] };
    const found = await suppliers.forUpload(tenantId, name);
    const price = found.costPerLead;
    return {
      supplier: { id: found.id, name: found.name, phoneRegion: found.phoneRegion },
      name: found.name,
      columns: [found.id, price ? numericOf(price.micros) : null, price?.currency ?? null],
    };
  };
}

/** The price a job kept, from its columns cost_per_lead (as text) and cost_currency. */
export const jobPrice = (row: { cost_per_lead: string | null; cost_currency: string | null }): Price | null =>
  row.cost_per_lead !== null && row.cost_currency !== null ? { micros: microsOfNumeric(row.cost_per_lead), currency: row.cost_currency } : null;
