import { constants, deflateRawSync } from 'node:zlib';

/** One part of a crafted ZIP archive: what it holds, and what the archive claims about it. */
export interface ZipPart {
  name: string;
  /** The part's bytes, deflated into the archive (stored when `stored`). */
  data?: Buffer | string;
  /** The part as a raw deflate stream made already (see repeatDeflated); `size` is what it inflates to. */
  deflated?: { bytes: Buffer; size: number };
  stored?: boolean;
  /** The size the directory declares once inflated. @default the true size */
  declaredSize?: number;
  /** The directory entry points at this other part's data (entries that overlap). */
  sameDataAs?: string;
  /** General-purpose flags: 0x1 encrypted, 0x8 sizes in a data descriptor after the data. @default 0 */
  flags?: number;
}

export interface ZipOptions {
  /** Entries the end record claims. @default the number of parts */
  count?: number;
  /** Size of the central directory the end record claims. @default the true size */
  dirSize?: number;
}

const DATA_DESCRIPTOR = 0x8;

/**
 * A ZIP archive built byte by byte, so that tests can make it lie: declared sizes, entry
 * counts, ZIP64 markers, overlapping entries, data descriptors. CRCs are left 0 (Leadflow's
 * reader does not check them).
 */
export function craftZip(parts: ZipPart[], opts: ZipOptions = {}): Buffer {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  const at = new Map<string, { offset: number; compressed: number; size: number; method: number }>();
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name);
    const flags = part.flags ?? 0;
    let where = part.sameDataAs ? at.get(part.sameDataAs) : undefined;
    if (!where) {
      const raw = part.data === undefined ? Buffer.alloc(0) : Buffer.from(part.data);
      const method = part.stored ? 0 : 8;
      const body = part.deflated?.bytes ?? (part.stored ? raw : deflateRawSync(raw));
      const size = part.deflated?.size ?? raw.length;
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(flags, 6);
      local.writeUInt16LE(method, 8);
      // With a data descriptor the local header leaves the sizes out.
      local.writeUInt32LE(flags & DATA_DESCRIPTOR ? 0 : body.length, 18);
      local.writeUInt32LE(flags & DATA_DESCRIPTOR ? 0 : Math.min(size, 0xffffffff), 22);
      local.writeUInt16LE(name.length, 26);
      chunks.push(local, name, body);
      where = { offset, compressed: body.length, size, method };
      offset += local.length + name.length + body.length;
      if (flags & DATA_DESCRIPTOR) {
        const descriptor = Buffer.alloc(16);
        descriptor.writeUInt32LE(0x08074b50, 0);
        descriptor.writeUInt32LE(body.length, 8);
        descriptor.writeUInt32LE(Math.min(size, 0xffffffff), 12);
        chunks.push(descriptor);
        offset += descriptor.length;
      }
      at.set(part.name, where);
    }
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(flags, 8);
    entry.writeUInt16LE(where.method, 10);
    entry.writeUInt32LE(where.compressed, 20);
    entry.writeUInt32LE(Math.min(part.declaredSize ?? where.size, 0xffffffff), 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(where.offset, 42);
    central.push(entry, name);
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(opts.count ?? parts.length, 8);
  end.writeUInt16LE(opts.count ?? parts.length, 10);
  end.writeUInt32LE(opts.dirSize ?? dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...chunks, dir, end]);
}

/**
 * A raw deflate stream of `head`, then `body` `times` times, then `tail`, made without ever
 * holding what it inflates to: each repeat of `body` is compressed once on its own (a full
 * flush resets the dictionary, so every repeat compresses to the same bytes) and the bytes
 * repeated. A few hundred bytes a repeat of 32 KiB: a small file that inflates to gigabytes.
 */
export function repeatDeflated(head: string, body: string, times: number, tail: string): { bytes: Buffer; size: number } {
  const flushed = (text: string) => deflateRawSync(Buffer.from(text), { finishFlush: constants.Z_FULL_FLUSH });
  const repeat = flushed(body);
  const bytes = Buffer.concat([flushed(head), ...Array<Buffer>(times).fill(repeat), deflateRawSync(Buffer.from(tail))]);
  return { bytes, size: Buffer.byteLength(head) + times * Buffer.byteLength(body) + Buffer.byteLength(tail) };
}

/** `text` repeated to about `bytes` (whole repeats). */
export const repeatTo = (text: string, bytes: number): string => text.repeat(Math.max(1, Math.floor(bytes / Buffer.byteLength(text))));

const SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

/** A worksheet part's XML around `rows` (`<row>` elements). */
export const sheetXml = (rows: string): string => `<?xml version="1.0" encoding="UTF-8"?><worksheet ${SHEET_NS}><sheetData>${rows}</sheetData></worksheet>`;

/** A row of inline-string cells, placed one after the other. */
export const inlineRow = (cells: string[]): string => `<row>${cells.map((c) => `<c t="inlineStr"><is><t>${c}</t></is></c>`).join('')}</row>`;

/**
 * The parts of a workbook: `sheets` (name → its part, or the name of another sheet whose
 * part it shares), with the workbook and relationship parts that list them, and the shared
 * strings part when given. Enough for Leadflow's reader; Excel wants more.
 */
export function workbookParts(sheets: [string, Omit<ZipPart, 'name'> | string][], sharedStrings?: Omit<ZipPart, 'name'>): ZipPart[] {
  const path = new Map<string, string>();
  const parts: ZipPart[] = [];
  sheets.forEach(([name, part], i) => {
    if (typeof part === 'string') {
      path.set(name, path.get(part)!);
      return;
    }
    const target = `worksheets/sheet${i + 1}.xml`;
    path.set(name, target);
    parts.push({ ...part, name: `xl/${target}` });
  });
  const rels = sheets.map(([name], i) => `<Relationship Id="rId${i + 1}" Type="worksheet" Target="${path.get(name)}"/>`).join('');
  const list = sheets.map(([name], i) => `<sheet name="${name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('');
  return [
    { name: 'xl/workbook.xml', data: `<workbook ${SHEET_NS} ${REL_NS}><sheets>${list}</sheets></workbook>` },
    { name: 'xl/_rels/workbook.xml.rels', data: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}</Relationships>` },
    ...(sharedStrings ? [{ ...sharedStrings, name: 'xl/sharedStrings.xml' }] : []),
    ...parts,
  ];
}
