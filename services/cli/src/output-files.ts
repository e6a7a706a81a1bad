import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeliveryOutcome } from '@leadflow/delivery';
import type { ColumnMapping, LeadBatch } from '@leadflow/proto';
import { OUTPUT_KINDS, OUTPUT_LAYOUTS, outputCells, outputOf, type DispositionCounts, type OutputColumns, type OutputKind } from '@leadflow/pipeline';
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
  status: 'completed' | 'failed';
  failure?: { code: string; message: string };
  /** What became of the accepted leads sent to the run's webhook; only when it had one. */
  delivery?: DeliveryOutcome;
}

const COUNTED: Record<OutputKind, keyof DispositionCounts> = { leads: 'accepted', duplicates: 'duplicate', rejected: 'invalid', suppressed: 'suppressed' };

/**
 * The output folder of `leadflow run` (README, Contracts): leads.csv, duplicates.csv, rejected.csv
 * and suppressed.csv in the layouts the REST exports share (@leadflow/pipeline output-layouts),
 * and summary.json. Files are written as batches arrive, opened when the header is known. The
 * folder must exist (prepareOutputFolder).
 */
export function createOutputFiles(dir: string, jobId: string) {
  let files: Record<OutputKind, CsvWriter> | undefined;
  let columns: OutputColumns = { header: [], extra: [] };
  let mapping: ColumnMapping[] = [];
  const counts: DispositionCounts = { accepted: 0, invalid: 0, duplicate: 0, suppressed: 0 };
  let total = 0;
  let failure: Summary['failure'];

  const open = (header: string[], columnMapping: ColumnMapping[]) => {
    mapping = columnMapping;
    columns = { header, extra: columnMapping.filter((m) => m.field === 'extra').map((m) => m.header) };
    files = Object.fromEntries(
      OUTPUT_KINDS.map((kind) => [kind, new CsvWriter(join(dir, `${kind}.csv`), OUTPUT_LAYOUTS[kind].header(columns))]),
    ) as Record<OutputKind, CsvWriter>;
  };

  return {
    async write(batch: LeadBatch): Promise<void> {
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

    async close(delivery?: DeliveryOutcome): Promise<Summary> {
      if (!files) open([], []);
      await Promise.all(Object.values(files!).map((w) => w.close()));
      const summary: Summary = {
        jobId,
        rows: total,
        ...counts,
        mapping: Object.fromEntries(mapping.map((m) => [m.header, { field: m.field, confidence: m.confidence }])),
        status: failure ? 'failed' : 'completed',
        ...(failure ? { failure } : {}),
        ...(delivery ? { delivery } : {}),
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
