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
