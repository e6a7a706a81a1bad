import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { LeadflowError } from '@leadflow/pipeline';
import { entryBytes, openZip, type ZipEntry } from './zip-reader.js';

export interface XlsxOptions {
  /** A sheet's name or 1-based position; `*` reads every sheet. @default the first sheet with data */
  sheet?: string;
  /** Most bytes any part of the workbook may inflate to. */
  maxBytes: number;
}

interface Sheet {
  name: string;
  path: string;
}

type Zip = Awaited<ReturnType<typeof openZip>>;

/** Parses an XML part as it inflates, handing each element to `onOpen`, text to `onText`, ends to `onClose`. */
async function parsePart(
  path: string,
  zip: Zip,
  entry: ZipEntry,
  maxBytes: number,
  handlers: { onOpen?: (tag: SaxesTagPlain) => void; onText?: (text: string) => void; onClose?: (tag: SaxesTagPlain) => void },
): Promise<void> {
  const parser = new SaxesParser({ xmlns: false });
  let error: Error | undefined;
  parser.on('error', (e) => (error ??= e));
  if (handlers.onOpen) parser.on('opentag', handlers.onOpen);
  if (handlers.onText) parser.on('text', handlers.onText);
  if (handlers.onClose) parser.on('closetag', handlers.onClose);
  const decoder = new StringDecoder('utf8');
  for await (const chunk of entryBytes(path, zip.file, entry, maxBytes)) {
    parser.write(decoder.write(chunk));
    if (error) throw new LeadflowError('FILE_CORRUPT', `the workbook part ${entry.name} is not valid XML (${error.message.split('\n')[0]})`, false);
  }
  parser.write(decoder.end()).close();
  if (error) throw new LeadflowError('FILE_CORRUPT', `the workbook part ${entry.name} is not valid XML`, false);
}

const attr = (tag: SaxesTagPlain, name: string): string | undefined => tag.attributes[name] as string | undefined;

/** "../worksheets/sheet1.xml" relative to "xl/" → "xl/worksheets/sheet1.xml". */
function resolvePart(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = base.split('/').filter(Boolean);
  for (const piece of target.split('/')) {
    if (piece === '..') parts.pop();
    else if (piece !== '.') parts.push(piece);
  }
  return parts.join('/');
}

async function readSheets(path: string, zip: Zip, maxBytes: number): Promise<Sheet[]> {
  const workbook = zip.entries.get('xl/workbook.xml');
  const rels = zip.entries.get('xl/_rels/workbook.xml.rels');
  if (!workbook || !rels) throw new LeadflowError('FILE_BINARY', 'its bytes say it is a ZIP archive, but not an Excel workbook (.xlsx)', false);
  const targets = new Map<string, string>();
  await parsePart(path, zip, rels, maxBytes, {
    onOpen: (t) => {
      if (t.name === 'Relationship') targets.set(attr(t, 'Id') ?? '', attr(t, 'Target') ?? '');
    },
  });
  const sheets: Sheet[] = [];
  await parsePart(path, zip, workbook, maxBytes, {
    onOpen: (t) => {
      if (t.name !== 'sheet') return;
      const target = targets.get(attr(t, 'r:id') ?? '');
      if (target) sheets.push({ name: attr(t, 'name') ?? `Sheet${sheets.length + 1}`, path: resolvePart('xl', target) });
    },
  });
  return sheets;
}

async function readSharedStrings(path: string, zip: Zip, maxBytes: number): Promise<string[]> {
  const entry = zip.entries.get('xl/sharedStrings.xml');
  if (!entry) return [];
  const strings: string[] = [];
  let current = '';
  let inText = false;
  await parsePart(path, zip, entry, maxBytes, {
    onOpen: (t) => {
      if (t.name === 'si') current = '';
      else if (t.name === 't') inText = true;
    },
    onText: (text) => {
      if (inText) current += text;
    },
    onClose: (t) => {
      if (t.name === 't') inText = false;
      else if (t.name === 'si') strings.push(current);
    },
  });
  return strings;
}

const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

/** Indexes of cell styles that show a number as a date or time. */
async function readDateStyles(path: string, zip: Zip, maxBytes: number): Promise<Set<number>> {
  const entry = zip.entries.get('xl/styles.xml');
  const dates = new Set<number>();
  if (!entry) return dates;
  const customDate = new Set<number>();
  let inCellXfs = false;
  let xfIndex = 0;
  await parsePart(path, zip, entry, maxBytes, {
    onOpen: (t) => {
      if (t.name === 'numFmt') {
        // A date format has d, m, y, h or s outside quoted text and [colour] brackets.
        const code = (attr(t, 'formatCode') ?? '').replace(/"[^"]*"|\[[^\]]*\]/g, '');
        if (/[dmyhs]/i.test(code)) customDate.add(Number(attr(t, 'numFmtId')));
      } else if (t.name === 'cellXfs') {
        inCellXfs = true;
      } else if (t.name === 'xf' && inCellXfs) {
        const id = Number(attr(t, 'numFmtId') ?? 0);
        if (BUILTIN_DATE_FORMATS.has(id) || customDate.has(id)) dates.add(xfIndex);
        xfIndex++;
      }
    },
    onClose: (t) => {
      if (t.name === 'cellXfs') inCellXfs = false;
    },
  });
  return dates;
}

