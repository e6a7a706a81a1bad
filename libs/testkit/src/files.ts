import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

export function tempDir(prefix = 'leadflow-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A CSV file with a header row as one object per row. */
export function readCsvFile(path: string): Record<string, string>[] {
  return parse(readFileSync(path), { columns: true, bom: true }) as Record<string, string>[];
}

/** A CSV text as rows of cells, header first: unlike readCsvFile, a repeated column name shows. */
export function csvRows(text: string): string[][] {
  return parse(text, { bom: true }) as string[][];
}

/** A CSV text's rows by column name, like readCsvFile; throws when a column name repeats, which objects by name would hide. */
export function csvRowsByName(text: string): Record<string, string>[] {
  const [header = [], ...rows] = csvRows(text);
  if (new Set(header).size !== header.length) throw new Error(`a column name repeats in the header: ${header.join(',')}`);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}
