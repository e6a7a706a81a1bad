import type { Logger } from '@leadflow/logger';
import type { Metrics } from '@leadflow/metrics';
import type { SqlClient } from '@leadflow/stores';

/** Sets the list-age gauge to each shared list's snapshot age in seconds, and the held-rows gauge. */
export async function readListAges(db: SqlClient, metrics: Pick<Metrics, 'dncListAge' | 'dncHeldRows'>): Promise<void> {
  const { rows } = await db.query<{ kind: string; age: number }>(
    `SELECT kind, extract(epoch FROM now() - snapshot_date::timestamptz)::float8 AS age
       FROM dnc_lists WHERE owner = '' AND snapshot_date IS NOT NULL`,
  );
  metrics.dncListAge.reset();
  for (const r of rows) metrics.dncListAge.set({ list: r.kind }, Math.max(0, r.age));
  const held = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM dnc_held_rows');
  metrics.dncHeldRows.set(held.rows[0]?.n ?? 0);
}

/** A lifecycle module keeping the gauges current: at start, then every `intervalMs` (a minute). */
export function listAgeGauge(opts: { db: SqlClient; metrics: Pick<Metrics, 'dncListAge' | 'dncHeldRows'>; logger: Logger; intervalMs?: number }) {
  let timer: NodeJS.Timeout | undefined;
  const once = () => readListAges(opts.db, opts.metrics).catch((err) => opts.logger.warn({ err }, 'reading the DNC list ages failed: the gauge keeps its last value'));
  return {
    name: 'dnc-list-age-gauge',
    async start() {
      await once();
      timer = setInterval(() => void once(), opts.intervalMs ?? 60_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
    },
  };
}
