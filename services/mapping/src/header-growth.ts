import type { RowBatch } from '@leadflow/proto';
import type { AliasTable } from './alias-table.js';
import { foldHeader } from './header-names.js';
import { mapColumns, type ColumnDecision, type MappedField } from './map-columns.js';

/**
 * A job's mapping grown to a batch whose header is longer: a stream of records (NDJSON, a JSON
 * array, PushRecords) adds a column at the end of its header for each key it first meets in a
 * later record, after the mapping was decided on the first batch. The new columns are decided
 * as a header's columns are, from their names and this batch's values, beside the columns
 * already mapped (taken as decided: a second email column is an alternate, or another
 * party's); those keep their fields. A file's header never grows: its mapping comes back as it is.
 */
export function growMapping(
  columns: readonly ColumnDecision[],
  batch: RowBatch,
  opts: { region: string; confirmed: ReadonlyMap<string, MappedField>; aliases?: AliasTable },
): ColumnDecision[] {
  if (batch.header.length <= columns.length) return [...columns];
  const decided = new Map(opts.confirmed);
  for (const c of columns) decided.set(foldHeader(c.header), c.field);
  const values = batch.header.map((_, i) => batch.rows.map((r) => r.cells[i] ?? ''));
  const all = mapColumns(batch.header, values, { region: opts.region, confirmed: decided, aliases: opts.aliases });
  return [...columns, ...all.slice(columns.length)];
}
