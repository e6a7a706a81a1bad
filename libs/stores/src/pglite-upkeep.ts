/** What PGlite runs for upkeep; a failure of it must never fail the work it follows. */
export interface UpkeepTarget {
  exec(sql: string): Promise<unknown>;
  query<R>(sql: string): Promise<{ rows: R[] }>;
}

/** Rows changed before the first ANALYZE of a process. */
const FIRST_ANALYZE = 1000;

export interface UpkeepOptions {
  /** Write-ahead log allowed to pile up before a checkpoint. @default 256 MiB */
  checkpointWalBytes?: number;
  /** How often the log is measured, at most. @default 10000 */
  walCheckMs?: number;
}

/**
 * The upkeep a PostgreSQL server's background processes do and PGlite (one process, single-user
 * mode) never does:
 *
 * - ANALYZE, as autovacuum would: without statistics the planner takes the tables for nearly
 *   empty and reads every lead of the tenant for each batch's emails and phones. Done each time
 *   the rows changed since the last one reach the number changed before: a few times a run.
 * - CHECKPOINT: in single-user mode PostgreSQL requests none however much log it writes (only a
 *   postmaster's checkpointer does), so the log grows for as long as the process runs and a
 *   restart after a kill replays all of it (a minute for 450 MB, measured). Done once 256 MB
 *   were written since the last, which also lets PostgreSQL recycle the old log files.
 */
export function createUpkeep(db: UpkeepTarget, opts: UpkeepOptions = {}) {
  const checkpointWalBytes = opts.checkpointWalBytes ?? 256 * 1024 * 1024;
  const walCheckMs = opts.walCheckMs ?? 10_000;
  let changed = 0;
  let analyzeAt = FIRST_ANALYZE;
  let walCheckedAt = Date.now();
  let running: Promise<void> | undefined;

  const due = async () => {
    if (changed >= analyzeAt) {
      analyzeAt = changed * 2;
      await db.exec('ANALYZE');
    }
    if (Date.now() - walCheckedAt >= walCheckMs) {
      walCheckedAt = Date.now();
      const { rows } = await db.query<{ behind: string | number }>(
        'SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn) AS behind FROM pg_control_checkpoint()',
      );
      if (Number(rows[0]?.behind) >= checkpointWalBytes) await db.exec('CHECKPOINT');
    }
  };

  return {
    /** Counts rows a statement changed. */
    count(rows: number) {
      changed += rows;
    },
    /** Runs what is due, outside any transaction; one at a time. */
    async run(): Promise<void> {
      if (running || (changed < analyzeAt && Date.now() - walCheckedAt < walCheckMs)) return;
      running = due().then(
        () => undefined,
        () => undefined,
      );
      try {
        await running;
      } finally {
        running = undefined;
      }
    },
  };
}
