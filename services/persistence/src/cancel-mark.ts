import type { LocalCancels, SqlClient } from '@leadflow/stores';

/**
 * The gateway's cancel mark (jobs.cancelled_at, docs/job-cancel.md) read where it is the
 * authority: in the transaction that stores a batch. The job's row is held FOR KEY SHARE until
 * the batch commits, and the cancel takes it FOR UPDATE: a batch is stored whole before the
 * cancel, or sees the mark and stores nothing. The gateway's own updates of the row (bytes,
 * fields) take a weaker lock and wait for no batch.
 *
 * Persistence runs on databases without the gateway's tables too (its own tests, a fresh
 * database before the gateway migrated): there is no mark there. Once the column is found it
 * stays, so it is looked for until then only.
 *
 * `local` (`leadflow serve` on its embedded database, whose one connection runs one transaction
 * at a time): a job whose mark this process knows, with no cancel of it under way, cannot have
 * its mark changed while the batch is stored: the database is not asked.
 */
export function createCancelMark(local?: LocalCancels) {
  let marked = false;
  // Asked on the transaction's own connection: PGlite has but one, held by the transaction.
  const hasMark = async (tx: SqlClient) =>
    (marked ||= (
      await tx.query<{ found: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM information_schema.columns
                         WHERE table_schema = current_schema() AND table_name = 'jobs' AND column_name = 'cancelled_at') AS found`,
      )
    ).rows[0]?.found === true);
  return {
    async isCancelled(tx: SqlClient, jobId: string): Promise<boolean> {
      const known = tx.kind === 'pglite' ? local?.known(jobId) : undefined;
      if (known !== undefined) return known;
      if (!(await hasMark(tx))) return false;
      const { rows } = await tx.query<{ cancelled: boolean }>('SELECT cancelled_at IS NOT NULL AS cancelled FROM jobs WHERE id = $1 FOR KEY SHARE', [jobId]);
      return rows[0]?.cancelled === true;
    },
  };
}
