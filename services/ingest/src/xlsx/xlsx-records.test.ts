import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { RowBatch } from '@leadflow/proto';
import { readRows } from '../read-rows.js';

const job = { jobId: 'j1', tenantId: 't', supplier: 's', webhookUrl: '', fileName: 'f.xlsx', sheet: '', review: false };

async function workbook(build: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function read(bytes: Buffer, opts: { sheet?: string; maxBytes?: number } = {}, chunk = 7_000): Promise<RowBatch[]> {
  async function* source() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const out: RowBatch[] = [];
  for await (const b of readRows(source(), { job, batchSize: 100, ...opts })) out.push(b);
  return out;
}

const rowsOf = (batches: RowBatch[]) => batches.flatMap((b) => b.rows.map((r) => r.cells));

describe('reading Excel workbooks', () => {
  it('reads the first sheet with data: shared strings, numbers, booleans, dates, title rows above the header', async () => {
    const bytes = await workbook((wb) => {
      wb.addWorksheet('Empty');
      const ws = wb.addWorksheet('Leads');
      ws.addRow(['Lead export — March']);
      ws.addRow([]);
      ws.addRow(['Name', 'Email', 'Phone', 'Zip', 'Opted in', 'Signed up']);
      ws.addRow(['Zoë Brontë', 'zoe@x.com', 12015550123, 2134, true, new Date(Date.UTC(2026, 2, 1))]);
      ws.getCell('F4').numFmt = 'yyyy-mm-dd';
      ws.addRow(['Ann', 'ann@x.com', '+1 212 555 0199', '02134', false, null]);
    });
    const batches = await read(bytes);
    expect(batches.at(-1)!.failure).toBeUndefined();
    expect(batches[0]!.header).toEqual(['Name', 'Email', 'Phone', 'Zip', 'Opted in', 'Signed up']);
    expect(rowsOf(batches)).toEqual([
      ['Zoë Brontë', 'zoe@x.com', '12015550123', '2134', 'TRUE', '2026-03-01'],
      ['Ann', 'ann@x.com', '+1 212 555 0199', '02134', 'FALSE', ''],
    ]);
    expect(batches.at(-1)!.totalRows).toBe(2);
  });

  it('reads a chosen sheet by name or position, or every sheet with "*"', async () => {
    const bytes = await workbook((wb) => {
      for (const [name, first] of [['East', 'a'], ['West', 'b']] as const) {
        const ws = wb.addWorksheet(name);
        ws.addRow(['email']);
        ws.addRow([`${first}1@x.com`]);
        ws.addRow([`${first}2@x.com`]);
      }
    });
    expect(rowsOf(await read(bytes, { sheet: 'West' }))).toEqual([['b1@x.com'], ['b2@x.com']]);
    expect(rowsOf(await read(bytes, { sheet: '1' }))).toEqual([['a1@x.com'], ['a2@x.com']]);
    expect(rowsOf(await read(bytes, { sheet: '*' }))).toEqual([['a1@x.com'], ['a2@x.com'], ['b1@x.com'], ['b2@x.com']]);
  });

  it('reads every sheet under one header, placing each sheet\'s columns by name', async () => {
    const bytes = await workbook((wb) => {
      wb.addWorksheet('Cover').addRow(['Prepared for Acme']);
      const a = wb.addWorksheet('A');
      a.addRow(['email', 'name']);
      a.addRow(['a@x.com', 'Ann']);
      const b = wb.addWorksheet('B');
      b.addRow(['phone', 'email']);
      b.addRow(['2015550123', 'b@x.com']);
    });
    const batches = await read(bytes, { sheet: '*' });
    expect(batches[0]!.header).toEqual(['email', 'name', 'phone']);
    expect(rowsOf(batches)).toEqual([
      ['a@x.com', 'Ann', ''],
      ['b@x.com', '', '2015550123'],
    ]);
    const missing = await read(bytes, { sheet: 'North' });
    expect(missing.at(-1)!.failure).toEqual({
      code: 'SHEET_NOT_FOUND',
      message: 'the workbook has no sheet by that name: name one of its sheets, or * for all (no sheet "North"; the workbook has "Cover", "A", "B")',
    });
  });

  it('keeps every column of a repeated header, one sheet or all, and pads rows to the header', async () => {
    const bytes = await workbook((wb) => {
      const a = wb.addWorksheet('A');
      a.addRow(['note', 'email', 'note']);
      a.addRow(['first', 'a@x.com', 'second']);
      a.addRow(['only', 'c@x.com']);
      const b = wb.addWorksheet('B');
      b.addRow(['email', 'note']);
      b.addRow(['b@x.com', 'third']);
    });
    const one = await read(bytes, { sheet: 'A' });
    expect(one[0]!.header).toEqual(['note', 'email', 'note (2)']);
    expect(rowsOf(one)).toEqual([['first', 'a@x.com', 'second'], ['only', 'c@x.com', '']]);
    const all = await read(bytes, { sheet: '*' });
    expect(all[0]!.header).toEqual(['note', 'email', 'note (2)']);
    expect(rowsOf(all)).toEqual([['first', 'a@x.com', 'second'], ['only', 'c@x.com', ''], ['third', 'b@x.com', '']]);
  });

  it('streams a large sheet in batches', async () => {
    const bytes = await workbook((wb) => {
      const ws = wb.addWorksheet('Big');
      ws.addRow(['email', 'n']);
      for (let i = 1; i <= 5000; i++) ws.addRow([`user${i}@x.com`, i]);
    });
    const batches = await read(bytes);
    expect(batches).toHaveLength(51);
    expect(batches.at(-1)).toMatchObject({ last: true, totalRows: 5000 });
    expect(batches[49]!.rows.at(-1)).toEqual({ rowNumber: 5000, cells: ['user5000@x.com', '5000'] });
  });

  it('refuses a zip bomb without inflating it, and names a ZIP that is not a workbook', async () => {
    const bytes = await workbook((wb) => {
      const ws = wb.addWorksheet('S');
      ws.addRow(['email']);
      for (let i = 0; i < 2000; i++) ws.addRow(['same@x.com']);
    });
    const bomb = await read(bytes, { maxBytes: 20_000 });
    expect(bomb.at(-1)!.failure?.code).toBe('FILE_TOO_LARGE');

    const zip = storedZip('notes.txt', Buffer.from('hello'));
    const notWorkbook = await read(zip);
    expect(notWorkbook.at(-1)!.failure?.message).toMatch(/ZIP archive, but not an Excel workbook/);
  });
});

/** A one-file ZIP archive, deflated, built by hand. */
function storedZip(name: string, data: Buffer): Buffer {
  const deflated = deflateRawSync(data);
  const nameBytes = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(deflated.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(deflated.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE(0, 42);
  const dirOffset = 30 + nameBytes.length + deflated.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + nameBytes.length, 12);
  end.writeUInt32LE(dirOffset, 16);
  return Buffer.concat([local, nameBytes, deflated, central, nameBytes, end]);
}
