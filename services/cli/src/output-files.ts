import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Disposition, type ColumnMapping, type LeadBatch, type LeadRow } from '@leadflow/proto';
import { LEAD_COLUMNS, reasonCodes, reasonDetails, type DispositionCounts } from '@leadflow/pipeline';
import { CsvWriter } from './csv-writer.js';

const FIELDS = LEAD_COLUMNS.map(([column]) => column);
const fieldValues = (row: LeadRow) => LEAD_COLUMNS.map(([, key]) => row.lead?.[key] ?? '');
/** The supplier's values that cleaning changed, as JSON ({"phone": "(201) 555-0123"}); empty when none. */
const originalJson = (row: LeadRow) => (row.lead && Object.keys(row.lead.original).length > 0 ? JSON.stringify(row.lead.original) : '');

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
}

/**
 * The output folder of `leadflow run` (docs/architecture.md section 7): leads.csv, duplicates.csv,
 * rejected.csv and suppressed.csv, each with the source row number in `row`, and summary.json.
 * Files are written as batches arrive; CSV files are opened when the header is known.
 */
export function createOutputFiles(dir: string, jobId: string) {
  mkdirSync(dir, { recursive: true });
  let files: { leads: CsvWriter; duplicates: CsvWriter; rejected: CsvWriter; suppressed: CsvWriter } | undefined;
  let extraHeaders: string[] = [];
  let sourceHeader: string[] = [];
  let mapping: ColumnMapping[] = [];
  const counts: DispositionCounts = { accepted: 0, invalid: 0, duplicate: 0, suppressed: 0 };
  let total = 0;
  let failure: Summary['failure'];

  const open = (header: string[], columns: ColumnMapping[]) => {
    sourceHeader = header;
    mapping = columns;
    extraHeaders = columns.filter((m) => m.field === 'extra').map((m) => m.header);
    files = {
      leads: new CsvWriter(join(dir, 'leads.csv'), ['row', 'lead_id', ...FIELDS, 'tags', 'reason', 'detail', 'original', ...extraHeaders]),
      duplicates: new CsvWriter(join(dir, 'duplicates.csv'), [
        'row', 'matched_row', 'matched_lead_id', 'match_type', 'score', 'reason', 'detail', ...FIELDS,
      ]),
      rejected: new CsvWriter(join(dir, 'rejected.csv'), ['row', 'reason', 'detail', ...sourceHeader]),
      suppressed: new CsvWriter(join(dir, 'suppressed.csv'), ['row', 'reason', ...FIELDS]),
    };
  };

  return {
    async write(batch: LeadBatch): Promise<void> {
      if (!files && (batch.header.length > 0 || batch.last)) open(batch.header, batch.mapping);
      if (batch.failure) failure ??= { code: batch.failure.code, message: batch.failure.message };
      if (batch.last) total = batch.totalRows;
      for (const row of batch.rows) {
        const f = files!;
        switch (row.disposition) {
          case Disposition.DISPOSITION_ACCEPTED:
            counts.accepted++;
            await f.leads.write([
              row.rowNumber, row.leadId, ...fieldValues(row), row.tags.join(';'), reasonCodes(row.reasons), reasonDetails(row.reasons), originalJson(row),
              ...extraHeaders.map((h) => row.lead?.extra[h] ?? ''),
            ]);
            break;
          case Disposition.DISPOSITION_DUPLICATE:
            counts.duplicate++;
            await f.duplicates.write([
              row.rowNumber, row.match?.matchedRow || '', row.match?.matchedLeadId ?? '', row.match?.matchType ?? '',
              row.match?.score ?? '', reasonCodes(row.reasons), reasonDetails(row.reasons), ...fieldValues(row),
            ]);
            break;
          case Disposition.DISPOSITION_INVALID:
            counts.invalid++;
            await f.rejected.write([row.rowNumber, reasonCodes(row.reasons), reasonDetails(row.reasons), ...row.raw]);
            break;
          case Disposition.DISPOSITION_SUPPRESSED:
            counts.suppressed++;
            await f.suppressed.write([row.rowNumber, reasonCodes(row.reasons), ...fieldValues(row)]);
            break;
          default:
            throw new Error(`row ${row.rowNumber} reached the output without a disposition`);
        }
      }
    },

    async close(): Promise<Summary> {
      if (!files) open([], []);
      await Promise.all(Object.values(files!).map((w) => w.close()));
      const summary: Summary = {
        jobId,
        rows: total,
        ...counts,
        mapping: Object.fromEntries(mapping.map((m) => [m.header, { field: m.field, confidence: m.confidence }])),
        status: failure ? 'failed' : 'completed',
        ...(failure ? { failure } : {}),
      };
      writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
      return summary;
    },
  };
}
