export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

/**
 * The small part of PostgreSQL every store needs, implemented over `pg` (a server) and over
 * PGlite (embedded, standalone mode). SQL is the same for both.
 */
export interface SqlClient {
  readonly kind: 'postgres' | 'pglite';
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  /** Runs `fn` in a transaction on one connection; commits if it resolves, rolls back if it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /**
   * Holds a session-level advisory lock named `name` (on a connection of its own) until the
   * returned function is called or the process ends: how a process shows the others that share
   * the database that it still runs (see isLockHeld).
   */
  holdLock(name: string): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
