import { throttledSave } from '@leadflow/pipeline';
import type { RowBatch } from '@leadflow/proto';
import type { SqlClient } from '@leadflow/stores';

/**
 * Records in the job the rows ingest reads of an upload, for its status (the ingest stage of its
 * progress): at most one write every `intervalMs` and one at a time, however fast the batches
 * come, and the count with its total as soon as the file is read to its end. Returns what sees
 * each batch read (UploadReaderOptions.onRead). A failed write is reported to `onError` and
 * tried again: the status only shows less for a while.
 */
export function recordReads(
  save: (rows: number, total?: number, fileRows?: number[]) => Promise<void>,
  onError: (err: unknown) => void,
  intervalMs = 250,
): (batch: RowBatch) => void {
  let rows = 0;
  /** The rows of each file read to its end (several files, one job: docs/several-files.md). */
  const fileRows: number[] = [];
  const saver = throttledSave<{ rows: number; total?: number; files?: number[] }>((v) => save(v.rows, v.total, v.files), onError, intervalMs);
  return (batch) => {
    rows += batch.rows.length;
    const ended = batch.job?.fileRows;
    if (ended !== undefined) {
      fileRows.push(ended);
      saver.set({ rows, files: [...fileRows] }, true);
    } else if (batch.last) {
      fileRows.push(batch.totalRows - fileRows.reduce((a, b) => a + b, 0));
      saver.set({ rows, total: batch.totalRows, files: [...fileRows] }, true);
    } else saver.set({ rows, files: fileRows.length > 0 ? [...fileRows] : undefined });
  };
}

/**
 * Saves the rows read of a job in its row of `jobs` (the gateway's table; ingest writes these
 * two columns alone, in both modes: docs/job-progress.md). An upload read again after a crash
 * never lowers the count.
 */
export function saveRowsRead(db: SqlClient) {
  return async (jobId: string, rows: number, total?: number, fileRows?: number[]): Promise<void> => {
    await db.query(
      'UPDATE jobs SET rows_read = greatest(rows_read, $2), rows_total = coalesce($3, rows_total), file_rows = coalesce($4, file_rows) WHERE id = $1',
      [jobId, rows, total ?? null, fileRows ?? null],
    );
  };
}
