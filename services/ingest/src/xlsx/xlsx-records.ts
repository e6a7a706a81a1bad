import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { LeadflowError } from '@leadflow/pipeline';
import { distinctHeaders } from '../distinct-headers.js';
import { openWorkbook, type Workbook, type WorkbookLimits } from './xlsx-reader.js';

/** ZIP's local-file signature, which every .xlsx starts with. */
export const isZip = (head: Uint8Array) => head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;

const TITLE_SCAN_ROWS = 60;

/**
 * The index of the header row among a sheet's first rows: the first with about as many filled
 * cells as the rows below it have (title rows above a table fill one or two cells).
 */
export function headerRowIndex(rows: readonly string[][]): number {
  const filled = rows.map((r) => r.filter((c) => c.trim() !== '').length);
  const tail = filled.slice(Math.floor(filled.length / 3));
  const counts = new Map<number, number>();
  for (const f of tail) counts.set(f, (counts.get(f) ?? 0) + 1);
  let width = 1;
  let best = 0;
  for (const [f, n] of counts) if (n > best || (n === best && f > width)) [width, best] = [f, n];
  const index = filled.findIndex((f) => f >= Math.max(Math.min(2, width), width - 1));
  return index < 0 ? 0 : index;
}

interface Table {
  sheet: string;
  header: string[];
  /** How many rows (blank rows left out) stand above the data: title rows and the header. */
  above: number;
  /** Rows read to find the header, after it. */
  first: string[][];
  rest: AsyncGenerator<string[]>;
}

/** A sheet's table: its header (title rows above it skipped) and its data rows; undefined for a sheet without data rows. */
async function tableOf(workbook: Workbook, sheet: string): Promise<Table | undefined> {
  const rows = workbook.rows(sheet);
  const head: string[][] = [];
  while (head.length < TITLE_SCAN_ROWS) {
    const next = await rows.next();
    if (next.done) break;
    head.push(next.value);
  }
  const at = headerRowIndex(head);
  if (head.length - at < 2) {
    await rows.return(undefined);
    return undefined;
  }
  const header = distinctHeaders(head[at]!.map((h) => h.trim()));
  return { sheet, header, above: at + 1, first: head.slice(at + 1), rest: rows };
}

function chooseSheet(sheets: string[], choice: string): string {
  const found = sheets.find((s) => s === choice) ?? sheets.find((s) => s.toLowerCase() === choice.toLowerCase()) ?? (/^\d+$/.test(choice) ? sheets[Number(choice) - 1] : undefined);
  if (!found) throw new LeadflowError('SHEET_NOT_FOUND', `no sheet "${choice}"; the workbook has ${sheets.map((s) => `"${s}"`).join(', ')}`, false);
  return found;
}

/** A sheet's data rows again, from the start of its sheet part: those above the data skipped. */
async function* dataRows(workbook: Workbook, sheet: string, above: number): AsyncGenerator<string[]> {
  let skipped = 0;
  for await (const row of workbook.rows(sheet)) {
    if (skipped < above) skipped++;
    else yield row;
  }
}

/**
 * The records (header first) of one sheet, of the first sheet with a table, or (`*`) of every
 * sheet with a table: then the header is every column name of every sheet, the first sheet's
 * order first, and each sheet's rows are placed under it by column name. Only the headers of
 * the sheets are kept while the header is made; each sheet is then read again from its start
 * (the rows looked at for its header, at most 60 a sheet, would add up over many sheets).
 */
async function* workbookRecords(workbook: Workbook, choice: string | undefined, maxColumns: number): AsyncGenerator<string[]> {
  if (choice !== '*') {
    const sheets = choice ? [chooseSheet(workbook.sheets, choice)] : workbook.sheets;
    for (const sheet of sheets) {
      const table = await tableOf(workbook, sheet);
      if (!table) continue;
      // A sheet leaves out the empty cells at the end of a row: they are empty, not missing.
      const width = table.header.length;
      const padded = (row: string[]) => (row.length < width ? [...row, ...Array<string>(width - row.length).fill('')] : row);
      yield table.header;
      for (const row of table.first) yield padded(row);
      for await (const row of table.rest) yield padded(row);
      return;
    }
    throw new LeadflowError('FILE_EMPTY', choice ? `sheet "${sheets[0]}" has no table (a header row and data rows)` : 'no sheet of the workbook has a table (a header row and data rows)', false);
  }
  const tables: Omit<Table, 'first' | 'rest'>[] = [];
  const header: string[] = [];
  const place = new Map<string, number>();
  for (const sheet of workbook.sheets) {
    const table = await tableOf(workbook, sheet);
    if (!table) continue;
    await table.rest.return(undefined);
    tables.push({ sheet, header: table.header, above: table.above });
    for (const h of table.header) {
      if (place.has(h)) continue;
      if (header.length === maxColumns) throw new LeadflowError('TOO_MANY_COLUMNS', `the sheets have more than ${maxColumns} column names together`, false);
      place.set(h, header.length);
      header.push(h);
    }
  }
  if (tables.length === 0) throw new LeadflowError('FILE_EMPTY', 'no sheet of the workbook has a table (a header row and data rows)', false);
  yield header;
  for (const t of tables) {
    const at = t.header.map((h) => place.get(h)!);
    for await (const row of dataRows(workbook, t.sheet, t.above)) {
      const out = header.map(() => '');
      row.forEach((cell, i) => {
        if (at[i] !== undefined) out[at[i]!] = cell;
      });
      yield out;
    }
  }
}

/**
 * An uploaded workbook's records, header first. A ZIP can only be read from its directory at
 * the end, so the upload is written to a temporary file (disk, not memory, bounded by
 * `maxBytes`), read sheet by sheet as it inflates, and removed.
 */
export async function* xlsxRecords(
  source: AsyncIterable<Uint8Array>,
  opts: WorkbookLimits & { sheet?: string | (() => string | undefined) },
): AsyncGenerator<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'leadflow-xlsx-'));
  const path = join(dir, 'upload.xlsx');
  try {
    const out = createWriteStream(path);
    let size = 0;
    try {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > opts.maxBytes) throw new LeadflowError('FILE_TOO_LARGE', `the workbook is larger than ${opts.maxBytes} bytes`, false);
        if (!out.write(chunk)) await once(out, 'drain');
      }
    } finally {
      out.end();
      await once(out, 'close');
    }
    const workbook = await openWorkbook(path, opts);
    try {
      yield* workbookRecords(workbook, typeof opts.sheet === 'function' ? opts.sheet() : opts.sheet, opts.maxColumns);
    } finally {
      await workbook.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
