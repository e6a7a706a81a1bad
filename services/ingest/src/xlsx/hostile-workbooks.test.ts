import { craftZip, farCellWorkbook, inlineRow, repeatDeflated, repeatTo, sheetXml, workbookParts, type ZipPart } from '@leadflow/testkit';
import { describe, expect, it } from 'vitest';
import type { RowBatch } from '@leadflow/proto';
import { readRows, type ReadRowsOptions } from '../read-rows.js';

const job = { jobId: 'j1', tenantId: 't', supplier: 's', webhookUrl: '', fileName: 'f.xlsx', sheet: '', review: false };

async function read(bytes: Buffer, opts: Partial<ReadRowsOptions> = {}): Promise<RowBatch[]> {
  async function* source() {
    for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024);
  }
  const out: RowBatch[] = [];
  for await (const b of readRows(source(), { job, batchSize: 100, ...opts })) out.push(b);
  return out;
}

const failureOf = async (bytes: Buffer, opts: Partial<ReadRowsOptions> = {}) => (await read(bytes, opts)).at(-1)!.failure;
const rowsOf = (batches: RowBatch[]) => batches.flatMap((b) => b.rows.map((r) => r.cells));
const oneSheet = (rows: string, part: Omit<ZipPart, 'name'> = {}) => craftZip(workbookParts([['Leads', { data: sheetXml(rows), ...part }]]));
const cell = (ref: string, value: string) => `<c r="${ref}" t="inlineStr"><is><t>${value}</t></is></c>`;
const GiB = 1024 ** 3;

