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

export interface Zip {
  entries: Map<string, ZipEntry>;
  file: FileHandle;
  path: string;
  /** Where the central directory starts: every entry's data lies before it. */
  dirOffset: number;
  close(): Promise<void>;
}

/**
 * The bytes the parts of one archive may still inflate to, shared by every part read: a
 * limit per part would let an archive of many parts (or of many entries pointing at the
 * same compressed data) inflate that much again for each of them.
 */
export interface InflateBudget {
  readonly limit: number;
  left: number;
}

export const inflateBudget = (limit: number): InflateBudget => ({ limit, left: limit });

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** 32-bit size and offset fields hold this when the real value is in a ZIP64 extra field. */
const ZIP64_MARK = 0xffffffff;
/**
 * The largest central directory read. A workbook's lists its parts in a few kilobytes (46
 * bytes and a name each); an archive may declare up to 4 GiB, which would be allocated at once.
 */
const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;
const FLAG_ENCRYPTED = 0x1;

const corrupt = (detail: string) => new LeadflowError('FILE_CORRUPT', detail, false);
const zip64 = () => new LeadflowError('FILE_TOO_LARGE', 'the workbook uses ZIP64 (over 4 GB or 65,535 parts): save it as CSV', false);

/**
 * The entries of a ZIP archive on disk, from its central directory: read with random access,
 * never inflated whole. Every size and offset the directory declares is checked against the
 * file before it is used, and sizes again while inflating, because a crafted archive may lie.
 * Data descriptors (general-purpose flag bit 3, sizes written after the data) need nothing
 * more: the directory always holds the sizes.
 */
export async function openZip(path: string): Promise<Zip> {
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
    if (tail.readUInt16LE(eocd + 4) !== 0 || tail.readUInt16LE(eocd + 6) !== 0) throw corrupt('the workbook is a ZIP archive split over several files');
    const count = tail.readUInt16LE(eocd + 10);
    const dirSize = tail.readUInt32LE(eocd + 12);
    const dirOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || dirSize === ZIP64_MARK || dirOffset === ZIP64_MARK) throw zip64();
    if (dirOffset + dirSize > size) throw corrupt('the ZIP directory points past the end of the file');
    if (dirSize > MAX_DIRECTORY_BYTES) {
      throw new LeadflowError('FILE_TOO_LARGE', `the workbook's ZIP directory takes ${dirSize} bytes, the limit is ${MAX_DIRECTORY_BYTES}: save it as CSV`, false);
    }
    const dir = Buffer.alloc(dirSize);
    await file.read(dir, 0, dirSize, dirOffset);
    const entries = new Map<string, ZipEntry>();
    let p = 0;
    for (let n = 0; n < count; n++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL) throw corrupt('a damaged ZIP directory entry');
      const nameLength = dir.readUInt16LE(p + 28);
      const next = p + 46 + nameLength + dir.readUInt16LE(p + 30) + dir.readUInt16LE(p + 32);
      if (next > dir.length) throw corrupt('a ZIP directory entry runs past the directory');
      const entry: ZipEntry = {
        method: dir.readUInt16LE(p + 10),
        compressedSize: dir.readUInt32LE(p + 20),
        uncompressedSize: dir.readUInt32LE(p + 24),
        localHeaderOffset: dir.readUInt32LE(p + 42),
        name: dir.toString('utf8', p + 46, p + 46 + nameLength),
      };
      if (entry.compressedSize === ZIP64_MARK || entry.uncompressedSize === ZIP64_MARK || entry.localHeaderOffset === ZIP64_MARK) throw zip64();
      if (dir.readUInt16LE(p + 8) & FLAG_ENCRYPTED) throw corrupt(`the workbook part ${entry.name} is encrypted: save the workbook without a password`);
      if (entry.localHeaderOffset + 30 + entry.compressedSize > dirOffset) throw corrupt(`the ZIP part ${entry.name} runs into the directory`);
      if (entry.method === 0 && entry.compressedSize !== entry.uncompressedSize) throw corrupt(`the stored ZIP part ${entry.name} declares two sizes`);
      if (entries.has(entry.name)) throw corrupt(`the ZIP archive holds two parts named ${entry.name}`);
      entries.set(entry.name, entry);
      p = next;
    }
    return { entries, file, path, dirOffset, close: () => file.close() };
  } catch (err) {
    await file.close();
    throw err;
  }
}

/** Where an entry's compressed bytes start: after its local header, whose lengths may differ from the directory's. */
async function dataOffset(zip: Zip, entry: ZipEntry): Promise<number> {
  const header = Buffer.alloc(30);
  await zip.file.read(header, 0, 30, entry.localHeaderOffset);
  if (header.readUInt32LE(0) !== LOCAL) throw corrupt(`a damaged ZIP part (${entry.name})`);
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + entry.compressedSize > zip.dirOffset) throw corrupt(`the ZIP part ${entry.name} runs into the directory`);
  return start;
}

const tooLarge = (budget: InflateBudget) =>
  new LeadflowError('FILE_TOO_LARGE', `the workbook's parts inflate to more than ${budget.limit} bytes`, false);

/**
 * An entry's bytes, inflated as they are read, taken from `budget`. Refused before inflating
 * when the size it declares exceeds what is left; fails as soon as it inflates past the
 * budget (FILE_TOO_LARGE) or past its declared size (FILE_CORRUPT), whatever it claimed: a
 * zip bomb is refused, not inflated.
 */
export async function* entryBytes(zip: Zip, entry: ZipEntry, budget: InflateBudget): AsyncGenerator<Buffer> {
  if (entry.uncompressedSize > budget.left) throw tooLarge(budget);
  if (entry.method !== 0 && entry.method !== 8) throw corrupt(`ZIP compression method ${entry.method} is not supported`);
  const start = await dataOffset(zip, entry);
  if (entry.compressedSize === 0) return;
  const raw = createReadStream(zip.path, { start, end: start + entry.compressedSize - 1 });
  const stream = entry.method === 8 ? raw.pipe(createInflateRaw()) : raw;
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (chunk.length > budget.left) throw tooLarge(budget);
      if (total > entry.uncompressedSize) throw corrupt(`the workbook part ${entry.name} inflates past the ${entry.uncompressedSize} bytes it declares`);
      budget.left -= chunk.length;
      yield chunk;
    }
  } catch (err) {
    if (err instanceof LeadflowError) throw err;
    throw corrupt(`the workbook part ${entry.name} does not inflate (${(err as Error).message})`);
  } finally {
    raw.destroy();
    stream.destroy();
  }
}
