import type { JobFailure } from '@leadflow/proto';

/** Why a whole job failed. Each message says what is wrong and what to do. */
export const JOB_FAILURES = {
  FILE_EMPTY: 'the file is empty: send a file with a header row and at least one data row',
  FILE_BINARY: 'the file is not text: send a CSV file (comma, semicolon, tab or pipe separated) or an Excel workbook (.xlsx)',
  FILE_CORRUPT: 'the file is damaged: send it again',
  FILE_TOO_LARGE: 'the file is larger than the limit: split it into smaller files',
  TOO_MANY_ROWS: 'the file has more rows than the limit: split it into smaller files',
  SHEET_NOT_FOUND: 'the workbook has no sheet by that name: name one of its sheets, or * for all',
  TOO_MANY_COLUMNS: 'the file has more columns than the limit: check its separator, or remove columns',
  ROW_TOO_LONG: 'a row is longer than the limit: check for a quote that is never closed, or shorten its longest cells',
  CSV_UNCLOSED_QUOTE: 'a quoted field is never closed: check the quotes of the first row after the rows read',
  CSV_MALFORMED: 'the file is not valid CSV',
  NO_HEADER: 'the file has no header row: the first line must name the columns',
  JSON_MALFORMED: 'the JSON array of records is broken: check its brackets and quotes, or send one JSON object a line (NDJSON)',
  UPLOAD_TOO_LARGE: 'the file is larger than the upload limit: split it into smaller files',
  UPLOAD_ABORTED: 'the upload was interrupted before the end of the file: send it again',
  UPLOAD_REFUSED: 'the upload was refused, and nothing of it kept (the detail says why): correct the request and send the file again',
  INTERRUPTED: 'the job was interrupted (the process running it stopped) before all its rows were stored: upload the file again',
  INTERNAL: 'the job could not be processed because of an internal error; it has been recorded',
} as const;

export type JobFailureCode = keyof typeof JOB_FAILURES;

/** A job failure with the catalogue's message, plus detail (a line number, a limit) where known. */
export function jobFailure(code: JobFailureCode, detail?: string): JobFailure {
  return { code, message: detail ? `${JOB_FAILURES[code]} (${detail})` : JOB_FAILURES[code] };
}
