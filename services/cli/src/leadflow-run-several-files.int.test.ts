import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { readCsvFile, runNode, tempDir, twoFiles } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

async function leadflow(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  // A hang detector, not a speed limit.
  const res = await runNode(BIN, args, { env: { ...env, LOG_LEVEL: '' }, timeoutMs: 600_000 });
  return { ...res, code: res.code ?? -1 };
}

/** `leadflow run A B ...`: several files, one job (docs/several-files.md). */
describe('leadflow run with several files', () => {
  const dir = tempDir('leadflow-run-files-');
  const env = { LEADFLOW_DATA_DIR: join(dir, 'db') };

  it('makes one job of a CSV and a workbook with other headers: rows numbered per file, a file column, a duplicate across files', async () => {
    const files = twoFiles('cli');
    writeFileSync(join(dir, 'A.csv'), files.a);
    // B as a workbook: the same rows as twoFiles' B, in Excel.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Leads');
    for (const line of files.b.trimEnd().split('\n')) ws.addRow(line.split(','));
    await wb.xlsx.writeFile(join(dir, 'B.xlsx'));
    const out = join(dir, 'out');

    const res = await leadflow(['run', join(dir, 'A.csv'), join(dir, 'B.xlsx'), '--supplier', 'Several Files Co', '--out', out], env);
    expect([res.code, res.stderr]).toEqual([0, '']);
    expect(res.stdout).toContain('6 rows: 3 accepted, 2 invalid, 1 duplicate, 0 suppressed');

    const leads = readCsvFile(join(out, 'leads.csv'));
    expect(leads.map((l) => [l.row, l.file, l.email, l.first_name, l.last_name, l.notes])).toEqual([
      ['1', 'A.csv', files.ada, 'Ada', 'Lovelace', ''],
      ['2', 'A.csv', files.alan, 'Alan', 'Turing', ''],
      ['1', 'B.xlsx', files.grace, 'Grace', 'Hopper', 'first'],
    ]);
    const duplicates = readCsvFile(join(out, 'duplicates.csv'));
    expect(duplicates.map((d) => [d.row, d.file, d.matched_row, d.matched_file, d.match_type])).toEqual([['2', 'B.xlsx', '1', 'A.csv', 'exact_email']]);
    const rejected = readCsvFile(join(out, 'rejected.csv'));
    expect(rejected.map((r) => [r.row, r.file, r.reason, r['First Name'], r.email_address, r.notes])).toEqual([
      ['3', 'A.csv', 'NO_CONTACT', 'No', '', ''],
      ['3', 'B.xlsx', 'NO_CONTACT', '', '', 'nothing'],
    ]);
    expect(readFileSync(join(out, 'suppressed.csv'), 'utf8').split('\r\n')[0]).toMatch(/^row,file,reason,/);

    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ rows: 6, accepted: 3, invalid: 2, duplicate: 1, status: 'completed' });
    expect(summary.files.map((f: { name: string; rows: number }) => [f.name, f.rows])).toEqual([['A.csv', 3], ['B.xlsx', 3]]);
    // Each file's header mapped on its own.
    expect(summary.files[0].mapping['E-mail'].field).toBe('email');
    expect(summary.files[1].mapping.email_address.field).toBe('email');

    // The same files again: a new job whose every lead is a duplicate of one stored; nothing is stored twice.
    const again = await leadflow(['run', join(dir, 'A.csv'), join(dir, 'B.xlsx'), '--out', join(dir, 'again')], env);
    expect(again.code).toBe(0);
    const second = JSON.parse(readFileSync(join(dir, 'again', 'summary.json'), 'utf8'));
    expect(second).toMatchObject({ rows: 6, accepted: 0, invalid: 2, duplicate: 4 });
    const stored = readCsvFile(join(dir, 'again', 'duplicates.csv'));
    expect(stored.map((d) => [d.row, d.file])).toEqual([['1', 'A.csv'], ['2', 'A.csv'], ['1', 'B.xlsx'], ['2', 'B.xlsx']]);
    expect(stored.slice(0, 3).every((d) => d.matched_lead_id !== '')).toBe(true);
  });

  it('gives the outputs of one file a file column with its name', async () => {
    writeFileSync(join(dir, 'one.csv'), 'email\nonly.one@several-files.example\n');
    const res = await leadflow(['run', join(dir, 'one.csv'), '--out', join(dir, 'out-one')], env);
    expect(res.code).toBe(0);
    expect(readCsvFile(join(dir, 'out-one', 'leads.csv')).map((l) => [l.row, l.file, l.email])).toEqual([['1', 'one.csv', 'only.one@several-files.example']]);
    expect(JSON.parse(readFileSync(join(dir, 'out-one', 'summary.json'), 'utf8')).files).toBeUndefined();
  });

  it('refuses, before any work, a second file that does not exist', async () => {
    const res = await leadflow(['run', join(dir, 'A.csv'), join(dir, 'missing.csv'), '--out', join(dir, 'out-missing')], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`no such file: ${join(dir, 'missing.csv')}`);
  });
});
