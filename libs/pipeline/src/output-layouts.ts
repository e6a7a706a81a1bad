import { Disposition, type LeadRow } from '@leadflow/proto';
import { ALTERNATE_COLUMNS, alternateCells, LEAD_COLUMNS, leadRecord, type Alternates, type LeadColumn } from './lead-record.js';
import { fileRowOf } from './file-rows.js';
import { reasonCodes, reasonDetails } from './reasons.js';

// The four output files of a job, defined once: `leadflow run` writes them as rows come out of
// the pipeline (services/cli), the REST and gRPC exports read the same rows back from the tables
// persistence filed them in (services/gateway). Each side turns its rows into the records below;
// the header and the cells of every line come from here, so the two cannot drift apart.

export const OUTPUT_KINDS = ['leads', 'duplicates', 'rejected', 'suppressed'] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

type Cell = string | number | null | undefined;
type ReasonLike = { code: string; field?: string; detail?: string };
/** A lead's canonical fields by column name, and its alternates; empty ones may be missing, null or ''. */
export type OutputFields = Partial<Record<LeadColumn, string | null>> & { alternates?: Partial<Alternates> | null };

/** What the layouts need of a job: its header as read, and the columns its mapping left unmapped. */
export interface OutputColumns {
  /** The header as read; for several files, every file's columns, each name once, in upload order. */
  header: readonly string[];
  /** Headers of the columns mapped to `extra`, in file order: leads.csv has a column for each. */
  extra: readonly string[];
  /**
   * The job's files by their index (docs/several-files.md): the `file` column shows `name`;
   * a rejected row's cells are placed by `header`, its file's own. A row of a file not listed
   * (a stream of records, a single lead) has its cells under `header` above and an empty name.
   */
  files: readonly { name: string; header: readonly string[] }[];
}

/** A job's row number as the outputs show it: the file's name and the row's number within it. */
function fileCells(columns: OutputColumns, rowNumber: number): [number, string] {
  const { fileIndex, row } = fileRowOf(rowNumber);
  return [row, columns.files[fileIndex]?.name ?? ''];
}

/** A rejected row's cells under the job's header: as they are for its file's own header, else placed by name. */
function rejectedCells(columns: OutputColumns, rowNumber: number, cells: readonly string[]): string[] {
  const { header } = columns;
  const own = columns.files[fileRowOf(rowNumber).fileIndex]?.header;
  if (!own || own === header || (own.length <= header.length && own.every((h, i) => header[i] === h))) {
    // Under the header, a missing cell is empty; cells beyond the header follow it, so nothing sent is lost.
    return [...header.map((_, i) => cells[i] ?? ''), ...cells.slice(header.length)];
  }
  const at = new Map(own.map((h, i) => [h, i]));
  return [...header.map((h) => (at.has(h) ? (cells[at.get(h)!] ?? '') : '')), ...cells.slice(own.length)];
}

export interface LeadOutput {
  row: number;
  leadId: string;
  fields: OutputFields;
  /** 0 to 100 (docs/enrichment.md, Quality score); its components are the `quality` field. */
  qualityScore: number;
  tags: readonly string[];
  reasons: readonly ReasonLike[];
  /** The supplier's values that cleaning changed or found invalid, by field. */
  original: Readonly<Record<string, string>>;
  /** Unmapped cells by header. */
  extra: Readonly<Record<string, string>>;
}

export interface DuplicateOutput {
  row: number;
  /** The row of the same job it repeats; 0 or null when it names a stored lead. */
  matchedRow: number | null;
  matchedLeadId: string | null;
  matchType: string;
  score: number;
  reasons: readonly ReasonLike[];
  fields: OutputFields;
}

export interface RejectedOutput {
  row: number;
  reasons: readonly ReasonLike[];
  /** The cells as sent, in file order (a ragged row may have fewer or more than the header). */
  cells: readonly string[];
}

export interface SuppressedOutput {
  row: number;
  reasons: readonly ReasonLike[];
  fields: OutputFields;
}

export interface OutputRecords {
  leads: LeadOutput;
  duplicates: DuplicateOutput;
  rejected: RejectedOutput;
  suppressed: SuppressedOutput;
}

export interface OutputLayout<R> {
  header(columns: OutputColumns): string[];
  cells(columns: OutputColumns, record: R): Cell[];
}

