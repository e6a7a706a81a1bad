import { LEAD_COLUMNS, type OutputFields, type OutputKind, type OutputRecords } from '@leadflow/pipeline';
import type { SqlClient } from '@leadflow/stores';

// A job's rows as the job filed them. Duplicates, rejected and suppressed rows are never changed
// once filed, but a lead is: later duplicates are merged into it in place, a person's review
// drops its possible_duplicate tag. So the first statement that changes a lead in place keeps
// the values it was filed with in `filed` (migration 011), and a job's exports read those; the
// lead's current state stays in the row, one lead_id away. Only the leads that were ever changed
// pay for the copy, and no statement is added: the copy rides on the UPDATE that changes the lead.

const FIELDS = LEAD_COLUMNS.map(([column]) => column);

/**
 * SQL that sets `filed` to the lead's exported values as they are before this UPDATE, unless it
 * holds them already; `t` is the name or alias of the leads table in the UPDATE. Every UPDATE
 * of a lead's fields or tags includes it.
 */
export const keepFiled = (t: string): string =>
  `filed = coalesce(${t}.filed, jsonb_strip_nulls(jsonb_build_object(${FIELDS.map((c) => `'${c}', ${t}.${c}`).join(', ')}, 'tags', to_jsonb(${t}.tags), 'alternates', ${t}.alternates)))`;

const PAGE = 1000;

/** Rows of a job's table, page by page in row order (keyset pagination: the same SQL on PostgreSQL and PGlite). */
async function* pages<R extends { row_number: number }>(db: SqlClient, sql: string, jobId: string, tenantId: string): AsyncGenerator<R> {
  let after = 0;
  for (;;) {
    const { rows } = await db.query<R>(`${sql} AND row_number > $3 ORDER BY row_number LIMIT ${PAGE}`, [jobId, tenantId, after]);
    yield* rows;
    if (rows.length < PAGE) return;
    after = rows.at(-1)!.row_number;
  }
}

interface Reason {
  code: string;
  field?: string;
  detail?: string;
}

const fieldsOf = (source: Record<string, unknown>): OutputFields => ({
  ...Object.fromEntries(FIELDS.map((f) => [f, (source[f] as string | null) ?? null])),
  alternates: (source.alternates as OutputFields['alternates']) ?? null,
});

type Readers = { [K in OutputKind]: (db: SqlClient, jobId: string, tenantId: string) => AsyncGenerator<OutputRecords[K]> };

const READERS: Readers = {
  async *leads(db, jobId, tenantId) {
    type Row = Record<string, unknown> & {
      row_number: number; id: string; quality_score: number | null; tags: string[]; reasons: Reason[]; original: Record<string, string>; extra: Record<string, string>;
      filed: (Record<string, unknown> & { tags?: string[] }) | null;
    };
    // A lead a re-screening suppressed is no longer deliverable: it is in the suppressed rows instead (docs/rescreen.md).
    const sql = `SELECT row_number, id, ${FIELDS.join(', ')}, alternates, quality_score, tags, reasons, original, extra, filed FROM leads
                  WHERE suppressed_at IS NULL AND job_id = $1 AND tenant_id = $2`;
    for await (const r of pages<Row>(db, sql, jobId, tenantId)) {
      const filed = r.filed ?? r;
      yield {
        row: r.row_number, leadId: r.id, fields: fieldsOf(filed), qualityScore: r.quality_score ?? 0, tags: filed.tags ?? [], reasons: r.reasons, original: r.original ?? {}, extra: r.extra ?? {},
      };
    }
  },
  async *duplicates(db, jobId, tenantId) {
    type Row = {
      row_number: number; matched_row: number | null; matched_lead_id: string | null; match_type: string; score: number; reasons: Reason[];
      lead: Record<string, string>;
    };
    const sql = 'SELECT row_number, matched_row, matched_lead_id, match_type, score, reasons, lead FROM duplicate_leads WHERE job_id = $1 AND tenant_id = $2';
    for await (const r of pages<Row>(db, sql, jobId, tenantId)) {
      yield {
        row: r.row_number, matchedRow: r.matched_row, matchedLeadId: r.matched_lead_id, matchType: r.match_type, score: Number(r.score),
        reasons: r.reasons, fields: fieldsOf(r.lead),
      };
    }
  },
  async *rejected(db, jobId, tenantId) {
    // The cells in the order they were sent (json keeps it, and keeps two cells under one header).
    const sql = `SELECT row_number, reasons, ARRAY(SELECT e.value FROM json_each_text(raw) WITH ORDINALITY AS e(key, value, n) ORDER BY e.n) AS cells
                   FROM rejected_rows WHERE job_id = $1 AND tenant_id = $2`;
    for await (const r of pages<{ row_number: number; reasons: Reason[]; cells: (string | null)[] }>(db, sql, jobId, tenantId)) {
      yield { row: r.row_number, reasons: r.reasons, cells: r.cells.map((c) => c ?? '') };
    }
  },
  async *suppressed(db, jobId, tenantId) {
    // The rows the dnc stage suppressed, and the leads a re-screening suppressed later (their reasons, the lead as filed).
    const sql = `SELECT row_number, reasons, lead FROM (
                   SELECT job_id, tenant_id, row_number, reasons, lead FROM suppressed_leads
                   UNION ALL
                   SELECT job_id, tenant_id, row_number, suppression, coalesce(filed, jsonb_strip_nulls(jsonb_build_object(${FIELDS.map((c) => `'${c}', ${c}`).join(', ')},
                          'alternates', alternates)))
                     FROM leads WHERE suppressed_at IS NOT NULL
                 ) s WHERE job_id = $1 AND tenant_id = $2`;
    for await (const r of pages<{ row_number: number; reasons: Reason[]; lead: Record<string, string> }>(db, sql, jobId, tenantId)) {
      yield { row: r.row_number, reasons: r.reasons, fields: fieldsOf(r.lead) };
    }
  },
};

/** A job's rows of one kind, in row order, as the job filed them. */
export function filedRows<K extends OutputKind>(db: SqlClient, kind: K, jobId: string, tenantId: string): AsyncGenerator<OutputRecords[K]> {
  return READERS[kind](db, jobId, tenantId);
}
