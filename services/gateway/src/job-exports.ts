import { csvRow, OUTPUT_KINDS, OUTPUT_LAYOUTS, outputCells, type OutputColumns, type OutputKind } from '@leadflow/pipeline';
import { filedRows } from '@leadflow/persistence';
import type { SqlClient } from '@leadflow/stores';
import { createSqlJobStore } from './job-store.js';
import { readOwnedElsewhere } from './owned-elsewhere.js';

export const EXPORT_KINDS = OUTPUT_KINDS;
export type ExportKind = OutputKind;

type Column = { header: string; field: string };

/**
 * The job's header as read and its unmapped columns, from the mappings it was read with (none
 * before its first rows were mapped), and its files. Several files, one job
 * (docs/several-files.md): each file's header was mapped on its own; the outputs' header has
 * every file's columns, each name once, in upload order, and each row shows its file's name.
 */
export async function exportColumns(db: SqlClient, jobId: string, tenantId: string): Promise<OutputColumns> {
  const first = (await createSqlJobStore(db).mapping(jobId, tenantId))?.columns ?? [];
  const [job] = (await db.query<{ file_name: string; files: { name: string }[] | null }>(
    'SELECT file_name, files FROM jobs WHERE id = $1 AND tenant_id = $2', [jobId, tenantId],
  )).rows;
  const names = job?.files?.map((f) => f.name) ?? [job?.file_name ?? ''];
  const later = names.length < 2 ? [] : await readOwnedElsewhere<{ file_index: number; columns: Column[] }>(
    db, 'SELECT file_index, columns FROM job_file_mappings WHERE job_id = $1 AND tenant_id = $2 ORDER BY file_index', [jobId, tenantId],
  );
  const byFile = new Map<number, Column[]>([[0, first], ...later.map((m) => [m.file_index, m.columns] as [number, Column[]])]);
  const header: string[] = [];
  const extra: string[] = [];
  const files = names.map((name, i) => {
    const columns = byFile.get(i) ?? [];
    for (const c of columns) {
      if (!header.includes(c.header)) header.push(c.header);
      if (c.field === 'extra' && !extra.includes(c.header)) extra.push(c.header);
    }
    return { name, header: columns.map((c) => c.header) };
  });
  return { header, extra, files };
}

/**
 * A job's rows of one kind as CSV lines, header first, in the layout of `leadflow run`'s file of
 * that name (both come from @leadflow/pipeline's output layouts): every row as the job filed it,
 * with its source row number and file, reasons where it has them, and for rejected rows the cells
 * as the supplier sent them.
 */
export async function* exportCsv(db: SqlClient, kind: ExportKind, jobId: string, tenantId: string): AsyncGenerator<string> {
  const columns = await exportColumns(db, jobId, tenantId);
  yield csvRow(OUTPUT_LAYOUTS[kind].header(columns));
  for await (const record of filedRows(db, kind, jobId, tenantId)) yield csvRow(outputCells(columns, kind, record));
}
