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
  // The PostgreSQL server of DATABASE_URL is not there, or will not have us.
  if (typeof e?.code === 'string' && UNREACHABLE.has(e.code)) {
    return `cannot use the PostgreSQL server of DATABASE_URL (${detail || e.code}): start it or correct DATABASE_URL, or unset DATABASE_URL to use the embedded database`;
  }
  return undefined;
}

/**
 * Connection errors (the system's: refused, no such host, timed out) and PostgreSQL's refusals
 * to let a client in (28000 invalid authorization, 28P01 wrong password, 3D000 no such database).
 */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', '28000', '28P01', '3D000']);
