import { int, type ConfigOf } from '@leadflow/config';

/** The limits a deployment sets on what one upload may hold (docs/architecture.md section 6: read at start-up). */
export const limitsSchema = {
  maxRows: ['INGEST_MAX_ROWS', int({ min: 1, default: 50_000_000, description: 'most data rows in one file' })],
  maxColumns: ['INGEST_MAX_COLUMNS', int({ min: 1, default: 1000, description: 'most columns in one file' })],
  maxRecordChars: ['INGEST_MAX_RECORD_CHARS', int({ min: 1024, default: 1024 * 1024, description: 'longest row, in characters' })],
  maxBytes: ['INGEST_MAX_BYTES', int({ min: 1024, default: 4 * 1024 ** 3, description: 'largest file once decompressed, in bytes' })],
  maxSharedStringsBytes: [
    'INGEST_MAX_SHARED_STRINGS_BYTES',
    // Uint32 offsets index the table (shared-strings.ts): it stays under 4 GiB.
    int({ min: 1024, max: 2 * 1024 ** 3, default: 256 * 1024 ** 2, description: "most memory a workbook's shared strings may take, in bytes" }),
  ],
} as const;

export type ReadLimits = ConfigOf<typeof limitsSchema>;

/** The read limits out of a loaded config that includes `limitsSchema`. */
export function limitsFromConfig(config: ReadLimits): ReadLimits {
  const { maxRows, maxColumns, maxRecordChars, maxBytes, maxSharedStringsBytes } = config;
  return { maxRows, maxColumns, maxRecordChars, maxBytes, maxSharedStringsBytes };
}
