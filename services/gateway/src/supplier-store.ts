import { randomUUID } from 'node:crypto';
import type { SqlClient } from '@leadflow/stores';
import { microsOfNumeric, numericOf } from './money.js';
import { readOwnedElsewhere } from './owned-elsewhere.js';
import { cleanSupplierName, supplierNameKey } from './supplier-name.js';

/** A price per lead: millionths of the currency's unit (money.ts). */
export interface Price {
  micros: bigint;
  currency: string;
}

/** A supplier as the table keeps it (migration 006). */
export interface SupplierRecord {
  id: string;
  name: string;
  costPerLead: Price | null;
  /** ISO 3166-1 alpha-2, uppercase; null for the mapping's default. */
  phoneRegion: string | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewSupplier {
  name: string;
  costPerLead: Price | null;
  phoneRegion: string | null;
  active: boolean;
}

/** What a change sets; a field left out stays as it is. */
export type SupplierChanges = Partial<NewSupplier>;

/** Counts over a supplier's jobs, as a job's `counts` has them. */
export interface JobTotals {
  jobs: number;
  rows: number;
  accepted: number;
  invalid: number;
  duplicate: number;
  suppressed: number;
}

/** The totals of a supplier's jobs, and of those priced in each currency, with what their rows cost. */
export interface SupplierTotalsRecord extends JobTotals {
  costs: (Pick<JobTotals, 'jobs' | 'rows' | 'accepted'> & { currency: string; totalMicros: bigint })[];
}

/** Another supplier of the tenant has this name (whatever its case): its id is given. */
export class SupplierNameTaken extends Error {
  constructor(
    readonly supplierName: string,
    readonly existingId: string,
  ) {
    super(`a supplier named "${supplierName}" exists`);
  }
}

export interface SupplierStore {
  /** Throws SupplierNameTaken when the tenant has a supplier of that name. */
  create(tenantId: string, supplier: NewSupplier): Promise<SupplierRecord>;
  /** A page of the tenant's suppliers by name; `after` is the id of the last of the page before. */
  list(tenantId: string, opts: { active?: boolean; limit: number; after?: string }): Promise<SupplierRecord[]>;
  get(id: string, tenantId: string): Promise<SupplierRecord | undefined>;
  /** Undefined when the tenant has no such supplier; throws SupplierNameTaken for a name another has. */
  update(id: string, tenantId: string, changes: SupplierChanges): Promise<SupplierRecord | undefined>;
  /** The supplier an upload names, made (active, with no price) when the tenant has none of that name. */
  forUpload(tenantId: string, name: string): Promise<SupplierRecord>;
  /** Over the supplier's jobs created in the period (from inclusive, to exclusive; either open), all when none is given. */
  totals(id: string, tenantId: string, period?: Period): Promise<SupplierTotalsRecord>;
}

/** A span of job creation times: `from` inclusive, `to` exclusive; a bound left out is open. */
export interface Period {
  from?: Date;
  to?: Date;
}

interface SupplierRow {
  id: string;
  name: string;
  cost_per_lead: string | null;
  cost_currency: string | null;
  phone_region: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, cost_per_lead::text AS cost_per_lead, cost_currency, phone_region, active, created_at, updated_at';
const UNIQUE_VIOLATION = '23505';

const recordOf = (r: SupplierRow): SupplierRecord => ({
  id: r.id,
  name: r.name,
  costPerLead: r.cost_per_lead === null || r.cost_currency === null ? null : { micros: microsOfNumeric(r.cost_per_lead), currency: r.cost_currency },
  phoneRegion: r.phone_region,
  active: r.active,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

interface TotalsRow {
  currency: string | null;
  jobs: number;
  rows: string;
  accepted: string;
  invalid: string;
  duplicate: string;
  suppressed: string;
  total_cost: string | null;
}

/** The suppliers table (the gateway's), in PostgreSQL or PGlite alike. */
export function createSqlSupplierStore(db: SqlClient): SupplierStore {
  const byId = async (id: string, tenantId: string) =>
    (await db.query<SupplierRow>(`SELECT ${COLUMNS} FROM suppliers WHERE id = $1 AND tenant_id = $2`, [id, tenantId])).rows[0];

  /** A unique violation on the name as SupplierNameTaken, naming the supplier that has it. */
  const nameTaken = async (err: unknown, tenantId: string, name: string): Promise<never> => {
    if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    const { rows } = await db.query<{ id: string; name: string }>('SELECT id, name FROM suppliers WHERE tenant_id = $1 AND name_key = $2', [
      tenantId, supplierNameKey(name),
    ]);
    throw new SupplierNameTaken(rows[0]?.name ?? name, rows[0]?.id ?? '');
  };

  return {
    async create(tenantId, s) {
      const name = cleanSupplierName(s.name);
      try {
        const { rows } = await db.query<SupplierRow>(
          `INSERT INTO suppliers (id, tenant_id, name, name_key, cost_per_lead, cost_currency, phone_region, active)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
          [randomUUID(), tenantId, name, supplierNameKey(name), s.costPerLead ? numericOf(s.costPerLead.micros) : null, s.costPerLead?.currency ?? null, s.phoneRegion, s.active],
        );
        return recordOf(rows[0]!);
      } catch (err) {
        return nameTaken(err, tenantId, name);
      }
    },

    async list(tenantId, opts) {
      const { rows } = await db.query<SupplierRow>(
        `SELECT ${COLUMNS} FROM suppliers
          WHERE tenant_id = $1 AND ($2::boolean IS NULL OR active = $2)
            AND ($3::text IS NULL OR (name_key, id) > (SELECT name_key, id FROM suppliers WHERE id = $3 AND tenant_id = $1))
          ORDER BY name_key, id LIMIT $4`,
        [tenantId, opts.active ?? null, opts.after ?? null, opts.limit],
      );
      return rows.map(recordOf);
    },

    async get(id, tenantId) {
      const row = await byId(id, tenantId);
      return row && recordOf(row);
    },

    async update(id, tenantId, c) {
      const sets: string[] = [];
      const params: unknown[] = [id, tenantId];
      const set = (column: string, value: unknown) => sets.push(`${column} = $${params.push(value)}`);
      if (c.name !== undefined) {
        set('name', cleanSupplierName(c.name));
        set('name_key', supplierNameKey(c.name));
      }
      if (c.costPerLead !== undefined) {
        set('cost_per_lead', c.costPerLead ? numericOf(c.costPerLead.micros) : null);
        set('cost_currency', c.costPerLead?.currency ?? null);
      }
      if (c.phoneRegion !== undefined) set('phone_region', c.phoneRegion);
      if (c.active !== undefined) set('active', c.active);
      if (sets.length === 0) return this.get(id, tenantId);
      try {
        const { rows } = await db.query<SupplierRow>(
          `UPDATE suppliers SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 AND tenant_id = $2 RETURNING ${COLUMNS}`,
          params,
        );
        return rows[0] && recordOf(rows[0]);
      } catch (err) {
        return nameTaken(err, tenantId, c.name ?? '');
      }
    },

    async forUpload(tenantId, raw) {
      const name = cleanSupplierName(raw);
      const key = supplierNameKey(name);
      // Two uploads naming a new supplier at once: one inserts, the other finds its row.
      await db.query('INSERT INTO suppliers (id, tenant_id, name, name_key) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, name_key) DO NOTHING', [
        randomUUID(), tenantId, name, key,
      ]);
      const { rows } = await db.query<SupplierRow>(`SELECT ${COLUMNS} FROM suppliers WHERE tenant_id = $1 AND name_key = $2`, [tenantId, key]);
      return recordOf(rows[0]!);
    },

    async totals(id, tenantId, period = {}) {
      // job_progress is persistence's; a job it has not seen yet counts as no rows.
      const groups = await readOwnedElsewhere<TotalsRow>(
        db,
        `SELECT j.cost_currency AS currency, count(*)::int AS jobs,
                sum(coalesce(p.total_rows, p.stored, 0))::text AS rows,
                sum(coalesce(p.accepted, 0))::text AS accepted,
                sum(coalesce(p.invalid, 0))::text AS invalid,
                sum(coalesce(p.duplicate, 0))::text AS duplicate,
                sum(coalesce(p.suppressed, 0))::text AS suppressed,
                sum(j.cost_per_lead * coalesce(p.total_rows, p.stored, 0))::text AS total_cost
           FROM jobs j LEFT JOIN job_progress p ON p.job_id = j.id
          WHERE j.tenant_id = $1 AND j.supplier_id = $2
            AND ($3::timestamptz IS NULL OR j.created_at >= $3) AND ($4::timestamptz IS NULL OR j.created_at < $4)
          GROUP BY j.cost_currency
          ORDER BY j.cost_currency`,
        [tenantId, id, period.from ?? null, period.to ?? null],
      );
      const totals: SupplierTotalsRecord = { jobs: 0, rows: 0, accepted: 0, invalid: 0, duplicate: 0, suppressed: 0, costs: [] };
      for (const g of groups) {
        const counts = { jobs: g.jobs, rows: Number(g.rows), accepted: Number(g.accepted) };
        totals.jobs += counts.jobs;
        totals.rows += counts.rows;
        totals.accepted += counts.accepted;
        totals.invalid += Number(g.invalid);
        totals.duplicate += Number(g.duplicate);
        totals.suppressed += Number(g.suppressed);
        if (g.currency !== null) totals.costs.push({ currency: g.currency, ...counts, totalMicros: microsOfNumeric(g.total_cost ?? '0') });
      }
      return totals;
    },
  };
}
