import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findProgram } from '@leadflow/infra';
import { runMeasured } from './measured-run.js';
import type { MemoryProbe } from './process-memory.js';
import type { ModeResult } from './mode-result.js';

export interface CopyFloorOptions {
  file: string;
  header: readonly string[];
  databaseUrl: string;
  workDir: string;
  timeoutMs: number;
  maxRss: number;
  /** The PostgreSQL server's memory, sampled while the copy runs. */
  server?: MemoryProbe;
  signal?: AbortSignal;
}

/** Debian's psql is on PATH; the server's own bin folder has one too. */
const psqlProgram = () => findProgram('psql', ['/usr/bin/psql']);

/**
 * The floor: the file loaded as it is by PostgreSQL's `\copy` through psql, into an unlogged
 * table of text columns (no parsing into types, no index, no write-ahead log). Nothing the
 * pipeline does can be faster than reading the same bytes into the same database.
 */
export async function measureCopyFloor(opts: CopyFloorOptions): Promise<ModeResult> {
  const psql = psqlProgram();
  if (!psql) return { mode: 'copy', failure: 'psql not found: install the postgresql-client package' };
  const table = `bench_copy_${process.pid}_${Date.now()}`;
  const sql = (command: string) => spawnSync(psql, [opts.databaseUrl, '-v', 'ON_ERROR_STOP=1', '-qAtc', command], { encoding: 'utf8' });
  const columns = opts.header.map((_, i) => `c${i + 1} text`).join(', ');
  const created = sql(`CREATE UNLOGGED TABLE ${table} (${columns})`);
  if (created.status !== 0) return { mode: 'copy', failure: `could not create the table: ${created.stderr.trim()}` };
  try {
    const path = opts.file.replace(/'/g, "''");
    const run = await runMeasured({
      command: psql,
      args: [opts.databaseUrl, '-v', 'ON_ERROR_STOP=1', '-c', `\\copy ${table} FROM '${path}' WITH (FORMAT csv, HEADER true)`],
      logFile: join(opts.workDir, 'copy.log'),
      timeoutMs: opts.timeoutMs,
      maxRss: opts.maxRss,
      alongside: opts.server ? [opts.server] : [],
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const copied = Number(/COPY (\d+)/.exec(run.tail)?.[1] ?? Number.NaN);
    return {
      mode: 'copy',
      seconds: run.seconds,
      rows: Number.isNaN(copied) ? undefined : copied,
      memory: [
        ['psql', run.peakRss],
        ['PostgreSQL', opts.server?.peak()],
      ],
      ...(run.failure ? { failure: run.failure } : {}),
    };
  } finally {
    sql(`DROP TABLE IF EXISTS ${table}`);
  }
}
