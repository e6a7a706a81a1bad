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
  save: (rows: number, total?: number) => Promise<void>,
  onError: (err: unknown) => void,
  intervalMs = 250,
): (batch: RowBatch) => void {
  let rows = 0;
  const saver = throttledSave<{ rows: number; total?: number }>((v) => save(v.rows, v.total), onError, intervalMs);
  return (batch) => {
    rows += batch.rows.length;
    if (batch.last) saver.set({ rows, total: batch.totalRows }, true);
    else saver.set({ rows });
  };
}

/**
 * Saves the rows read of a job in its row of `jobs` (the gateway's table; ingest writes these
 * two columns alone, in both modes: docs/job-progress.md). An upload read again after a crash
 * never lowers the count.
 */
export function saveRowsRead(db: SqlClient) {
  return async (jobId: string, rows: number, total?: number): Promise<void> => {
    await db.query('UPDATE jobs SET rows_read = greatest(rows_read, $2), rows_total = coalesce($3, rows_total) WHERE id = $1', [jobId, rows, total ?? null]);
  };
}
