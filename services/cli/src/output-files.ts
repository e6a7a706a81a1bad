import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { DeliveryOutcome } from '@leadflow/delivery';
import type { ColumnMapping, LeadBatch } from '@leadflow/proto';
import { fileLabels as labelsOf, OUTPUT_KINDS, OUTPUT_LAYOUTS, outputCells, outputOf, type DispositionCounts, type OutputColumns, type OutputKind } from '@leadflow/pipeline';
import { CommandError, fsReason } from './command-error.js';
import { CsvWriter } from './csv-writer.js';

export interface Summary {
  jobId: string;
  rows: number;
  accepted: number;
  invalid: number;
  duplicate: number;
  suppressed: number;
  mapping: Record<string, { field: string; confidence: number }>;
  /** waiting_for_dnc_list: rows with phones held for a stale Do-Not-Call list (`held`). */
  status: 'completed' | 'failed' | 'waiting_for_dnc_list';
  failure?: { code: string; message: string };
  /** Rows held by the dnc stage while a national or state list is stale, and the lists (docs/dnc-lists.md, "Freshness"). */
  held?: { rows: number; lists: string };
  /** What became of the accepted leads sent to the run's webhook; only when it had one. */
  delivery?: DeliveryOutcome;
  /** Several files, one job (docs/several-files.md): each file's name (the `file` column), rows and mapping. */
  files?: { name: string; rows: number | null; mapping: Summary['mapping'] }[];
}

/** Several files' outputs are written at the end from the rows the job filed: the export of each kind as CSV lines. */
export type ExportLines = (kind: OutputKind) => AsyncIterable<string>;

const mappingOf = (columns: readonly ColumnMapping[]): Summary['mapping'] =>
  Object.fromEntries(columns.map((m) => [m.header, { field: m.field, confidence: m.confidence }]));

async function writeLines(path: string, lines: AsyncIterable<string>): Promise<void> {
  const out = createWriteStream(path);
  let failure: Error | undefined;
  out.on('error', (err) => (failure ??= err));
  try {
    for await (const line of lines) {
      if (failure) throw failure;
      if (!out.write(line)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  } catch (err) {
    out.destroy();
    throw new CommandError(`cannot write ${path}: ${fsReason(failure ?? err)}`);
  }
}

const COUNTED: Record<OutputKind, keyof DispositionCounts> = { leads: 'accepted', duplicates: 'duplicate', rejected: 'invalid', suppressed: 'suppressed' };

/**
 * The output folder of `leadflow run` (README, Contracts): leads.csv, duplicates.csv, rejected.csv
 * and suppressed.csv in the layouts the REST exports share (@leadflow/pipeline output-layouts),
 * and summary.json. Files are written as batches arrive, opened when the header is known. The
 * folder must exist (prepareOutputFolder).
 */
export function createOutputFiles(dir: string, jobId: string, fileNames: readonly string[] = [''], exported?: ExportLines) {
  const several = fileNames.length > 1;
  let files: Record<OutputKind, CsvWriter> | undefined;
  let columns: OutputColumns = { header: [], extra: [], files: [] };
  let mapping: ColumnMapping[] = [];
  /** Several files: each one's mapping as its first batch carried it, and its rows once read. */
  const fileMappings = new Map<number, ColumnMapping[]>();
  const fileRows: number[] = [];
  const counts: DispositionCounts = { accepted: 0, invalid: 0, duplicate: 0, suppressed: 0 };
  let total = 0;
  let failure: Summary['failure'];

  const open = (header: string[], columnMapping: ColumnMapping[]) => {
    mapping = columnMapping;
    columns = { header, extra: columnMapping.filter((m) => m.field === 'extra').map((m) => m.header), files: [{ name: fileNames[0]!, header }] };
    files = Object.fromEntries(
      OUTPUT_KINDS.map((kind) => [kind, new CsvWriter(join(dir, `${kind}.csv`), OUTPUT_LAYOUTS[kind].header(columns))]),
    ) as Record<OutputKind, CsvWriter>;
  };

  return {
    async write(batch: LeadBatch): Promise<void> {
      if (several) {
        // Written at the end, from what the job filed: the files' headers differ (exportColumns).
        const index = batch.job?.fileIndex ?? 0;
        if (!fileMappings.has(index) && (batch.header.length > 0 || batch.last)) fileMappings.set(index, batch.mapping);
        if (batch.job?.fileRows !== undefined) fileRows[index] = batch.job.fileRows;
        if (batch.failure) failure ??= { code: batch.failure.code, message: batch.failure.message };
        if (batch.last) {
          total = batch.totalRows;
          fileRows[index] = total - fileRows.reduce((a, b) => a + (b ?? 0), 0);
        }
        for (const row of batch.rows) {
          const out = outputOf(row);
          if (!out) throw new Error(`row ${row.rowNumber} reached the output without a disposition`);
          counts[COUNTED[out.kind]]++;
        }
        return;
      }
      if (!files && (batch.header.length > 0 || batch.last)) open(batch.header, batch.mapping);
      if (batch.failure) failure ??= { code: batch.failure.code, message: batch.failure.message };
      if (batch.last) total = batch.totalRows;
      for (const row of batch.rows) {
        const out = outputOf(row);
        if (!out) throw new Error(`row ${row.rowNumber} reached the output without a disposition`);
        counts[COUNTED[out.kind]]++;
        await files![out.kind].write(outputCells(columns, out.kind, out.record));
      }
    },

    async close(delivery?: DeliveryOutcome, held?: Summary['held']): Promise<Summary> {
      if (several) {
        for (const kind of OUTPUT_KINDS) await writeLines(join(dir, `${kind}.csv`), exported!(kind));
        // Every file's columns: a header two files share shows the first one's mapping.
        const all = [...fileMappings.entries()].sort(([a], [b]) => a - b).flatMap(([, m]) => m);
        mapping = all.filter((m, i) => all.findIndex((o) => o.header === m.header) === i);
      } else {
        if (!files) open([], []);
        await Promise.all(Object.values(files!).map((w) => w.close()));
      }
      const summary: Summary = {
        jobId,
        rows: total,
        ...counts,
        mapping: mappingOf(mapping),
        status: failure ? 'failed' : held ? 'waiting_for_dnc_list' : 'completed',
        ...(failure ? { failure } : {}),
        ...(held ? { held } : {}),
        ...(delivery ? { delivery } : {}),
        ...(several
          ? { files: labelsOf(fileNames).map((name, i) => ({ name, rows: fileRows[i] ?? null, mapping: mappingOf(fileMappings.get(i) ?? []) })) }
          : {}),
      };
      const path = join(dir, 'summary.json');
      try {
        writeFileSync(path, `${JSON.stringify(summary, null, 2)}\n`);
      } catch (err) {
        throw new CommandError(`cannot write ${path}: ${fsReason(err)}`);
      }
      return summary;
    },
  };
}
