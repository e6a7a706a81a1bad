import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countCsvRecords } from './csv-records.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('counting the records of an output file', () => {
  it('counts line breaks inside quoted fields as part of their record, and a cut last record as one', async () => {
    const path = join(dir, 'leads.csv');
    writeFileSync(path, 'row,notes\r\n1,"call\nback, ""soon"""\r\n2,plain\r\n3,"cut off mid\nfield');
    expect(await countCsvRecords(path)).toBe(4);
    expect(await countCsvRecords(join(dir, 'missing.csv'))).toBe(0);
  });
});
