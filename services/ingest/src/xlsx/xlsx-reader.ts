import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { LeadflowError } from '@leadflow/pipeline';
import { SharedStrings } from './shared-strings.js';
import { XmlGuard, type XmlOverrun } from './xml-guard.js';
import { entryBytes, inflateBudget, openZip, type InflateBudget, type Zip, type ZipEntry } from './zip-reader.js';

/** What a workbook may hold; every one is input, so each is checked before memory is taken for it. */
export interface WorkbookLimits {
  /** Most bytes all the parts read may inflate to, together. */
  maxBytes: number;
  /** Most columns a row may reach (a cell's reference names its column). */
  maxColumns: number;
  /** Longest row, and so longest cell or shared string, in characters. */
  maxRecordChars: number;
  /** Most memory the table of shared strings may take, in bytes. */
  maxSharedStringsBytes: number;
}

interface Sheet {
  name: string;
  path: string;
}

interface Context {
  zip: Zip;
  budget: InflateBudget;
  limits: WorkbookLimits;
}

type Handlers = {
  onOpen?: (tag: SaxesTagPlain) => void;
  onText?: (text: string) => void;
  onClose?: (tag: SaxesTagPlain) => void;
};

/** Workbooks nest elements about ten deep (a rich-text run in a cell: worksheet, sheetData, row, c, is, r, t). */
const MAX_DEPTH = 64;
/** Longest tag with its attributes; a workbook's longest are a few kilobytes of namespace declarations. */
const MAX_MARKUP_CHARS = 1024 * 1024;
/**
 * Largest workbook.xml and its relationships part: they list the sheets, a few kilobytes, and
 * what is read from them is kept for the whole job.
 */
const MAX_STRUCTURE_BYTES = 16 * 1024 * 1024;
/** Excel's grid: columns A to XFD, rows 1 to 1,048,576. */
const EXCEL_COLUMNS = 16_384;
const EXCEL_ROWS = 1_048_576;
/** Excel keeps at most 65,490 cell formats; style indexes past this are not kept. */
const MAX_STYLES = 65_536;
/**
 * Most sheets listed. Each is opened to look for a table when no sheet is named; sheets may
 * all name the same part, so without a bound a small workbook could keep a job busy for hours.
 */
const MAX_SHEETS = 4096;

function overrunError(what: XmlOverrun, label: string, limits: WorkbookLimits): LeadflowError {
  switch (what) {
    case 'text':
      return new LeadflowError('ROW_TOO_LONG', `${label} holds a text of more than ${limits.maxRecordChars} characters`, false);
    case 'markup':
      return new LeadflowError('FILE_CORRUPT', `${label} holds a tag or comment of more than ${MAX_MARKUP_CHARS} characters`, false);
    case 'doctype':
      return new LeadflowError('FILE_CORRUPT', `${label} declares a DOCTYPE, which workbooks never hold`, false);
  }
}

/**
 * Parses an XML part as it inflates, handing each element to `onOpen`, text to `onText`, ends
 * to `onClose`; yields after each inflated piece, so that a caller can take what the handlers
 * gathered. What the parser must hold at once is bounded: each piece of text or markup by
 * XmlGuard before the parser sees it, the elements open by counting them as they open.
 */
async function* xmlPart(ctx: Context, entry: ZipEntry, label: string, handlers: Handlers): AsyncGenerator<void> {
  const parser = new SaxesParser({ xmlns: false });
  const guard = new XmlGuard({ maxTextChars: ctx.limits.maxRecordChars, maxMarkupChars: MAX_MARKUP_CHARS }, (what) => overrunError(what, label, ctx.limits));
  let error: Error | undefined;
  let depth = 0;
  parser.on('error', (e) => (error ??= e));
  parser.on('opentag', (tag) => {
    if (++depth > MAX_DEPTH) throw new LeadflowError('FILE_CORRUPT', `${label} nests elements more than ${MAX_DEPTH} deep`, false);
    handlers.onOpen?.(tag);
  });
  parser.on('closetag', (tag) => {
    depth--;
    handlers.onClose?.(tag);
  });
  if (handlers.onText) {
    parser.on('text', handlers.onText);
    parser.on('cdata', handlers.onText);
  }
  const feed = (text: string) => {
    guard.check(text);
    parser.write(text);
    if (error) throw new LeadflowError('FILE_CORRUPT', `${label} is not valid XML (${error.message.split('\n')[0]})`, false);
  };
  const decoder = new StringDecoder('utf8');
  for await (const chunk of entryBytes(ctx.zip, entry, ctx.budget)) {
    feed(decoder.write(chunk));
    yield;
  }
  feed(decoder.end());
  parser.close();
  if (error) throw new LeadflowError('FILE_CORRUPT', `${label} is not valid XML (${error.message.split('\n')[0]})`, false);
}