describe('workbooks built to bring a reader down', () => {
  it('refuses a cell reference outside the worksheet (r="ZZZZZZZ3", a workbook under 2 KB) without widening a row to it', async () => {
    const bytes = farCellWorkbook();
    expect(bytes.length).toBeLessThan(2000);
    expect(await failureOf(bytes)).toEqual({
      code: 'FILE_CORRUPT',
      message: 'the file is damaged: send it again (sheet "Leads" has a cell reference "ZZZZZZZ3" outside any worksheet (columns A to XFD, rows 1 to 1048576))',
    });
    for (const ref of ['A0', '3', 'A1048577', 'XFE1', 'a1']) {
      expect((await failureOf(oneSheet(`<row>${cell(ref, 'x')}</row>`)))?.code, ref).toBe('FILE_CORRUPT');
    }
  });

  it('fails a cell past the column limit with TOO_MANY_COLUMNS, and reads one within it', async () => {
    const far = oneSheet(`<row>${cell('A1', 'email')}${cell('XFD1', 'note')}</row><row>${cell('A2', 'a@x.com')}</row>`);
    expect(await failureOf(far)).toEqual({
      code: 'TOO_MANY_COLUMNS',
      message: 'the file has more columns than the limit: check its separator, or remove columns (sheet "Leads" has a cell in column 16384, the limit is 1000)',
    });
    const near = await read(oneSheet(`<row>${cell('A1', 'email')}${cell('C1', 'note')}</row><row>${cell('A2', 'a@x.com')}${cell('C2', 'n')}</row>`));
    expect(near[0]!.header).toEqual(['email', 'column 2', 'note']);
    expect(rowsOf(near)).toEqual([['a@x.com', '', 'n']]);
  });

  it('stops a shared-strings table that expands without end at its memory limit (a 1 MB file, 197 MB of XML)', async () => {
    const strings = repeatDeflated('<sst>', repeatTo('<si><t>abcdefghijklmnopqrstuvwxyz0123456789</t></si>', 32 * 1024), 6_000, '</sst>');
    const bytes = craftZip(
      workbookParts([['Leads', { data: sheetXml('<row><c t="s"><v>0</v></c></row><row><c t="s"><v>1</v></c></row>') }]], {
        deflated: strings,
      }),
    );
    expect(bytes.length).toBeLessThan(1024 * 1024);
    expect(strings.size).toBeGreaterThan(190_000_000);
    const started = Date.now();
    expect(await failureOf(bytes, { maxSharedStringsBytes: 8 * 1024 * 1024 })).toEqual({
      code: 'FILE_TOO_LARGE',
      message:
        "the file is larger than the limit: split it into smaller files (the workbook's shared strings take more than 8388608 bytes: save the sheet as CSV, or split the workbook)",
    });
    // 8 MiB of strings is about 10 MB of XML of the 200 MB: the rest is never inflated.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('fails a 3 GiB cell (a 5 MB file) as ROW_TOO_LONG at the row limit, inflating only that far', async () => {
    const sheet = repeatDeflated(sheetXml(inlineRow(['email'])).replace('</sheetData></worksheet>', '<row><c t="inlineStr"><is><t>'), repeatTo('a', 32 * 1024), 3 * 32 * 1024, '</t></is></c></row></sheetData></worksheet>');
    expect(sheet.size).toBeGreaterThan(3 * GiB);
    const bytes = craftZip(workbookParts([['Leads', { deflated: sheet }]]));
    expect(await failureOf(bytes)).toEqual({
      code: 'ROW_TOO_LONG',
      message: 'a row is longer than the limit: check for a quote that is never closed, or shorten its longest cells (sheet "Leads" holds a text of more than 1048576 characters)',
    });
  });

  it('fails a row whose cells add up past the row limit, shared strings counted', async () => {
    const long = 'x'.repeat(600);
    const strings = { data: `<sst><si><t>email</t></si><si><t>${long}</t></si></sst>` };
    const cells = (n: number) => Array.from({ length: n }, () => '<c t="s"><v>1</v></c>').join('');
    const header = inlineRow(['a', 'b', 'c', 'd']);
    const bytes = craftZip(workbookParts([['Leads', { data: sheetXml(`${header}<row>${cells(3)}</row>`) }]], strings));
    expect((await failureOf(bytes, { maxRecordChars: 2000 }))?.code).toBeUndefined();
    const wide = craftZip(workbookParts([['Leads', { data: sheetXml(`${header}<row>${cells(4)}</row>`) }]], strings));
    expect(await failureOf(wide, { maxRecordChars: 2000 })).toMatchObject({ code: 'ROW_TOO_LONG', message: expect.stringContaining('row 2 of sheet "Leads" is longer than 2000 characters') });
  });

  it('refuses a sheet declaring more than the limit (or a ZIP64 size) before inflating it', async () => {
    const sheet = { data: sheetXml(inlineRow(['email']) + inlineRow(['a@x.com'])) };
    expect(await failureOf(craftZip(workbookParts([['Leads', { ...sheet, declaredSize: 0xffffffff }]])))).toMatchObject({
      code: 'FILE_TOO_LARGE',
      message: expect.stringContaining('the workbook uses ZIP64'),
    });
    expect(await failureOf(craftZip(workbookParts([['Leads', { ...sheet, declaredSize: 3 * GiB }]])), { maxBytes: 2 * GiB })).toMatchObject({
      code: 'FILE_TOO_LARGE',
      message: expect.stringContaining("the workbook's parts inflate to more than 2147483648 bytes"),
    });
  });

  it('fails a part that inflates past the size it declares as damaged', async () => {
    const bytes = oneSheet(inlineRow(['email']) + inlineRow(['a@x.com']), { declaredSize: 100 });
    expect(await failureOf(bytes)).toMatchObject({ code: 'FILE_CORRUPT', message: expect.stringContaining('inflates past the 100 bytes it declares') });
  });

  it('counts every part against one budget: many sheets sharing one part, or entries overlapping one compressed body', async () => {
    const rows = inlineRow(['email', 'n']) + Array.from({ length: 2000 }, (_, i) => inlineRow([`a${i}@x.com`, String(i)])).join('');
    const sheets: [string, Omit<ZipPart, 'name'> | string][] = [['S1', { data: sheetXml(rows) }]];
    for (let i = 2; i <= 200; i++) sheets.push([`S${i}`, 'S1']);
    const shared = craftZip(workbookParts(sheets));
    const size = Buffer.byteLength(sheetXml(rows));
    expect((await read(shared, { sheet: 'S7', maxBytes: 20 * size })).at(-1)).toMatchObject({ totalRows: 2000, failure: undefined });
    expect(await failureOf(shared, { sheet: '*', maxBytes: 20 * size })).toMatchObject({ code: 'FILE_TOO_LARGE' });

    const parts = workbookParts([['S1', { data: sheetXml(rows) }], ['S2', { data: '' }]]);
    const overlapping = craftZip(parts.map((p) => (p.name.endsWith('sheet2.xml') ? { name: p.name, sameDataAs: 'xl/worksheets/sheet1.xml' } : p)));
    expect(rowsOf(await read(overlapping, { sheet: 'S2' }))).toHaveLength(2000);
    expect(await failureOf(overlapping, { sheet: '*', maxBytes: Math.floor(1.5 * size) })).toMatchObject({ code: 'FILE_TOO_LARGE' });
  });

  it('refuses XML that would make the parser hold too much: a huge comment, a long tag, deep nesting, a DOCTYPE', async () => {
    const header = inlineRow(['email']) + inlineRow(['a@x.com']);
    const cases: [string, string, RegExp][] = [
      ['comment', `<!--${'<>'.repeat(600_000)}-->`, /holds a tag or comment of more than 1048576 characters/],
      ['tag', `<row spans="${'1'.repeat(1_100_000)}"/>`, /holds a tag or comment of more than 1048576 characters/],
      ['nesting', '<x>'.repeat(100) + '</x>'.repeat(100), /nests elements more than 64 deep/],
    ];
    for (const [what, xml, message] of cases) {
      const failure = await failureOf(oneSheet(header + xml));
      expect(failure?.code, what).toBe('FILE_CORRUPT');
      expect(failure?.message, what).toMatch(message);
    }
    const doctype = craftZip(workbookParts([['Leads', { data: `<!DOCTYPE x [<!ENTITY a "aaaa">]>${sheetXml(header)}` }]]));
    expect(await failureOf(doctype)).toMatchObject({ code: 'FILE_CORRUPT', message: expect.stringContaining('declares a DOCTYPE') });
  });

  it('fails a cell naming a shared string the workbook does not have', async () => {
    const bytes = craftZip(workbookParts([['Leads', { data: sheetXml(inlineRow(['email']) + '<row><c t="s"><v>7</v></c></row>') }]], { data: '<sst><si><t>a</t></si></sst>' }));
    expect(await failureOf(bytes)).toMatchObject({ code: 'FILE_CORRUPT', message: expect.stringContaining('row 2 of sheet "Leads" names shared string "7"; the workbook has 1') });
  });

  it('refuses a workbook listing more sheets than it could be asked to look through', async () => {
    const sheets: [string, Omit<ZipPart, 'name'> | string][] = [['S1', { data: sheetXml('') }]];
    for (let i = 2; i <= 5000; i++) sheets.push([`S${i}`, 'S1']);
    expect(await failureOf(craftZip(workbookParts(sheets)))).toMatchObject({ code: 'FILE_TOO_LARGE', message: expect.stringContaining('more than 4096 sheets') });
  });

  it('reads shared strings without their phonetic guides, and CDATA as text', async () => {
    const strings = { data: '<sst><si><t>name</t></si><si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si></sst>' };
    const rows = '<row><c t="s"><v>0</v></c><c t="inlineStr"><is><t>email</t></is></c></row><row><c t="s"><v>1</v></c><c t="inlineStr"><is><t><![CDATA[a&b@x.com]]></t></is></c></row>';
    expect(rowsOf(await read(craftZip(workbookParts([['Leads', { data: sheetXml(rows) }]], strings))))).toEqual([['東京', 'a&b@x.com']]);
  });
});

