import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { csvRow as csvLine } from '@leadflow/pipeline';

/** A CSV file written as rows arrive (RFC 4180: CRLF, quotes doubled), waiting when the disk is behind. */
export class CsvWriter {
  private readonly out: WriteStream;
  rows = 0;

  constructor(path: string, header: readonly string[]) {
    this.out = createWriteStream(path);
    this.out.write(csvLine(header));
  }

  async write(cells: readonly (string | number | null | undefined)[]): Promise<void> {
    this.rows++;
    if (!this.out.write(csvLine(cells))) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }
}
