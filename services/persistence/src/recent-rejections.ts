import { fileRowOf, reasonDetails } from '@leadflow/pipeline';
import type { SqlClient } from '@leadflow/stores';

/** A row the job rejected (disposition INVALID), as its status's recent errors show it. */
export interface Rejection {
  /** Its number within its file (several files, one job: docs/several-files.md). */
  rowNumber: number;
  /** Its file's name as the `file` column shows it; '' for a single lead or a row filed before files were kept. */
  file: string;
  reasons: { code: string; field: string; detail: string }[];
  /** The reasons as one sentence a person can act on: the `detail` column of rejected.csv. */
  detail: string;
}

/**
 * The job's newest rejected rows, at most `limit`, newest first. A job's batches are stored in
 * order (one partition, one consumer), so the highest row numbers are the latest stored, and
 * the primary key (job_id, row_number) reads them backwards without a sort, while the job runs.
 * The row's cells are left out: they are personal data, and rejected.csv has them.
 */
export async function recentRejections(db: SqlClient, jobId: string, tenantId: string, limit: number): Promise<Rejection[]> {
  const { rows } = await db.query<{ row_number: number; file: string | null; reasons: { code: string; field?: string; detail?: string }[] }>(
    'SELECT row_number, file, reasons FROM rejected_rows WHERE job_id = $1 AND tenant_id = $2 ORDER BY row_number DESC LIMIT $3',
    [jobId, tenantId, limit],
  );
  return rows.map((r) => ({
    rowNumber: fileRowOf(r.row_number).row,
    file: r.file ?? '',
    reasons: r.reasons.map((x) => ({ code: x.code, field: x.field ?? '', detail: x.detail ?? '' })),
    detail: reasonDetails(r.reasons),
  }));
}
