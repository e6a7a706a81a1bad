import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { csvRow as csvLine } from '@leadflow/pipeline';
import { CommandError, fsReason } from './command-error.js';

/**
 * A CSV file written as rows arrive (RFC 4180: CRLF, quotes doubled), waiting when the disk is
 * behind. A write that fails (the disk full, the folder gone) fails the next call with a
 * CommandError naming the file, instead of an unhandled 'error' event.
 */
export class CsvWriter {
  private readonly out: WriteStream;
  private failure: Error | undefined;
  rows = 0;

  constructor(private readonly path: string, header: readonly string[]) {
    this.out = createWriteStream(path);
    this.out.on('error', (err) => (this.failure ??= new CommandError(`cannot write ${path}: ${fsReason(err)}`)));
    this.out.write(csvLine(header));
  }

  async write(cells: readonly (string | number | null | undefined)[]): Promise<void> {
    this.check();
    this.rows++;
    if (!this.out.write(csvLine(cells))) await this.settled('drain');
  }

  async close(): Promise<void> {
    this.check();
    this.out.end();
    await this.settled('finish');
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  /** Waits for `event`; the stream's error, if it comes first, as a CommandError. */
  private async settled(event: 'drain' | 'finish'): Promise<void> {
    try {
      await once(this.out, event);
    } catch (err) {
      throw (this.failure ??= new CommandError(`cannot write ${this.path}: ${fsReason(err)}`));
    }
  }
}
