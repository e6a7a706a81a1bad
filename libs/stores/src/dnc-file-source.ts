import { createGunzip, createInflateRaw } from 'node:zlib';
import { PassThrough, type Readable } from 'node:stream';

/** A file of a Do-Not-Call import, uncompressed as it streams: a plain file, a gzip member, or an entry of a zip. */
export interface DncFilePart {
  /** The file's name, and for a zip entry `archive.zip:entry.txt`: what a problem names. */
  name: string;
  chunks: AsyncIterable<Buffer>;
}

/** A file no import reads: its name and why. */
export class DncFileError extends Error {
  readonly code = 'DNC_IMPORT_FORMAT';
  constructor(message: string) {
    super(message);
    this.name = 'DncFileError';
  }
}

/** Pulls bytes from a stream on demand: exactly `n`, or whatever comes next. */
class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private readonly it: AsyncIterator<Buffer>;
  private done = false;
  constructor(source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>) {
    this.it = (async function* () {
      for await (const c of source) yield typeof c === 'string' ? Buffer.from(c) : c;
    })();
  }
  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.it.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    this.buf = this.buf.length === 0 ? next.value : Buffer.concat([this.buf, next.value]);
    return true;
  }
  /** Up to `n` bytes at the front, without taking them (fewer at the end of the stream). */
  async peek(n: number): Promise<Buffer> {
    while (this.buf.length < n && (await this.fill()));
    return this.buf.subarray(0, Math.min(n, this.buf.length));
  }
  async take(n: number): Promise<Buffer> {
    const got = await this.peek(n);
    if (got.length < n) throw new DncFileError('the zip ends in the middle of an entry');
    this.buf = this.buf.subarray(n);
    return Buffer.from(got);
  }
  /** The next `n` bytes as they come, in pieces. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0 && !(await this.fill())) throw new DncFileError('the zip ends in the middle of an entry');
      const piece = this.buf.subarray(0, Math.min(left, this.buf.length));
      this.buf = this.buf.subarray(piece.length);
      left -= piece.length;
      yield piece;
    }
  }
  /** Everything left. */
  async *rest(): AsyncGenerator<Buffer> {
    if (this.buf.length > 0) yield this.buf;
    this.buf = Buffer.alloc(0);
    while (await this.fill()) {
      const b = this.buf;
      this.buf = Buffer.alloc(0);
      yield b;
    }
  }
}

/** Pipes `input` through a zlib transform, as an async iterable of its output. */
function through(input: AsyncIterable<Buffer>, transform: NodeJS.ReadWriteStream & Readable, what: string): AsyncIterable<Buffer> {
  const out = new PassThrough();
  transform.on('error', (err) => out.destroy(new DncFileError(`${what}: ${err.message}`)));
  transform.pipe(out);
  void (async () => {
    try {
      for await (const c of input) if (!transform.write(c)) await new Promise((r) => transform.once('drain', r));
      transform.end();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return out as AsyncIterable<Buffer>;
}

/**
 * The files in a stream of bytes, recognised by their first bytes: gzip (1f 8b), zip (PK 03 04:
 * each entry in turn, stored or deflated, its sizes in its local header; an entry whose sizes
 * follow its data cannot be read as a stream and is refused), else plain text. Nothing is held
 * whole: each part is read as it is consumed, and must be consumed before the next is asked for.
 */
export async function* dncFileParts(name: string, source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<DncFilePart> {
  const reader = new ByteReader(source);
  const head = await reader.peek(4);
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    yield { name, chunks: through(reader.rest(), createGunzip(), `${name} is not a whole gzip file`) };
    return;
  }
  if (!(head.length === 4 && head.readUInt32LE(0) === 0x04034b50)) {
    yield { name, chunks: reader.rest() };
    return;
  }
  for (let entries = 0; ; entries++) {
    const sig = await reader.peek(4);
    if (sig.length < 4 || sig.readUInt32LE(0) !== 0x04034b50) {
      // The central directory (PK 01 02) or the end: the entries are all read.
      for await (const _ of reader.rest());
      if (entries === 0) throw new DncFileError(`${name}: a zip without files`);
      return;
    }
    const local = await reader.take(30);
    const flags = local.readUInt16LE(6);
    const method = local.readUInt16LE(8);
    const compressed = local.readUInt32LE(18);
    const nameLength = local.readUInt16LE(26);
    const extraLength = local.readUInt16LE(28);
    const entryName = (await reader.take(nameLength)).toString('utf8');
    await reader.take(extraLength);
    const where = `${name}:${entryName}`;
    if (flags & 0x08) throw new DncFileError(`${where}: its size is written after its data, which a stream cannot read; unzip it, or send it gzipped`);
    if (flags & 0x01) throw new DncFileError(`${where}: encrypted`);
    if (compressed === 0xffffffff) throw new DncFileError(`${where}: a zip64 entry; send it gzipped`);
    if (method !== 0 && method !== 8) throw new DncFileError(`${where}: compressed by method ${method}; only stored and deflated entries are read`);
    const data = reader.stream(compressed);
    if (entryName.endsWith('/')) {
      for await (const _ of data);
      continue;
    }
    const chunks = method === 0 ? data : through(data, createInflateRaw(), `${where} is not a whole deflated entry`);
    let consumed = false;
    yield {
      name: where,
      chunks: (async function* () {
        for await (const c of chunks) yield c;
        consumed = true;
      })(),
    };
    // The caller did not read it all: skip the rest of its data.
    if (!consumed) for await (const _ of data);
  }
}
