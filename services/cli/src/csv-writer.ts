import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvLine(cells: readonly (string | number | undefined)[]): string {
  return `${cells
    .map((c) => {
      const s = c === undefined ? '' : String(c);
      return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',')}\r\n`;
}

/** A CSV file written as rows arrive (RFC 4180: CRLF, quotes doubled), waiting when the disk is behind. */
export class CsvWriter {
  private readonly out: WriteStream;
  rows = 0;

  constructor(path: string, header: readonly string[]) {
    this.out = createWriteStream(path);
    this.out.write(csvLine(header));
  }

  async write(cells: readonly (string | number | undefined)[]): Promise<void> {
    this.rows++;
    if (!this.out.write(csvLine(cells))) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }
}