/** Excel's day number (1900 date system) as an ISO date, with the time when it has one. */
function excelDate(serial: number): string {
  const ms = Math.round((serial - 25569) * 86_400_000);
  const iso = new Date(ms).toISOString();
  return serial % 1 === 0 ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
}

/** "AB12" → 27 (0-based column of a cell reference). */
function columnIndex(ref: string): number {
  let n = 0;
  for (const c of ref) {
    const code = c.charCodeAt(0);
    if (code < 65 || code > 90) break;
    n = n * 26 + (code - 64);
  }
  return n - 1;
}

function numberText(v: string): string {
  if (!/e/i.test(v)) return v;
  const n = Number(v);
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? n.toFixed(0) : String(n);
}

/** The rows of one sheet as cell texts, streamed from its XML. */
async function* sheetRows(path: string, zip: Zip, sheet: Sheet, strings: string[], dateStyles: Set<number>, maxBytes: number): AsyncGenerator<string[]> {
  const entry = zip.entries.get(sheet.path);
  if (!entry) throw new LeadflowError('FILE_CORRUPT', `the workbook names sheet "${sheet.name}" but does not hold it`, false);
  const parser = new SaxesParser({ xmlns: false });
  const ready: string[][] = [];
  let row: string[] | undefined;
  let cell: { col: number; type: string; style: number; text: string } | undefined;
  let collect = false;
  let error: Error | undefined;
  parser.on('error', (e) => (error ??= e));
  parser.on('opentag', (t) => {
    if (t.name === 'row') row = [];
    else if (t.name === 'c' && row) {
      cell = { col: attr(t, 'r') ? columnIndex(attr(t, 'r')!) : row.length, type: attr(t, 't') ?? 'n', style: Number(attr(t, 's') ?? -1), text: '' };
    } else if ((t.name === 'v' || t.name === 't') && cell) collect = true;
  });
  parser.on('text', (text) => {
    if (collect && cell) cell.text += text;
  });
  parser.on('closetag', (t) => {
    if (t.name === 'v' || t.name === 't') collect = false;
    else if (t.name === 'c' && cell && row) {
      const { type, text, style } = cell;
      const value =
        type === 's' ? (strings[Number(text)] ?? '')
          : type === 'b' ? (text === '1' ? 'TRUE' : 'FALSE')
            : type === 'e' ? ''
              : type === 'n' && text !== '' && dateStyles.has(style) ? excelDate(Number(text))
                : type === 'n' ? numberText(text)
                  : text;
      while (row.length < cell.col) row.push('');
      row[cell.col] = value;
      cell = undefined;
    } else if (t.name === 'row' && row) {
      ready.push(row);
      row = undefined;
    }
  });
  const decoder = new StringDecoder('utf8');
  for await (const chunk of entryBytes(path, zip.file, entry, maxBytes)) {
    parser.write(decoder.write(chunk));
    if (error) throw new LeadflowError('FILE_CORRUPT', `sheet "${sheet.name}" is not valid XML`, false);
    yield* ready.splice(0);
  }
  parser.write(decoder.end()).close();
  if (error) throw new LeadflowError('FILE_CORRUPT', `sheet "${sheet.name}" is not valid XML`, false);
  yield* ready.splice(0);
}

export interface Workbook {
  /** Sheet names in workbook order. */
  sheets: string[];
  /** A sheet's rows as cell texts, streamed as it inflates; blank rows left out. */
  rows(sheet: string): AsyncGenerator<string[]>;
  close(): Promise<void>;
}

/**
 * An Excel workbook (.xlsx) saved on disk, read part by part: cells come as text (shared and
 * inline strings, numbers without exponents, booleans, and dates by their cell style as ISO
 * dates). No part is inflated past `maxBytes`.
 */
export async function openWorkbook(path: string, maxBytes: number): Promise<Workbook> {
  const zip = await openZip(path);
  try {
    const sheets = await readSheets(path, zip, maxBytes);
    if (sheets.length === 0) throw new LeadflowError('FILE_EMPTY', 'the workbook has no sheets', false);
    const strings = await readSharedStrings(path, zip, maxBytes);
    const dateStyles = await readDateStyles(path, zip, maxBytes);
    return {
      sheets: sheets.map((s) => s.name),
      async *rows(name) {
        const sheet = sheets.find((s) => s.name === name)!;
        for await (const row of sheetRows(path, zip, sheet, strings, dateStyles, maxBytes)) {
          if (row.some((c) => c.trim() !== '')) yield row;
        }
      },
      close: () => zip.close(),
    };
  } catch (err) {
    await zip.close();
    throw err;
  }
}
