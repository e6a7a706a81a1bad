import type { SqlClient } from '@leadflow/stores';
import type { MappedField } from './map-columns.js';
import { foldedEntries } from './mapping-store.js';
import type { LearnedBy, SupplierMappingEntry } from './supplier-mapping.js';

/**
 * A supplier's confirmed mapping as a whole (table supplier_mappings, by tenant and the supplier's
 * name as registered): what GET / PUT /v1/suppliers/{id}/mapping read and replace. The mapping
 * stage reads the same rows at each of the supplier's jobs (MappingStore.confirmed), so a change
 * is used from the supplier's next job on, by every replica.
 */
export interface SupplierMappingStore {
  /** The supplier's mapping by header, in the order mapping compares headers. */
  get(tenantId: string, supplier: string): Promise<SupplierMappingEntry[]>;
  /** Makes `mappings` the supplier's whole mapping (learned by `api`); an empty list forgets it. */
  replace(tenantId: string, supplier: string, mappings: readonly { header: string; field: MappedField }[]): Promise<SupplierMappingEntry[]>;
  /** Keeps the mapping with its supplier when the supplier is renamed (a mapping the new name had is replaced). */
  rename(tenantId: string, from: string, to: string): Promise<void>;
}

interface EntryRow {
  header: string;
  source_header: string | null;
  field: MappedField;
  confirmed_at: Date | string;
  learned_by: LearnedBy;
  job_id: string | null;
}

const entryOf = (r: EntryRow): SupplierMappingEntry => ({
  header: r.source_header ?? r.header,
  field: r.field,
  learnedAt: new Date(r.confirmed_at).toISOString(),
  learnedBy: r.learned_by,
  jobId: r.job_id,
});

export function createSqlSupplierMappingStore(db: SqlClient): SupplierMappingStore {
  const get = async (q: Pick<SqlClient, 'query'>, tenantId: string, supplier: string) => {
    const { rows } = await q.query<EntryRow>(
      `SELECT header, source_header, field, confirmed_at, learned_by, job_id FROM supplier_mappings
        WHERE tenant_id = $1 AND supplier = $2 ORDER BY header`,
      [tenantId, supplier],
    );
    return rows.map(entryOf);
  };
  return {
    get: (tenantId, supplier) => get(db, tenantId, supplier),
    replace: (tenantId, supplier, mappings) =>
      db.transaction(async (tx) => {
        await tx.query('DELETE FROM supplier_mappings WHERE tenant_id = $1 AND supplier = $2', [tenantId, supplier]);
        await tx.query(
          `INSERT INTO supplier_mappings (tenant_id, supplier, header, field, source_header, learned_by)
           SELECT $1, $2, m.header, m.field, m.source, 'api' FROM jsonb_to_recordset($3::jsonb) AS m(header text, field text, source text)`,
          [tenantId, supplier, JSON.stringify(foldedEntries(mappings))],
        );
        return get(tx, tenantId, supplier);
      }),
    async rename(tenantId, from, to) {
      if (from === to) return;
      await db.transaction(async (tx) => {
        await tx.query('DELETE FROM supplier_mappings WHERE tenant_id = $1 AND supplier = $2', [tenantId, to]);
        await tx.query('UPDATE supplier_mappings SET supplier = $3 WHERE tenant_id = $1 AND supplier = $2', [tenantId, from, to]);
      });
    },
  };
}
