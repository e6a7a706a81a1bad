const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One CSV record (RFC 4180): fields quoted when they hold a comma, quote, line break or edge space; CRLF at the end. */
export function csvRow(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells
    .map((c) => {
      const s = c === undefined || c === null ? '' : String(c);
      return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',')}\r\n`;
}
