import type { Summary } from './output-files.js';

/** Exit codes of `leadflow run` (README, Contracts). */
export const EXIT = {
  /** Every row processed and, with --webhook, every accepted lead delivered. */
  ok: 0,
  /** Bad input: the file (or an option's file or folder) could not be used; one line says why. */
  failed: 1,
  /** A usage mistake: printed with the usage. */
  usage: 2,
  /** Every row processed, but some accepted leads could not be delivered to the webhook. */
  undelivered: 3,
} as const;

export interface RunReport {
  exitCode: number;
  /** Where the line goes: the result on standard output, a problem on standard error. */
  stream: 'stdout' | 'stderr';
  line: string;
}

/** The one line `leadflow run` ends with, and its exit code. */
export function reportRun(summary: Summary, out: string): RunReport {
  const { delivery } = summary;
  const counts = `${summary.rows} rows: ${summary.accepted} accepted, ${summary.invalid} invalid, ${summary.duplicate} duplicate, ${summary.suppressed} suppressed`;
  // Leads still in the outbox (a retry due after the run's wait) are sent by the next run or serve on the data folder.
  const pending = delivery?.pending ? `, ${delivery.pending} still pending (sent by the next run or serve on this data folder)` : '';
  const delivered = delivery ? `; ${delivery.delivered} of ${delivery.delivered + delivery.failed + (delivery.pending ?? 0)} leads delivered to the webhook${pending}` : '';
  const held = summary.held
    ? `; ${summary.held.rows} held until a fresh Do-Not-Call list replaces ${summary.held.lists} (they go on at the next run or serve)`
    : '';
  const line = `${counts}${held}${delivered} -> ${out}`;
  if (summary.failure) return { exitCode: EXIT.failed, stream: 'stderr', line: `leadflow run: ${summary.failure.message} [${summary.failure.code}]; ${line}` };
  if (delivery && delivery.failed > 0) {
    const why = delivery.error ? ` (${delivery.error})` : '';
    return {
      exitCode: EXIT.undelivered,
      stream: 'stderr',
      line: `leadflow run: ${delivery.failed} accepted lead(s) could not be delivered to the webhook${why}; they are in leads.csv; ${line}`,
    };
  }
  return { exitCode: EXIT.ok, stream: 'stdout', line: `leadflow run: ${line}` };
}
