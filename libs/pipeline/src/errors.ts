/**
 * An error with a stable code (tests and operators match on it) and whether a retry can help.
 * Row-level problems are never errors: they are reasons on the row.
 */
export class LeadflowError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LeadflowError';
  }
}

const TRANSIENT_SYSTEM_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
]);

/**
 * True when the error comes from a dependency being away (network, a restarting database or
 * Redis), so that a retry later can succeed; false for bad input or a bug.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof LeadflowError) return err.retryable;
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (!e) return false;
  if (typeof e.code === 'string') {
    if (TRANSIENT_SYSTEM_CODES.has(e.code)) return true;
    // PostgreSQL: 08 connection exception, 57P0x shutdown, 40001/40P01 serialization and deadlock,
    // 42P01 a table its owner service has not created yet (services start in any order).
    if (/^(08|57P0)/.test(e.code) || ['40001', '40P01', '42P01'].includes(e.code)) return true;
  }
  if (e.name === 'MaxRetriesPerRequestError') return true;
  return typeof e.message === 'string' && /Connection is closed|connect ECONNREFUSED/.test(e.message);
}
