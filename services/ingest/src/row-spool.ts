import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RowBatch } from '@leadflow/proto';

export interface RowSpoolOptions {
  /** Encoded batches held in memory; past it they go to a temporary file. @default 4 MiB */
  memoryBytes?: number;
  /** Folder of the temporary file. @default the system's temporary folder */
  dir?: string;
}

const LENGTH_BYTES = 4;

/**
 * A first-in first-out queue of row batches with bounded memory: batches are kept encoded
 * (protobuf) in memory up to `memoryBytes`, then appended to a temporary file, so an upload of
 * any size can be held until it is known to be whole. Once `release`d, the spool takes at most
 * `memoryBytes` more than its reader has drained, then makes its writer wait: what arrives
 * after the release (a workbook's rows, read only once it is whole) does not fill the disk.
 * One writer appends while one reader drains; the file is removed when drained or discarded.
 */
export class RowSpool {
  private readonly memoryBytes: number;
  private memory: Buffer[] = [];
  private inMemory = 0;
  private file: { handle: FileHandle; dir: string } | undefined;
  private opening: Promise<{ handle: FileHandle; dir: string }> | undefined;
  /** Batches sent to the file and not read yet; those of them written; where the next is read and written. */
  private onDisk = 0;
  private written = 0;
  private readAt = 0;
  private writeAt = 0;
  private writing: Promise<void> = Promise.resolve();
  private finished = false;
  private discarded = false;
  private failed: Error | undefined;
  private wake: (() => void) | undefined;
  private released = false;
  /** Batches held when released, not read yet; bytes appended since, not read yet. */
  private heldAtRelease = 0;
  private sinceRelease = 0;
  private wakeWriter: (() => void) | undefined;
  private fill!: () => void;
  /** Resolves the first time a writer waits for the reader: the reader, not the file, sets the pace from then on. */
  readonly full: Promise<void> = new Promise((resolve) => (this.fill = resolve));
  /** Most bytes the file held at once; for tests and logs. */
  spilledBytes = 0;

  constructor(private readonly opts: RowSpoolOptions = {}) {
    this.memoryBytes = opts.memoryBytes ?? 4 * 1024 * 1024;
  }

  /** Appends a batch; resolves once it is held (in memory or written to the file). */
  async append(batch: RowBatch): Promise<void> {
    while (this.released && this.sinceRelease >= this.memoryBytes && !this.discarded) {
      this.fill();
      await new Promise<void>((resolve) => (this.wakeWriter = resolve));
    }
    if (this.finished || this.discarded) return;
    const encoded = RowBatch.encode(batch).finish();
    const bytes = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    if (this.released) this.sinceRelease += bytes.length;
    // Batches go to memory only while none waits on disk, so the order is kept.
    if (this.onDisk === 0 && this.inMemory + bytes.length <= this.memoryBytes) {
      this.memory.push(bytes);
      this.inMemory += bytes.length;
      this.notify();
      return;
    }
    this.onDisk++;
    this.writing = this.writing.then(() => this.writeToFile(bytes));
    return this.writing;
  }

  /** The batches held may go on: from now on the spool holds at most `memoryBytes` more than was drained. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.heldAtRelease = this.memory.length + this.onDisk;
  }

  /** No more batches: the reader ends after the last one. */
  finish(): void {
    this.finished = true;
    this.notify();
  }

  /** Drops every batch held and removes the file; the reader ends. */
  async discard(): Promise<void> {
    this.discarded = true;
    this.memory = [];
    this.inMemory = 0;
    this.notify();
    this.wakeWriter?.();
    await this.writing.catch(() => {});
    await this.removeFile();
  }

  /** The batches in the order they were appended, waiting for more until `finish`. */
  async *drain(): AsyncGenerator<RowBatch> {
    try {
      for (;;) {
        if (this.discarded) return;
        if (this.failed) throw this.failed;
        const fromMemory = this.memory.shift();
        if (fromMemory) {
          this.inMemory -= fromMemory.length;
          this.drained(fromMemory.length);
          yield RowBatch.decode(fromMemory);
          continue;
        }
        if (this.written > 0) {
          const fromFile = await this.readFromFile();
          this.drained(fromFile.length);
          yield RowBatch.decode(fromFile);
          continue;
        }
        if (this.finished && this.onDisk === 0) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      await this.writing.catch(() => {});
      await this.removeFile();
    }
  }

  private drained(bytes: number) {
    if (!this.released) return;
    if (this.heldAtRelease > 0) this.heldAtRelease--;
    else this.sinceRelease -= bytes;
    const wake = this.wakeWriter;
    this.wakeWriter = undefined;
    wake?.();
  }

  private notify() {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private openFile() {
    return (this.opening ??= (async () => {
      const dir = await mkdtemp(join(this.opts.dir ?? tmpdir(), 'leadflow-spool-'));
      const handle = await open(join(dir, 'rows'), 'w+', 0o600);
      return (this.file = { handle, dir });
    })());
  }

  private async writeToFile(bytes: Buffer) {
    if (this.discarded) return;
    try {
      const { handle } = await this.openFile();
      const length = Buffer.alloc(LENGTH_BYTES);
      length.writeUInt32BE(bytes.length);
      await handle.write(Buffer.concat([length, bytes]), 0, LENGTH_BYTES + bytes.length, this.writeAt);
    } catch (err) {
      // The disk is full or gone: the reader fails with it rather than waiting.
      this.failed ??= err as Error;
      this.notify();
      throw err;
    }
    this.writeAt += LENGTH_BYTES + bytes.length;
    this.spilledBytes = Math.max(this.spilledBytes, this.writeAt - this.readAt);
    this.written++;
    this.notify();
  }

  private async readFromFile(): Promise<Buffer> {
    const { handle } = this.file!;
    const length = Buffer.alloc(LENGTH_BYTES);
    await readFully(handle, length, this.readAt);
    const bytes = Buffer.alloc(length.readUInt32BE());
    await readFully(handle, bytes, this.readAt + LENGTH_BYTES);
    this.readAt += LENGTH_BYTES + bytes.length;
    this.written--;
    // Once the reader caught up with every write sent, the file is written from its start again.
    if (--this.onDisk === 0) this.readAt = this.writeAt = 0;
    return bytes;
  }

  private async removeFile() {
    const opening = this.opening;
    this.opening = undefined;
    const file = await opening?.catch(() => undefined);
    if (!file) return;
    this.file = undefined;
    await file.handle.close().catch(() => {});
    await rm(file.dir, { recursive: true, force: true });
  }
}

async function readFully(handle: FileHandle, into: Buffer, position: number) {
  for (let done = 0; done < into.length; ) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new Error(`spool file ends at ${position + done}, ${into.length - done} bytes short`);
    done += bytesRead;
  }
}
