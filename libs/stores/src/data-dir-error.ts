/** The embedded database's folder cannot be used; the message says why and what to do. */
export class DataDirError extends Error {
  constructor(
    readonly code: 'DATA_DIR_IN_USE' | 'DATA_DIR_NOT_A_DATABASE' | 'DATA_DIR_UNREADABLE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DataDirError';
  }
}

/**
 * The one line a command stops with when its database cannot go on, saying why and what to do;
 * undefined for any other error.
 */
export function storeFailure(err: unknown): string | undefined {
  if (err instanceof DataDirError) return err.message;
  const e = err as { code?: unknown; message?: unknown; name?: unknown } | null;
  const detail = typeof e?.message === 'string' ? e.message : String(err);
  // PostgreSQL's disk_full, or the file system's.
  if (e?.code === '53100' || e?.code === 'ENOSPC') {
    return `the disk is full (${detail}): free some space, or put LEADFLOW_DATA_DIR and --out on another disk, and run again`;
  }
  // PostgreSQL out of memory, or PGlite's WebAssembly stopped (its memory ends at 2 GiB).
  if (e?.code === '53200' || e?.name === 'RuntimeError') {
    return `the embedded database stopped (${detail}): run again; the rows stored so far are kept and the job ends INTERRUPTED`;
  }
  return undefined;
}
