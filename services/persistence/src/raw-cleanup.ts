import { int } from '@leadflow/config';
import type { Logger } from '@leadflow/logger';
import type { SqlClient } from '@leadflow/stores';

/** How long raw cells are kept, and how often the cleanup runs (docs/data-retention.md). */
export const rawRetentionSchema = {
  rawRetentionHours: [
    'RAW_RETENTION_HOURS',
    int({ min: 0, max: 24 * 3660, default: 48, description: "hours the cells of rejected rows and the supplier's own values of stored leads are kept, then emptied" }),
  ],
  rawCleanupIntervalMs: [
    'RAW_CLEANUP_INTERVAL_MS',
    int({ min: 1000, max: 24 * 3600_000, default: 3600_000, description: 'how often the cleanup of raw cells runs (milliseconds)' }),
  ],
} as const;

/** The places raw cells are kept, as a cleanup's counts name them. */
export const RAW_PLACES = ['rejected_rows.raw', 'leads.original'] as const;
export type RawPlace = (typeof RAW_PLACES)[number];

const CHUNK = 5_000;

/**
 * One place's statement: empties up to CHUNK rows older than the retention and answers how many
 * per tenant. Rows are picked by ctid and checked again, so that two replicas cleaning at once
 * never count a row twice (the second finds it changed and skips it).
 */
const STATEMENTS: Record<RawPlace, string> = {
  'rejected_rows.raw': `WITH gone AS (
       UPDATE rejected_rows SET raw = '{}'::json, raw_removed_at = now()
        WHERE ctid = ANY (ARRAY(SELECT ctid FROM rejected_rows
                                 WHERE raw_removed_at IS NULL AND created_at < now() - make_interval(hours => $1) LIMIT ${CHUNK}))
          AND raw_removed_at IS NULL
       RETURNING tenant_id)
     SELECT tenant_id, count(*)::int AS n FROM gone GROUP BY tenant_id`,
  'leads.original': `WITH gone AS (
       UPDATE leads SET original = '{}'::jsonb, original_removed_at = now()
        WHERE ctid = ANY (ARRAY(SELECT ctid FROM leads
                                 WHERE original_removed_at IS NULL AND original <> '{}'::jsonb
                                   AND created_at < now() - make_interval(hours => $1) LIMIT ${CHUNK}))
          AND original_removed_at IS NULL
       RETURNING tenant_id)
     SELECT tenant_id, count(*)::int AS n FROM gone GROUP BY tenant_id`,
};

/** What one cleanup removed: rows emptied per tenant and place. */
export type CleanupCounts = Map<string, Map<RawPlace, number>>;

/** Empties the raw cells older than `retentionHours`, chunk by chunk; answers what it removed. */
export async function removeRawCells(db: SqlClient, retentionHours: number): Promise<CleanupCounts> {
  const counts: CleanupCounts = new Map();
  for (const place of RAW_PLACES) {
    // Bounded: a million chunks is five billion rows.
    for (let round = 0; round < 1_000_000; round++) {
      const { rows } = await db.query<{ tenant_id: string; n: number }>(STATEMENTS[place], [retentionHours]);
      let emptied = 0;
      for (const r of rows) {
        const of = counts.get(r.tenant_id) ?? new Map<RawPlace, number>();
        of.set(place, (of.get(place) ?? 0) + r.n);
        counts.set(r.tenant_id, of);
        emptied += r.n;
      }
      if (emptied < CHUNK) break;
    }
  }
  return counts;
}

/** Runs a cleanup and records it (storage_cleanups, storage_cleanup_counts): GET /v1/storage shows the last one. */
export async function runRawCleanup(db: SqlClient, opts: { retentionHours: number; intervalMs: number }): Promise<{ removed: number; counts: CleanupCounts }> {
  const { rows } = await db.query<{ id: string }>('INSERT INTO storage_cleanups (retention_hours) VALUES ($1) RETURNING id', [opts.retentionHours]);
  const id = rows[0]!.id;
  const next = () => new Date(Date.now() + opts.intervalMs).toISOString();
  try {
    const counts = await removeRawCells(db, opts.retentionHours);
    const flat = [...counts].flatMap(([tenant, of]) => [...of].map(([place, n]) => ({ tenant, place, n })));
    await db.query(
      `INSERT INTO storage_cleanup_counts (cleanup_id, tenant_id, place, rows)
       SELECT $1, c.tenant, c.place, c.n FROM jsonb_to_recordset($2::jsonb) AS c(tenant text, place text, n int)`,
      [id, JSON.stringify(flat)],
    );
    await db.query('UPDATE storage_cleanups SET finished_at = now(), next_at = $2 WHERE id = $1', [id, next()]);
    return { removed: flat.reduce((a, c) => a + c.n, 0), counts };
  } catch (err) {
    await db.query('UPDATE storage_cleanups SET finished_at = now(), next_at = $2, error = $3 WHERE id = $1', [id, next(), (err as Error).message]).catch(() => {});
    throw err;
  }
}

export interface RawCleanupOptions {
  db: SqlClient;
  retentionHours: number;
  intervalMs: number;
  logger: Logger;
}

/**
 * A lifecycle module: a cleanup at start, then every `intervalMs`. A failure is logged and
 * recorded (GET /v1/storage shows it) and tried again next time; it never stops the service.
 */
export function rawCleanupModule(opts: RawCleanupOptions) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const once = async () => {
    try {
      const { removed } = await runRawCleanup(opts.db, opts);
      if (removed > 0) opts.logger.info({ removed, retentionHours: opts.retentionHours }, 'raw cells past their retention emptied');
    } catch (err) {
      opts.logger.warn({ err }, 'the cleanup of raw cells failed; tried again at its next run');
    }
  };
  return {
    name: 'raw-cleanup',
    async start() {
      await once();
      timer = setInterval(() => {
        running = running.then(once);
      }, opts.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
