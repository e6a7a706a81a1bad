import { csvRow, OUTPUT_KINDS, OUTPUT_LAYOUTS, outputCells, type OutputColumns, type OutputKind } from '@leadflow/pipeline';
import { filedRows } from '@leadflow/persistence';
import type { SqlClient } from '@leadflow/stores';
import { createSqlJobStore } from './job-store.js';

export const EXPORT_KINDS = OUTPUT_KINDS;
export type ExportKind = OutputKind;

/** The job's header as read and its unmapped columns, from the mapping it was read with (none before its first rows were mapped). */
async function columnsOf(db: SqlClient, jobId: string, tenantId: string): Promise<OutputColumns> {
  const columns = (await createSqlJobStore(db).mapping(jobId, tenantId))?.columns ?? [];
  return { header: columns.map((c) => c.header), extra: columns.filter((c) => c.field === 'extra').map((c) => c.header) };
}

/**
 * A job's rows of one kind as CSV lines, header first, in the layout of `leadflow run`'s file of
 * that name (both come from @leadflow/pipeline's output layouts): every row as the job filed it,
 * with its source row number, reasons where it has them, and for rejected rows the cells as the
 * supplier sent them.
 */
export async function* exportCsv(db: SqlClient, kind: ExportKind, jobId: string, tenantId: string): AsyncGenerator<string> {
  const columns = await columnsOf(db, jobId, tenantId);
  yield csvRow(OUTPUT_LAYOUTS[kind].header(columns));
  for await (const record of filedRows(db, kind, jobId, tenantId)) yield csvRow(outputCells(columns, kind, record));
}
