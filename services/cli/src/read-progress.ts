import type { RowBatch } from '@leadflow/proto';

/**
 * Records in the job the rows ingest reads of an upload (`leadflow serve` reads it in this
 * process), for its status: at most one write every `intervalMs` and one at a time, however
 * fast the batches come, and the count with its total as soon as the file is read to its end.
 * Returns what sees each batch read (UploadReaderOptions.onRead). A failed write is reported to
 * `onError` and the next one tries again: the status only shows less for a while.
 */
export function recordReads(
  save: (rows: number, total?: number) => Promise<void>,
  onError: (err: unknown) => void,
  intervalMs = 250,
): (batch: RowBatch) => void {
  let rows = 0;
  let total: number | undefined;
  let savedRows = 0;
  let writing = false;
  let timer: NodeJS.Timeout | undefined;

  const write = async () => {
    timer = undefined;
    if (writing) return;
    writing = true;
    const [r, t] = [rows, total];
    try {
      await save(r, t);
      savedRows = r;
    } catch (err) {
      onError(err);
    } finally {
      writing = false;
    }
    // What came while it was written (the total among it) goes in the next write.
    if (rows !== savedRows || total !== t) schedule();
  };
  const schedule = () => {
    if (timer || writing) return;
    timer = setTimeout(() => void write(), intervalMs);
    // A read left unrecorded when the process ends is no reason to keep it alive.
    timer.unref();
  };

  return (batch) => {
    rows += batch.rows.length;
    if (!batch.last) return schedule();
    total = batch.totalRows;
    clearTimeout(timer);
    timer = undefined;
    void write();
  };
}