async function parsePart(ctx: Context, entry: ZipEntry, handlers: Handlers): Promise<void> {
  for await (const _ of xmlPart(ctx, entry, `the workbook part ${entry.name}`, handlers));
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

function structurePart(ctx: Context, name: string): ZipEntry {
  const entry = ctx.zip.entries.get(name);
  if (!entry) throw new LeadflowError('FILE_BINARY', 'its bytes say it is a ZIP archive, but not an Excel workbook (.xlsx)', false);
  if (entry.uncompressedSize > MAX_STRUCTURE_BYTES) {
    throw new LeadflowError('FILE_TOO_LARGE', `the workbook part ${name} inflates to ${entry.uncompressedSize} bytes, the limit is ${MAX_STRUCTURE_BYTES}`, false);
  }
  return entry;
}

async function readSheets(ctx: Context): Promise<Sheet[]> {
  const workbook = structurePart(ctx, 'xl/workbook.xml');
  const rels = structurePart(ctx, 'xl/_rels/workbook.xml.rels');
  const targets = new Map<string, string>();
  await parsePart(ctx, rels, {
    onOpen: (t) => {
      if (t.name === 'Relationship') targets.set(attr(t, 'Id') ?? '', attr(t, 'Target') ?? '');
    },
  });
  const sheets: Sheet[] = [];
  await parsePart(ctx, workbook, {
    onOpen: (t) => {
      if (t.name !== 'sheet') return;
      const target = targets.get(attr(t, 'r:id') ?? '');
      if (!target) return;
      if (sheets.length === MAX_SHEETS) {
        throw new LeadflowError('FILE_TOO_LARGE', `the workbook has more than ${MAX_SHEETS} sheets: save the sheets to read as CSV`, false);
      }
      sheets.push({ name: attr(t, 'name') ?? `Sheet${sheets.length + 1}`, path: resolvePart('xl', target) });
    },
  });
  return sheets;
}

/** The shared strings, without phonetic guides (`rPh`: the reading of Japanese text, not part of its value). */
async function readSharedStrings(ctx: Context): Promise<SharedStrings> {
  const table = new SharedStrings(ctx.limits.maxSharedStringsBytes);
  const entry = ctx.zip.entries.get('xl/sharedStrings.xml');
  if (!entry) return table;
  let current = '';
  let inText = false;
  let phonetic = 0;
  await parsePart(ctx, entry, {
    onOpen: (t) => {
      if (t.name === 'si') current = '';
      else if (t.name === 't') inText = true;
      else if (t.name === 'rPh') phonetic++;
    },
    onText: (text) => {
      if (!inText || phonetic > 0) return;
      current += text;
      if (current.length > ctx.limits.maxRecordChars) {
        throw new LeadflowError('ROW_TOO_LONG', `a shared string of the workbook is longer than ${ctx.limits.maxRecordChars} characters`, false);
      }
    },
    onClose: (t) => {
      if (t.name === 't') inText = false;
      else if (t.name === 'rPh') phonetic--;
      else if (t.name === 'si') table.add(current);
    },
  });
  return table;
}

const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

/** Indexes of cell styles that show a number as a date or time. */
async function readDateStyles(ctx: Context): Promise<Set<number>> {
  const entry = ctx.zip.entries.get('xl/styles.xml');
  const dates = new Set<number>();
  if (!entry) return dates;
  const customDate = new Set<number>();
  let inCellXfs = false;
  let xfIndex = 0;
  await parsePart(ctx, entry, {
    onOpen: (t) => {
      if (t.name === 'numFmt') {
        // A date format has d, m, y, h or s outside quoted text and [colour] brackets.
        const code = (attr(t, 'formatCode') ?? '').replace(/"[^"]*"|\[[^\]]*\]/g, '');
        const id = Number(attr(t, 'numFmtId'));
        if (id < MAX_STYLES && /[dmyhs]/i.test(code)) customDate.add(id);
      } else if (t.name === 'cellXfs') {
        inCellXfs = true;
      } else if (t.name === 'xf' && inCellXfs && xfIndex < MAX_STYLES) {
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

/**
 * The 0-based column a cell reference ("AB12" → 27) names, checked against Excel's grid and
 * `maxColumns` before a row is widened to it.
 */
function cellColumn(ref: string, sheet: Sheet, maxColumns: number): number {
  let column = 0;
  let i = 0;
  for (; i < ref.length && i < 4; i++) {
    const code = ref.charCodeAt(i);
    if (code < 65 || code > 90) break;
    column = column * 26 + (code - 64);
  }
  const row = ref.length - i <= 7 && /^[1-9]\d*$/.test(ref.slice(i)) ? Number(ref.slice(i)) : 0;
  if (i === 0 || column > EXCEL_COLUMNS || row < 1 || row > EXCEL_ROWS) {
    const shown = ref.length > 20 ? `${ref.slice(0, 20)}…` : ref;
    throw new LeadflowError('FILE_CORRUPT', `sheet "${sheet.name}" has a cell reference "${shown}" outside any worksheet (columns A to XFD, rows 1 to ${EXCEL_ROWS})`, false);
  }
  return tooManyColumns(column - 1, sheet, maxColumns);
}

function tooManyColumns(column: number, sheet: Sheet, maxColumns: number): number {
  if (column < maxColumns) return column;
  throw new LeadflowError('TOO_MANY_COLUMNS', `sheet "${sheet.name}" has a cell in column ${column + 1}, the limit is ${maxColumns}`, false);
}

function numberText(v: string): string {
  if (!/e/i.test(v)) return v;
  const n = Number(v);
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? n.toFixed(0) : String(n);
}

/** The rows of one sheet as cell texts, streamed from its XML; no row wider than `maxColumns` or longer than `maxRecordChars`. */
async function* sheetRows(ctx: Context, sheet: Sheet, strings: SharedStrings, dateStyles: Set<number>): AsyncGenerator<string[]> {
  const entry = ctx.zip.entries.get(sheet.path);
  if (!entry) throw new LeadflowError('FILE_CORRUPT', `the workbook names sheet "${sheet.name}" but does not hold it`, false);
  const { maxColumns, maxRecordChars } = ctx.limits;
  const ready: string[][] = [];
  let row: string[] | undefined;
  let rowChars = 0;
  let rowCount = 0;
  let cell: { col: number; type: string; style: number; text: string } | undefined;
  let collect = false;
  let phonetic = 0;
  const rowTooLong = () =>
    new LeadflowError('ROW_TOO_LONG', `row ${rowCount} of sheet "${sheet.name}" is longer than ${maxRecordChars} characters`, false);
  const valueOf = ({ type, text, style }: NonNullable<typeof cell>): string => {
    if (type === 's') {
      const value = strings.get(Number(text));
      if (value === undefined) {
        const index = text.length > 20 ? `${text.slice(0, 20)}…` : text;
        throw new LeadflowError('FILE_CORRUPT', `row ${rowCount} of sheet "${sheet.name}" names shared string "${index}"; the workbook has ${strings.size}`, false);
      }
      return value;
    }
    if (type === 'b') return text === '1' ? 'TRUE' : 'FALSE';
    if (type === 'e') return '';
    if (type === 'n' && text !== '' && dateStyles.has(style)) return excelDate(Number(text));
    if (type === 'n') return numberText(text);
    return text;
  };
  const handlers: Handlers = {
    onOpen: (t) => {
      if (t.name === 'row') {
        row = [];
        rowChars = 0;
        rowCount++;
      } else if (t.name === 'c' && row) {
        const ref = attr(t, 'r');
        const col = ref ? cellColumn(ref, sheet, maxColumns) : tooManyColumns(row.length, sheet, maxColumns);
        cell = { col, type: attr(t, 't') ?? 'n', style: Number(attr(t, 's') ?? -1), text: '' };
      } else if ((t.name === 'v' || t.name === 't') && cell) collect = true;
      else if (t.name === 'rPh') phonetic++;
    },
    onText: (text) => {
      if (!collect || !cell || phonetic > 0) return;
      cell.text += text;
      if (rowChars + cell.text.length > maxRecordChars) throw rowTooLong();
    },
    onClose: (t) => {
      if (t.name === 'v' || t.name === 't') collect = false;
      else if (t.name === 'rPh') phonetic--;
      else if (t.name === 'c' && cell && row) {
        const value = valueOf(cell);
        rowChars += value.length;
        if (rowChars > maxRecordChars) throw rowTooLong();
        while (row.length < cell.col) row.push('');
        row[cell.col] = value;
        cell = undefined;
      } else if (t.name === 'row' && row) {
        ready.push(row);
        row = undefined;
      }
    },
  };
  for await (const _ of xmlPart(ctx, entry, `sheet "${sheet.name}"`, handlers)) yield* ready.splice(0);
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
 * dates). All the parts read together inflate to at most `limits.maxBytes`.
 */
export async function openWorkbook(path: string, limits: WorkbookLimits): Promise<Workbook> {
  const zip = await openZip(path);
  try {
    const ctx: Context = { zip, budget: inflateBudget(limits.maxBytes), limits };
    const sheets = await readSheets(ctx);
    if (sheets.length === 0) throw new LeadflowError('FILE_EMPTY', 'the workbook has no sheets', false);
    const strings = await readSharedStrings(ctx);
    const dateStyles = await readDateStyles(ctx);
    const byName = new Map<string, Sheet>();
    for (const s of sheets) if (!byName.has(s.name)) byName.set(s.name, s);
    return {
      sheets: [...byName.keys()],
      async *rows(name) {
        const sheet = byName.get(name)!;
        for await (const row of sheetRows(ctx, sheet, strings, dateStyles)) {
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
