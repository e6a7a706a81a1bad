import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { LeadflowError } from '@leadflow/pipeline';
import { distinctHeaders } from '../distinct-headers.js';
import { openWorkbook, type Workbook } from './xlsx-reader.js';

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
  return { sheet, header: distinctHeaders(head[at]!.map((h) => h.trim())), first: head.slice(at + 1), rest: rows };
}

function chooseSheet(sheets: string[], choice: string): string {
  const found = sheets.find((s) => s === choice) ?? sheets.find((s) => s.toLowerCase() === choice.toLowerCase()) ?? (/^\d+$/.test(choice) ? sheets[Number(choice) - 1] : undefined);
  if (!found) throw new LeadflowError('SHEET_NOT_FOUND', `no sheet "${choice}"; the workbook has ${sheets.map((s) => `"${s}"`).join(', ')}`, false);
  return found;
}

/**
 * The records (header first) of one sheet, of the first sheet with a table, or (`*`) of every
 * sheet with a table: then the header is every column name of every sheet, the first sheet's
 * order first, and each sheet's rows are placed under it by column name.
 */
async function* workbookRecords(workbook: Workbook, choice: string | undefined): AsyncGenerator<string[]> {
  if (choice && choice !== '*') {
    const table = await tableOf(workbook, chooseSheet(workbook.sheets, choice));
    if (!table) throw new LeadflowError('FILE_EMPTY', `sheet "${chooseSheet(workbook.sheets, choice)}" has no table (a header row and data rows)`, false);
    yield table.header;
    yield* table.first;
    yield* table.rest;
    return;
  }
  const tables: Table[] = [];
  for (const sheet of workbook.sheets) {
    const table = await tableOf(workbook, sheet);
    if (!table) continue;
    tables.push(table);
    if (choice !== '*') break;
  }
  if (tables.length === 0) throw new LeadflowError('FILE_EMPTY', 'no sheet of the workbook has a table (a header row and data rows)', false);
  const header: string[] = [];
  for (const t of tables) for (const h of t.header) if (h !== '' && !header.includes(h)) header.push(h);
  yield header;
  for (const t of tables) {
    const place = t.header.map((h) => header.indexOf(h));
    const align = (row: string[]) => {
      const out = header.map(() => '');
      row.forEach((cell, i) => {
        if (place[i] !== undefined && place[i]! >= 0) out[place[i]!] = cell;
      });
      return out;
    };
    for (const row of t.first) yield align(row);
    for await (const row of t.rest) yield align(row);
  }
}

/**
 * An uploaded workbook's records, header first. A ZIP can only be read from its directory at
 * the end, so the upload is written to a temporary file (disk, not memory, bounded by
 * `maxBytes`), read sheet by sheet as it inflates, and removed.
 */
export async function* xlsxRecords(
  source: AsyncIterable<Uint8Array>,
  opts: { sheet?: string | (() => string | undefined); maxBytes: number },
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
    const workbook = await openWorkbook(path, opts.maxBytes);
    try {
      yield* workbookRecords(workbook, typeof opts.sheet === 'function' ? opts.sheet() : opts.sheet);
    } finally {
      await workbook.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