describe('the ZIP container of a workbook', () => {
  const sheet = { data: sheetXml(inlineRow(['email']) + inlineRow(['a@x.com'])) };

  it('reads parts whose sizes follow in a data descriptor', async () => {
    const parts = workbookParts([['Leads', sheet]]).map((p) => ({ ...p, flags: 0x8 }));
    expect(rowsOf(await read(craftZip(parts)))).toEqual([['a@x.com']]);
  });

  it('refuses a directory that claims more entries than it holds, or more than fits in 16 MiB', async () => {
    expect(await failureOf(craftZip(workbookParts([['Leads', sheet]]), { count: 9 }))).toMatchObject({ code: 'FILE_CORRUPT', message: expect.stringContaining('damaged ZIP directory entry') });
    expect(await failureOf(craftZip(workbookParts([['Leads', sheet]]), { count: 0xffff }))).toMatchObject({ code: 'FILE_TOO_LARGE', message: expect.stringContaining('ZIP64') });
    const padded = Buffer.concat([Buffer.alloc(17 * 1024 * 1024), craftZip(workbookParts([['Leads', sheet]]))]);
    padded.writeUInt32LE(0x04034b50, 0);
    const end = padded.length - 22;
    padded.writeUInt32LE(17 * 1024 * 1024, end + 12);
    padded.writeUInt32LE(padded.length - 22 - 17 * 1024 * 1024, end + 16);
    expect(await failureOf(padded)).toMatchObject({ code: 'FILE_TOO_LARGE', message: expect.stringContaining('ZIP directory takes 17825792 bytes') });
  });

  it('refuses encrypted parts, and parts whose data would run into the directory', async () => {
    const encrypted = workbookParts([['Leads', { ...sheet, flags: 0x1 }]]);
    expect(await failureOf(craftZip(encrypted))).toMatchObject({ code: 'FILE_CORRUPT', message: expect.stringContaining('is encrypted') });
    const bytes = craftZip(workbookParts([['Leads', sheet]]));
    // The first directory entry's compressed size, made to reach past the data.
    const dirOffset = bytes.readUInt32LE(bytes.length - 22 + 16);
    bytes.writeUInt32LE(bytes.length, dirOffset + 20);
    expect(await failureOf(bytes)).toMatchObject({ code: 'FILE_CORRUPT', message: expect.stringContaining('runs into the directory') });
  });
});
