import { craftZip, inlineRow, sheetXml, workbookParts } from './crafted-zip.js';

/**
 * A CSV whose header names `Note` three times and leaves one column unnamed: every value must
 * come out, under `Note`, `Note (2)`, `column 5` and `Note (3)`. Row 2 has no contact (rejected).
 */
export const REPEATED_HEADER_CSV = [
  'Email,Note,Phone,Note,,Note',
  'ann@x.com,first,2015550123,second,third,fourth',
  ',only a note,,again,,',
  'bob@y.com,b1,,b2,b3,b4',
].join('\n');

/** A workbook of a few hundred bytes whose cell reference (`ZZZZZZZ3`) lies far outside any worksheet: it once ended the process. */
export function farCellWorkbook(): Buffer {
  const rows = `${inlineRow(['email'])}<row><c r="A2" t="inlineStr"><is><t>a@x.com</t></is></c><c r="ZZZZZZZ3"><v>1</v></c></row>`;
  return craftZip(workbookParts([['Leads', { data: sheetXml(rows) }]]));
}
