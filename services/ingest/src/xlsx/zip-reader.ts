import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';
import { LeadflowError } from '@leadflow/pipeline';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const corrupt = (detail: string) => new LeadflowError('FILE_CORRUPT', detail, false);

/**
 * The entries of a ZIP archive on disk, from its central directory: read with random access,
 * never inflated whole. Sizes in the directory are checked again while inflating, because a
 * crafted archive may lie about them.
 */
export async function openZip(path: string): Promise<{ entries: Map<string, ZipEntry>; close(): Promise<void>; file: FileHandle }> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const tailSize = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailSize);
    await file.read(tail, 0, tailSize, size - tailSize);
    let eocd = -1;
    for (let i = tailSize - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw corrupt('no ZIP end-of-directory record: the workbook is cut short or not a ZIP file');
    const count = tail.readUInt16LE(eocd + 10);
    const dirSize = tail.readUInt32LE(eocd + 12);
    const dirOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
      throw new LeadflowError('FILE_TOO_LARGE', 'the workbook uses ZIP64 (over 4 GB or 65,535 parts): save it as CSV', false);
    }
    if (dirOffset + dirSize > size) throw corrupt('the ZIP directory points past the end of the file');
    const dir = Buffer.alloc(dirSize);
    await file.read(dir, 0, dirSize, dirOffset);
    const entries = new Map<string, ZipEntry>();
    let p = 0;
    for (let n = 0; n < count; n++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL) throw corrupt('a damaged ZIP directory entry');
      const nameLength = dir.readUInt16LE(p + 28);
      const entry: ZipEntry = {
        method: dir.readUInt16LE(p + 10),
        compressedSize: dir.readUInt32LE(p + 20),
        uncompressedSize: dir.readUInt32LE(p + 24),
        localHeaderOffset: dir.readUInt32LE(p + 42),
        name: dir.toString('utf8', p + 46, p + 46 + nameLength),
      };
      entries.set(entry.name, entry);
      p += 46 + nameLength + dir.readUInt16LE(p + 30) + dir.readUInt16LE(p + 32);
    }
    return { entries, file, close: () => file.close() };
  } catch (err) {
    await file.close();
    throw err;
  }
}

/** Where an entry's compressed bytes start: after its local header, whose lengths may differ from the directory's. */
async function dataOffset(file: FileHandle, entry: ZipEntry): Promise<number> {
  const header = Buffer.alloc(30);
  await file.read(header, 0, 30, entry.localHeaderOffset);
  if (header.readUInt32LE(0) !== LOCAL) throw corrupt(`a damaged ZIP part (${entry.name})`);
  return entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
}

/**
 * An entry's bytes, inflated as they are read. Fails with FILE_TOO_LARGE as soon as more than
 * `maxBytes` come out, whatever the directory claimed (a zip bomb is refused, not inflated).
 */
export async function* entryBytes(path: string, file: FileHandle, entry: ZipEntry, maxBytes: number): AsyncGenerator<Buffer> {
  if (entry.uncompressedSize > maxBytes) {
    throw new LeadflowError('FILE_TOO_LARGE', `the workbook part ${entry.name} inflates to ${entry.uncompressedSize} bytes, the limit is ${maxBytes}`, false);
  }
  if (entry.method !== 0 && entry.method !== 8) throw corrupt(`ZIP compression method ${entry.method} is not supported`);
  const start = await dataOffset(file, entry);
  if (entry.compressedSize === 0) return;
  const raw = createReadStream(path, { start, end: start + entry.compressedSize - 1 });
  const stream = entry.method === 8 ? raw.pipe(createInflateRaw()) : raw;
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw new LeadflowError('FILE_TOO_LARGE', `the workbook part ${entry.name} inflates past ${maxBytes} bytes`, false);
      yield chunk;
    }
  } catch (err) {
    if (err instanceof LeadflowError) throw err;
    throw corrupt(`the workbook part ${entry.name} does not inflate (${(err as Error).message})`);
  } finally {
    raw.destroy();
  }
}
