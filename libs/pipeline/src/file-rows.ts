// Several files, one job (docs/several-files.md). A job's row numbers stay unique in the job, as
// every stage keys its effects by job id and row number (lead ids, claims, tables), and carry
// the file: row_number = file index * 2^26 + the row's number within its file. The first file's
// rows keep the numbers a job of one file always had (the same lead ids when it is run again).
// 2^26 (67,108,864) is above INGEST_MAX_ROWS' default (50,000,000), which counts rows per upload;
// 32 files fit the 31 bits of the tables' integer row_number.

const FILE_SPAN = 2 ** 26;

/** Files one upload may hold. */
export const MAX_FILES = 32;
/** Data rows a file after the first may hold (its number within the file must fit the span). */
export const MAX_FILE_ROWS = FILE_SPAN - 1;

/** The job's row number of row `row` (1-based) of file `fileIndex` (0-based). */
export const jobRowNumber = (fileIndex: number, row: number): number => fileIndex * FILE_SPAN + row;

/** Which file a job's row number is of, and its number within that file. */
export function fileRowOf(rowNumber: number): { fileIndex: number; row: number } {
  return { fileIndex: Math.floor(rowNumber / FILE_SPAN), row: rowNumber % FILE_SPAN };
}

/**
 * The name the `file` column shows for a file named `name` that follows files labelled `earlier`:
 * the name as uploaded, made distinct where an earlier file of the upload has it (`leads.csv`,
 * `leads.csv (2)`), as repeated headers are. A file's label depends only on the files before it,
 * so it is known when the file begins.
 */
export function nextFileLabel(earlier: readonly string[], name: string): string {
  if (!earlier.includes(name)) return name;
  let n = 2;
  while (earlier.includes(`${name} (${n})`)) n++;
  return `${name} (${n})`;
}

/** The labels of files named `names`, in upload order (nextFileLabel). */
export function fileLabels(names: readonly string[]): string[] {
  const labels: string[] = [];
  for (const name of names) labels.push(nextFileLabel(labels, name));
  return labels;
}
