import { csvRow, LEAD_COLUMNS, reasonCodes, reasonDetails } from '@leadflow/pipeline';
import type { SqlClient } from '@leadflow/stores';

export const EXPORT_KINDS = ['leads', 'duplicates', 'rejected', 'suppressed'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

const FIELDS = LEAD_COLUMNS.map(([column]) => column);
const PAGE = 1000;

interface Reason {
  code: string;
  field?: string;
  detail?: string;
}


/** Every row of a job's table, page by page in row order (keyset pagination: the same SQL on PostgreSQL and PGlite). */
async function* pages<R extends { row_number: number }>(db: SqlClient, sql: string, jobId: string, tenantId: string): AsyncGenerator<R> {
  let after = 0;
  for (;;) {
    const { rows } = await db.query<R>(`${sql} AND row_number > $3 ORDER BY row_number LIMIT ${PAGE}`, [jobId, tenantId, after]);
    yield* rows;
    if (rows.length < PAGE) return;
    after = rows.at(-1)!.row_number;
  }
}

/**
 * A job's rows of one kind as CSV lines, header first, in the columns of `leadflow run`'s
 * files: every row with its source row number, reasons where it has them, and for rejected
 * rows the cells as the supplier sent them.
 */
export async function* exportCsv(db: SqlClient, kind: ExportKind, jobId: string, tenantId: string): AsyncGenerator<string> {
  if (kind === 'leads') {
    yield csvRow(['row', 'lead_id', ...FIELDS, 'tags', 'reason', 'detail', 'original', 'extra']);
    const sql = `SELECT row_number, id, ${FIELDS.join(', ')}, tags, reasons, original, extra FROM leads WHERE job_id = $1 AND tenant_id = $2`;
    const json = (v: unknown) => (v && Object.keys(v).length > 0 ? JSON.stringify(v) : '');
    for await (const r of pages<Record<string, unknown> & { row_number: number }>(db, sql, jobId, tenantId)) {
      const reasons = r.reasons as Reason[];
      yield csvRow([
        r.row_number, r.id as string, ...FIELDS.map((f) => r[f] as string | null), (r.tags as string[]).join(';'), reasonCodes(reasons), reasonDetails(reasons),
        json(r.original), json(r.extra),
      ]);
    }
  } else if (kind === 'duplicates') {
    yield csvRow(['row', 'matched_row', 'matched_lead_id', 'match_type', 'score', 'reason', 'detail', ...FIELDS]);
    const sql = 'SELECT row_number, matched_row, matched_lead_id, match_type, score, reasons, lead FROM duplicate_leads WHERE job_id = $1 AND tenant_id = $2';
    for await (const r of pages<{ row_number: number; matched_row: number | null; matched_lead_id: string | null; match_type: string; score: number; reasons: Reason[]; lead: Record<string, string> }>(db, sql, jobId, tenantId)) {
      yield csvRow([r.row_number, r.matched_row, r.matched_lead_id, r.match_type, r.score, reasonCodes(r.reasons), reasonDetails(r.reasons), ...FIELDS.map((f) => r.lead[f])]);
    }
  } else if (kind === 'rejected') {
    let header: string[] | undefined;
    const sql = 'SELECT row_number, raw::text AS raw, reasons FROM rejected_rows WHERE job_id = $1 AND tenant_id = $2';
    for await (const r of pages<{ row_number: number; raw: string; reasons: Reason[] }>(db, sql, jobId, tenantId)) {
      const raw = JSON.parse(r.raw) as Record<string, string>;
      if (!header) {
        header = Object.keys(raw);
        yield csvRow(['row', 'reason', 'detail', ...header]);
      }
      yield csvRow([r.row_number, reasonCodes(r.reasons), reasonDetails(r.reasons), ...header.map((h) => raw[h])]);
    }
    if (!header) yield csvRow(['row', 'reason', 'detail']);
  } else {
    yield csvRow(['row', 'reason', ...FIELDS]);
    const sql = 'SELECT row_number, reasons, lead FROM suppressed_leads WHERE job_id = $1 AND tenant_id = $2';
    for await (const r of pages<{ row_number: number; reasons: Reason[]; lead: Record<string, string> }>(db, sql, jobId, tenantId)) {
      yield csvRow([r.row_number, reasonCodes(r.reasons), ...FIELDS.map((f) => r.lead[f])]);
    }
  }
}
