const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** A first character that makes a spreadsheet read the cell as a formula (OWASP, CSV Injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Numbers and nothing else: each a sign, digits, one decimal point, several `;`-separated (as
 * alternate_phones lists them). No function, no reference: a spreadsheet cannot run it, so it is
 * written as it is, and a negative amount or an E.164 phone (`+12015550123`, as every lead's phone
 * is stored) reaches a spreadsheet or a CRM import as before.
 */
const PLAIN_NUMBERS = /^[+-]?(\d+\.?\d*|\.\d+)(;[+-]?(\d+\.?\d*|\.\d+))*$/;

/**
 * A cell as every CSV Leadflow writes it (docs/csv-output.md): one that a spreadsheet would run as
 * a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return, and is no plain number)
 * gets a single quote in front, so that Excel, LibreOffice and Google Sheets show it as text, and
 * is quoted. Every other cell is quoted only when RFC 4180 needs it.
 */
export function csvCell(value: string | number | null | undefined): string {
  const s = value === undefined || value === null ? '' : String(value);
  if (FORMULA_START.test(s) && !PLAIN_NUMBERS.test(s)) return `"'${s.replace(/"/g, '""')}"`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record (RFC 4180, each cell as csvCell writes it); CRLF at the end. */
export function csvRow(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
