import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@leadflow/infra';
import { countCsvRecords } from './csv-records.js';
import { enrichmentStageTime } from './enrichment-stage-time.js';
import { runMeasured } from './measured-run.js';
import { countsOf, type Counts, type ModeResult } from './mode-result.js';

export interface StandaloneOptions {
  file: string;
  workDir: string;
  timeoutMs: number;
  maxRss: number;
  /** Keep the output folder and the embedded database. */
  keep: boolean;
  signal?: AbortSignal;
}

/**
 * `leadflow run FILE` as a newcomer runs it: one process, the embedded database in a new
 * folder (so no earlier run's leads are matched against), no DATABASE_URL.
 */
export async function measureStandalone(opts: StandaloneOptions): Promise<ModeResult> {
  const cli = join(repoRoot(), 'services', 'cli', 'bin', 'leadflow.js');
  const dataDir = mkdtempSync(join(opts.workDir, 'standalone-data-'));
  const outDir = mkdtempSync(join(opts.workDir, 'standalone-out-'));
  const env: NodeJS.ProcessEnv = { ...process.env, LEADFLOW_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  try {
    const run = await runMeasured({
      command: process.execPath,
      args: [cli, 'run', opts.file, '--out', outDir],
      env,
      logFile: join(opts.workDir, 'standalone.log'),
      timeoutMs: opts.timeoutMs,
      maxRss: opts.maxRss,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const summaryFile = join(outDir, 'summary.json');
    const summary = existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as Counts & { status?: string; failure?: { code: string; message: string } }) : undefined;
    const failure =
      run.failure ??
      (!summary ? 'no summary.json written' : summary.failure ? `job failed: ${summary.failure.code} ${summary.failure.message}` : undefined);
    // How far a run that did not finish got: the rows in its output files (a header each).
    let filed = 0;
    if (failure) {
      for (const name of ['leads.csv', 'duplicates.csv', 'rejected.csv', 'suppressed.csv']) filed += Math.max(0, (await countCsvRecords(join(outDir, name))) - 1);
    }
    // leadflow run reports no time by stage: the enrichment stage is timed apart on the run's own leads.
    const enrichment = failure ? undefined : await enrichmentStageTime(join(outDir, 'leads.csv'));
    return {
      mode: 'standalone',
      seconds: run.seconds,
      rows: summary?.rows,
      ...(summary ? { counts: countsOf(summary) } : {}),
      memory: [['leadflow run', run.peakRss]],
      ...(failure ? { failure } : {}),
      notes: [
        ...(failure ? [`${filed.toLocaleString('en-US')} rows were in its output files when it ended`] : []),
        ...(enrichment
          ? [`enrichment stage ${enrichment.best.toFixed(1)} µs CPU a lead (best of ${enrichment.runs}, median ${enrichment.median.toFixed(1)}): ` +
            `the run's ${enrichment.leads.toLocaleString('en-US')} leads (leads.csv) enriched again in the bench process, in batches of 500, caches empty at the start`]
          : []),
        ...(opts.keep ? [`output in ${outDir}, embedded database in ${dataDir}`] : []),
      ],
    };
  } finally {
    if (!opts.keep) {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(outDir, { recursive: true, force: true });
    }
  }
}
