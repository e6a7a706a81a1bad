import { isPhoneRegion } from '@leadflow/mapping';
import { costOf } from './job-cost.js';
import { moneyOf, MoneyError, parseAmount, parseCurrency, type Money } from './money.js';
import { GatewayError } from './gateway-error.js';
import { cleanSupplierName, MAX_SUPPLIER_NAME } from './supplier-name.js';
import { SupplierNameTaken, type JobTotals, type NewSupplier, type Price, type SupplierChanges, type SupplierRecord, type SupplierStore } from './supplier-store.js';

/** A supplier as REST shows it (gRPC's Supplier has the same fields). */
export interface SupplierView {
  id: string;
  name: string;
  costPerLead: Money | null;
  phoneRegion: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A supplier's jobs added up; costs by the currency each job was priced in at its upload. */
export interface SupplierTotalsView extends JobTotals {
  costs: (Pick<JobTotals, 'jobs' | 'rows' | 'accepted'> & { currency: string; totalCost: Money; costPerAcceptedLead: Money | null })[];
}

/** A supplier as the client sends it: fields not yet checked (REST's JSON, or gRPC's message made alike). */
export interface SupplierInput {
  name?: unknown;
  costPerLead?: unknown;
  phoneRegion?: unknown;
  active?: unknown;
}

const MAX_PAGE = 1000;

const invalid = (message: string) => new GatewayError('INVALID_SUPPLIER', message);
export const supplierNotFound = (id: string) => new GatewayError('SUPPLIER_NOT_FOUND', `no supplier with id "${id.slice(0, 40)}" for this tenant: GET /v1/suppliers lists them`);

const viewOf = (s: SupplierRecord): SupplierView => ({
  id: s.id,
  name: s.name,
  costPerLead: s.costPerLead && moneyOf(s.costPerLead.micros, s.costPerLead.currency),
  phoneRegion: s.phoneRegion,
  active: s.active,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

function parseName(raw: unknown): string {
  const name = typeof raw === 'string' ? cleanSupplierName(raw) : '';
  if (name.length === 0 || name.length > MAX_SUPPLIER_NAME) {
    throw invalid(`name must be the supplier's name, 1 to ${MAX_SUPPLIER_NAME} characters, as uploads name it in their "supplier" field`);
  }
  return name;
}

/** null removes the price; an amount and a currency set it. */
function parsePrice(raw: unknown): Price | null {
  if (raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid('costPerLead must be {"amount": "0.35", "currency": "USD"}, or null for no price');
  const { amount, currency, ...rest } = raw as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw invalid(`costPerLead takes amount and currency, not ${extra.slice(0, 40)}`);
  try {
    return { micros: parseAmount(amount), currency: parseCurrency(currency) };
  } catch (err) {
    if (err instanceof MoneyError) throw invalid(`costPerLead.${err.message}`);
    throw err;
  }
}

/** null (or "") removes it; a code is taken in any case. */
function parseRegion(raw: unknown): string | null {
  if (raw === null || raw === '') return null;
  const code = typeof raw === 'string' ? raw.trim().toUpperCase() : '';
  if (isPhoneRegion(code)) return code;
  const shown = typeof raw === 'string' ? `"${raw.slice(0, 20)}"` : JSON.stringify(raw).slice(0, 20);
  throw invalid(`phoneRegion must be an ISO 3166-1 alpha-2 country code with a phone numbering plan, such as US, GB or DE, or null for the default; not ${shown}`);
}

function parseActive(raw: unknown): boolean {
  if (typeof raw !== 'boolean') throw invalid('active must be true or false');
  return raw;
}

/** The changes a client asks for: only the fields it sent. */
function parseChanges(input: SupplierInput): SupplierChanges {
  const changes: SupplierChanges = {};
  if (input.name !== undefined) changes.name = parseName(input.name);
  if (input.costPerLead !== undefined) changes.costPerLead = parsePrice(input.costPerLead);
  if (input.phoneRegion !== undefined) changes.phoneRegion = parseRegion(input.phoneRegion);
  if (input.active !== undefined) changes.active = parseActive(input.active);
  return changes;
}

function nameTaken(err: unknown): unknown {
  if (!(err instanceof SupplierNameTaken)) return err;
  return new GatewayError('SUPPLIER_EXISTS', `the tenant has a supplier named "${err.supplierName.slice(0, 200)}" already (id ${err.existingId}): change it with PATCH /v1/suppliers/${err.existingId}, or choose another name`);
}

export type SupplierService = ReturnType<typeof createSupplierService>;

/**
 * The tenant's suppliers (docs/suppliers.md), for REST and gRPC alike: every field checked here,
 * so both protocols answer the same INVALID_SUPPLIER naming it. Without a store (tests that do
 * not use suppliers) every call fails.
 */
export function createSupplierService(
  store: SupplierStore | undefined,
  opts: { onRenamed?: (tenantId: string, from: string, to: string) => Promise<void> } = {},
) {
  const suppliers = (): SupplierStore => {
    if (!store) throw new Error('no supplier store was given to the job service');
    return store;
  };

  async function createSupplier(tenantId: string, input: SupplierInput): Promise<SupplierView> {
    const supplier: NewSupplier = {
      name: parseName(input.name),
      costPerLead: input.costPerLead === undefined ? null : parsePrice(input.costPerLead),
      phoneRegion: input.phoneRegion === undefined ? null : parseRegion(input.phoneRegion),
      active: input.active === undefined ? true : parseActive(input.active),
    };
    return viewOf(await suppliers().create(tenantId, supplier).catch((err) => Promise.reject(nameTaken(err))));
  }

  /** The tenant's suppliers by name, a page at a time. */
  async function listSuppliers(tenantId: string, query: { active?: boolean; limit?: number; after?: string }) {
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new GatewayError('INVALID_QUERY', `limit must be a whole number from 1 to ${MAX_PAGE}`);
    if (query.after && !(await suppliers().get(query.after, tenantId))) {
      throw new GatewayError('INVALID_QUERY', 'after must be the "next" of the page before (a supplier id)');
    }
    const page = await suppliers().list(tenantId, { active: query.active, limit, after: query.after || undefined });
    return { suppliers: page.map(viewOf), next: page.length === limit ? page.at(-1)!.id : '' };
  }

  /** A supplier with its totals over its jobs. */
  async function getSupplier(id: string, tenantId: string): Promise<SupplierView & { totals: SupplierTotalsView }> {
    const found = await suppliers().get(id, tenantId);
    if (!found) throw supplierNotFound(id);
    const { costs, ...counts } = await suppliers().totals(id, tenantId);
    return {
      ...viewOf(found),
      totals: {
        ...counts,
        costs: costs.map((c) => ({ currency: c.currency, jobs: c.jobs, rows: c.rows, accepted: c.accepted, ...costOf(c.totalMicros, c.accepted, c.currency) })),
      },
    };
  }

  /**
   * Changes the fields sent; jobs uploaded before keep the price and region they had. A new name
   * takes the supplier's confirmed mapping with it (onRenamed), which is kept by name.
   */
  async function updateSupplier(id: string, tenantId: string, input: SupplierInput): Promise<SupplierView> {
    const changes = parseChanges(input);
    const before = changes.name === undefined ? undefined : await suppliers().get(id, tenantId);
    const updated = await suppliers().update(id, tenantId, changes).catch((err) => Promise.reject(nameTaken(err)));
    if (!updated) throw supplierNotFound(id);
    if (before && before.name !== updated.name) await opts.onRenamed?.(tenantId, before.name, updated.name);
    return viewOf(updated);
  }

  return { createSupplier, listSuppliers, getSupplier, updateSupplier };
}