const FIELDS = LEAD_COLUMNS.map(([column]) => column);
/** The lead's columns in every layout that shows the lead: its canonical fields, then its alternates. */
const LEAD_HEADER = [...FIELDS, ...ALTERNATE_COLUMNS];
const fieldCells = (fields: OutputFields) => [...FIELDS.map((f) => fields[f] ?? ''), ...alternateCells(fields.alternates)];
const FIELD_ORDER = new Map<string, number>(FIELDS.map((f, i) => [f, i]));

/**
 * `{"phone": "(201) 555-0123"}`, keys in the order of the lead's fields (the same whether the
 * object came from the pipeline or from a jsonb column, which sorts its keys); '' when empty.
 */
function fieldJson(values: Readonly<Record<string, string>>): string {
  const keys = Object.keys(values);
  if (keys.length === 0) return '';
  const rank = (k: string) => FIELD_ORDER.get(k) ?? FIELDS.length;
  keys.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, values[k]])));
}

/**
 * 1 for an exact key, the match probability to four places for a fuzzy match (as the reasons'
 * details show it). Taken as the 32-bit float the table stores (duplicate_leads.score is real), so
 * a score from the pipeline and the same score read back print alike.
 */
const scoreCell = (score: number) => Number(Math.fround(score).toFixed(4));

export const OUTPUT_LAYOUTS: { [K in OutputKind]: OutputLayout<OutputRecords[K]> } = {
  leads: {
    header: ({ extra }) => ['row', 'file', 'lead_id', ...LEAD_HEADER, 'quality_score', 'tags', 'reason', 'detail', 'original', ...extra],
    cells: (columns, r) => [
      ...fileCells(columns, r.row), r.leadId, ...fieldCells(r.fields), Math.round(r.qualityScore), r.tags.join(';'), reasonCodes(r.reasons), reasonDetails(r.reasons), fieldJson(r.original),
      ...columns.extra.map((h) => r.extra[h] ?? ''),
    ],
  },
  duplicates: {
    header: () => ['row', 'file', 'matched_row', 'matched_file', 'matched_lead_id', 'match_type', 'score', 'reason', 'detail', ...LEAD_HEADER],
    cells: (columns, r) => [
      ...fileCells(columns, r.row), ...(r.matchedRow ? fileCells(columns, r.matchedRow) : ['', '']), r.matchedLeadId ?? '', r.matchType, scoreCell(r.score), reasonCodes(r.reasons), reasonDetails(r.reasons),
      ...fieldCells(r.fields),
    ],
  },
  rejected: {
    header: ({ header }) => ['row', 'file', 'reason', 'detail', ...header],
    cells: (columns, r) => [...fileCells(columns, r.row), reasonCodes(r.reasons), reasonDetails(r.reasons), ...rejectedCells(columns, r.row, r.cells)],
  },
  suppressed: {
    header: () => ['row', 'file', 'reason', ...LEAD_HEADER],
    cells: (columns, r) => [...fileCells(columns, r.row), reasonCodes(r.reasons), ...fieldCells(r.fields)],
  },
};

/** The cells of one line of an output file. */
export function outputCells<K extends OutputKind>(columns: OutputColumns, kind: K, record: OutputRecords[K]): Cell[] {
  return OUTPUT_LAYOUTS[kind].cells(columns, record);
}

/** The output a row of the pipeline goes to, as its record; undefined for a row without a disposition. */
export function outputOf(row: LeadRow): { [K in OutputKind]: { kind: K; record: OutputRecords[K] } }[OutputKind] | undefined {
  const fields = leadRecord(row.lead);
  switch (row.disposition) {
    case Disposition.DISPOSITION_ACCEPTED:
      return {
        kind: 'leads',
        record: {
          row: row.rowNumber, leadId: row.leadId, fields, qualityScore: row.qualityScore, tags: row.tags, reasons: row.reasons, original: row.lead?.original ?? {},
          extra: row.lead?.extra ?? {},
        },
      };
    case Disposition.DISPOSITION_DUPLICATE:
      return {
        kind: 'duplicates',
        record: {
          row: row.rowNumber, matchedRow: row.match?.matchedRow ?? null, matchedLeadId: row.match?.matchedLeadId || null,
          matchType: row.match?.matchType ?? '', score: row.match?.score ?? 0, reasons: row.reasons, fields,
        },
      };
    case Disposition.DISPOSITION_INVALID:
      return { kind: 'rejected', record: { row: row.rowNumber, reasons: row.reasons, cells: row.raw } };
    case Disposition.DISPOSITION_SUPPRESSED:
      return { kind: 'suppressed', record: { row: row.rowNumber, reasons: row.reasons, fields } };
    default:
      return undefined;
  }
}
