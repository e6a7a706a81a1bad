import { describe, expect, it } from 'vitest';
import { fileLabels, fileRowOf, jobRowNumber, MAX_FILE_ROWS, MAX_FILES, nextFileLabel } from './file-rows.js';
import { outputCells, OUTPUT_LAYOUTS } from './output-layouts.js';

describe('several files, one job: row numbers and file names', () => {
  it('keeps the first file\'s numbers and gives every other file\'s rows numbers of their own, within the table\'s integer', () => {
    expect(jobRowNumber(0, 7)).toBe(7);
    expect(fileRowOf(jobRowNumber(3, 42))).toEqual({ fileIndex: 3, row: 42 });
    expect(fileRowOf(jobRowNumber(MAX_FILES - 1, MAX_FILE_ROWS))).toEqual({ fileIndex: MAX_FILES - 1, row: MAX_FILE_ROWS });
    expect(jobRowNumber(MAX_FILES - 1, MAX_FILE_ROWS)).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it('names each file as uploaded, numbering a name an earlier file had', () => {
    expect(fileLabels(['a.csv', 'b.csv', 'a.csv', 'a.csv (2)', 'a.csv'])).toEqual(['a.csv', 'b.csv', 'a.csv (2)', 'a.csv (2) (2)', 'a.csv (3)']);
    expect(nextFileLabel(['x.csv'], 'y.csv')).toBe('y.csv');
  });

  it('shows the file beside the row in every output, a rejected row\'s cells under its own file\'s header', () => {
    const columns = {
      header: ['E-mail', 'Name', 'email_address', 'notes'],
      extra: ['notes'],
      files: [{ name: 'A.csv', header: ['E-mail', 'Name'] }, { name: 'B.csv', header: ['email_address', 'Name', 'notes'] }],
    };
    expect(OUTPUT_LAYOUTS.rejected.header(columns)).toEqual(['row', 'file', 'reason', 'detail', 'E-mail', 'Name', 'email_address', 'notes']);
    expect(outputCells(columns, 'rejected', { row: 2, reasons: [{ code: 'NO_CONTACT' }], cells: ['x', 'Ann'] }).slice(0, 2)).toEqual([2, 'A.csv']);
    expect(outputCells(columns, 'rejected', { row: jobRowNumber(1, 3), reasons: [], cells: ['bad@', 'Bo', 'hi', 'beyond'] })).toEqual([
      3, 'B.csv', '', '', '', 'Bo', 'bad@', 'hi', 'beyond',
    ]);
    const duplicate = outputCells(columns, 'duplicates', {
      row: jobRowNumber(1, 2), matchedRow: 1, matchedLeadId: null, matchType: 'exact_email', score: 1, reasons: [], fields: {},
    });
    expect(duplicate.slice(0, 5)).toEqual([2, 'B.csv', 1, 'A.csv', '']);
  });
});
