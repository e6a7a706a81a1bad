import type { RawRow } from '@leadflow/proto';
import { arrayTexts, ndjsonTexts } from './json-texts.js';
import { RecordColumns, type StreamRow } from './record-columns.js';

export interface StreamRows extends AsyncIterable<StreamRow> {
  /**
   * The header as it stands, for a batch of `rows`: each row's cells are filled out to it, so a
   * key that appeared after a row was read is an empty cell of that row, not a ragged row.
   */
  header(rows: RawRow[]): string[];
}

/** The rows of a stream of JSON records: NDJSON, or the elements of one array. */
export function streamRows(
  text: AsyncIterable<string>,
  format: 'ndjson' | 'json',
  limits: { maxColumns: number; maxRecordChars: number },
): StreamRows {
  const columns = new RecordColumns(limits);
  const texts = format === 'ndjson' ? ndjsonTexts(text, limits.maxRecordChars) : arrayTexts(text, limits.maxRecordChars);
  return {
    async *[Symbol.asyncIterator]() {
      for await (const record of texts) yield columns.read(record);
    },
    header(rows) {
      const width = columns.header.length;
      for (const row of rows) {
        // A refused record has no cells: it stays so (its reasons say why).
        if (row.cells.length > 0) while (row.cells.length < width) row.cells.push('');
      }
      return [...columns.header];
    },
  };
}
