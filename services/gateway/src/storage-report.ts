import type { SqlClient } from '@leadflow/stores';
import { ownedElsewhere, readOwnedElsewhere } from './owned-elsewhere.js';

/** One table's share of a tenant's personal data. */
export interface StoredTable {
  table: string;
  /** What one row is. */
  holds: string;
  /** The tenant's rows in it. */
  rows: number;
  /** The bytes of those rows (PostgreSQL's pg_column_size of each row, before compression of the table's pages). */
  bytes: number;
}

export interface CleanupView {
  startedAt: string;
  finishedAt: string | null;
  retentionHours: number;
  /** The tenant's rows whose raw cells it emptied, by place ("rejected_rows.raw", "leads.original"). */
  removed: Record<string, number>;
  /** Why it failed, if it did; it is tried again at the next run. */
  error: string | null;
}

/** GET /v1/storage (docs/data-retention.md). */
export interface StorageView {
  tables: StoredTable[];
  /** The newest cleanup of raw cells; null before the first. */
  lastCleanup: CleanupView | null;
  /** When the next cleanup is due; null before the first. */
  nextCleanup: string | null;
}

/** How a table's rows are the tenant's: its own tenant_id, or its job's. */
const BY_TENANT = 't.tenant_id = $1';
const BY_JOB = 't.job_id IN (SELECT id FROM jobs WHERE tenant_id = $1)';

/** The tables that hold leads' personal data, and what one row of each is. */
const TABLES: readonly { table: string; holds: string; where: string }[] = [
  { table: 'leads', holds: 'an accepted lead', where: BY_TENANT },
  { table: 'lead_alternate_keys', holds: "a lead's alternate email or phone", where: BY_TENANT },
  { table: 'duplicate_leads', holds: 'a row found a duplicate', where: BY_TENANT },
  { table: 'possible_duplicates', holds: 'a lead that may copy another, for review', where: BY_TENANT },
  { table: 'rejected_rows', holds: 'a rejected row, its cells as sent until the cleanup', where: BY_TENANT },
  { table: 'suppressed_leads', holds: 'a row screened out (Do-Not-Call, suppression)', where: BY_TENANT },
  { table: 'dnc_audit', holds: 'a Do-Not-Call check, the number as a keyed hash', where: BY_TENANT },
  { table: 'deliveries', holds: "a lead's delivery to an endpoint (before the outbox)", where: BY_JOB },
  { table: 'delivery_events', holds: 'an event to deliver, with its leads', where: BY_TENANT },
  { table: 'delivery_attempts', holds: 'an attempt to deliver an event', where: BY_TENANT },
  { table: 'job_parked_chunks', holds: "a queued job's upload bytes, until it starts", where: BY_JOB },
  { table: 'parked_batches', holds: "a job's rows held for a mapping review", where: BY_JOB },
  { table: 'erasure_log', holds: 'an erasure request, the person as keyed hashes', where: BY_TENANT },
  { table: 'erased_subjects', holds: "an erased person's email or phone as a keyed hash, kept out", where: BY_TENANT },
];

/**
 * What the tenant keeps where, and the cleanup of raw cells. Reads every row of the tenant in
 * each table (seconds for millions of rows): an admin's question, not a dashboard's.
 */
export async function storageReport(db: SqlClient, tenantId: string): Promise<StorageView> {
  const tables: StoredTable[] = [];
  for (const { table, holds, where } of TABLES) {
    const [row] = await readOwnedElsewhere<{ rows: number; bytes: string }>(
      db,
      `SELECT count(*)::int AS rows, coalesce(sum(pg_column_size(t.*)), 0)::bigint AS bytes FROM ${table} t WHERE ${where}`,
      [tenantId],
    );
    tables.push({ table, holds, rows: row?.rows ?? 0, bytes: Number(row?.bytes ?? 0) });
  }
  const [last] = await readOwnedElsewhere<{ id: string; started_at: Date; finished_at: Date | null; retention_hours: number; next_at: Date | null; error: string | null }>(
    db,
    'SELECT id, started_at, finished_at, retention_hours, next_at, error FROM storage_cleanups WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1',
    [],
  );
  if (!last) return { tables, lastCleanup: null, nextCleanup: null };
  const counts = await ownedElsewhere(
    db.query<{ place: string; rows: number }>('SELECT place, rows FROM storage_cleanup_counts WHERE cleanup_id = $1 AND tenant_id = $2', [last.id, tenantId]).then((r) => r.rows),
    [],
  );
  return {
    tables,
    lastCleanup: {
      startedAt: last.started_at.toISOString(),
      finishedAt: last.finished_at?.toISOString() ?? null,
      retentionHours: last.retention_hours,
      removed: Object.fromEntries(counts.map((c) => [c.place, c.rows])),
      error: last.error,
    },
    nextCleanup: last.next_at?.toISOString() ?? null,
  };
}
