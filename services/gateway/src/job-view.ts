import { jobCost } from './job-cost.js';
import type { JobFactsRow } from './job-facts.js';
import { jobPrice } from './job-supplier.js';
import { ENDED_STATUSES, type JobFileView, type JobStatusName, type JobView } from './job-store.js';

/** The stages in pipeline order, as a job's progress names them (docs/architecture.md section 1). */
export const STAGES = ['ingest', 'mapping', 'dedup', 'enrichment', 'dnc', 'persistence', 'delivery'] as const;
export type StageName = (typeof STAGES)[number];

/**
 * Rows a stage worked on (rows an earlier stage excluded pass it by unseen), and the rows it
 * let out, by outcome: the disposition it gave them, as `leadflow_stage_rows_total` counts.
 */
export interface StageProgress {
  rowsIn: number;
  rowsOut: Record<string, number>;
}

export interface JobProgress {
  /** Rows stored of the rows the file holds, 0 to 100; null until ingest has counted them. */
  percent: number | null;
  /** Rows stored per second over the last 5 to 10 s; null before the first row is stored and once the job ended. */
  rate: number | null;
  /** When the last row should be stored at the current rate (ISO 8601); null while that is unknown, and once ended. */
  estimatedEnd: string | null;
  stages: Record<StageName, StageProgress>;
}

/** Whether a job with this status will change no more. */
export const hasEnded = (status: string) => (ENDED_STATUSES as readonly string[]).includes(status);

const n = (v: number | null | undefined) => Number(v ?? 0);
const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;

/**
 * Each stage's rows, from what is stored: ingest's count (`leadflow serve`) and mapping's, while
 * the rows move; after mapping, the outcome of each row as persistence stored it, so those
 * stages show the rows that reached the end (the rows between mapping and persistence are on
 * their way: mapping's rows out less persistence's rows in). Delivery counts one delivery per
 * lead and endpoint.
 */
export function stagesOf(r: JobFactsRow): Record<StageName, StageProgress> {
  const stored = n(r.stored);
  const [invalid, duplicate, suppressed] = [n(r.invalid), n(r.duplicate), n(r.suppressed)];
  const accepted = n(r.accepted);
  const total = totalOf(r);
  const mapped = Math.max(n(r.rows_mapped), stored);
  const read = Math.max(n(r.rows_read), mapped, total ?? 0);
  const mappedInvalid = Math.max(n(r.rows_invalid), invalid);
  const deduped = stored - invalid;
  const unique = deduped - duplicate;
  return {
    ingest: { rowsIn: read, rowsOut: { read } },
    mapping: { rowsIn: mapped, rowsOut: { accepted: mapped - mappedInvalid, invalid: mappedInvalid } },
    dedup: { rowsIn: deduped, rowsOut: { accepted: unique, duplicate } },
    enrichment: { rowsIn: unique, rowsOut: { accepted: unique } },
    dnc: { rowsIn: unique, rowsOut: { accepted: unique - suppressed, suppressed } },
    persistence: { rowsIn: stored, rowsOut: { accepted, invalid, duplicate, suppressed } },
    delivery: { rowsIn: accepted, rowsOut: { delivered: n(r.delivered), failed: n(r.delivery_failed), pending: n(r.delivery_pending) } },
  };
}

/** The rows the file holds, from whichever stage counted them first; null until one did. */
const totalOf = (r: JobFactsRow): number | null => r.total_rows ?? r.mapped_total ?? r.rows_total;

export function progressOf(r: JobFactsRow): JobProgress {
  const stages = stagesOf(r);
  const stored = n(r.stored);
  const total = totalOf(r);
  const ended = hasEnded(r.status);
  const percent = r.status === 'completed' ? 100 : total === null ? null : total === 0 ? 0 : round(Math.min(100, (100 * stored) / total), 1);
  const seconds = n(r.window_seconds);
  const rate = ended || r.stored === null || seconds <= 0 ? null : round(Math.max(0, n(r.window_rows)) / seconds, 1);
  const left = total === null ? 0 : total - stored;
  const estimatedEnd =
    rate && rate > 0 && total !== null && left > 0 && (r.status === 'running' || r.status === 'stalled')
      ? new Date(new Date(r.read_at).getTime() + (1000 * left) / rate).toISOString()
      : null;
  return { percent, rate, estimatedEnd, stages };
}

/**
 * The files of a job's upload with the rows ingest read of each; a job from before files were
 * kept, or a stream of records, shows its one file by its name, its rows once all were read.
 */
function filesOf(r: JobFactsRow): JobFileView[] {
  if (r.files) return r.files.map((f, i) => ({ name: f.name, rows: r.file_rows?.[i] ?? null, bytes: Number(f.bytes) }));
  if (!r.file_name) return [];
  return [{ name: r.file_name, rows: r.file_rows?.[0] ?? r.rows_total, bytes: Number(r.bytes_received) }];
}

/** A job as REST and gRPC show it, from its facts. */
export function jobViewOf(r: JobFactsRow): JobView {
  const counts = {
    rows: r.total_rows ?? r.stored ?? 0,
    accepted: n(r.accepted),
    invalid: n(r.invalid),
    duplicate: n(r.duplicate),
    suppressed: n(r.suppressed),
    delivered: n(r.delivered),
  };
  return {
    id: r.id,
    status: r.status as JobStatusName,
    counts,
    supplier: r.supplier,
    fileName: r.file_name,
    bytesReceived: Number(r.bytes_received),
    files: filesOf(r),
    createdAt: new Date(r.created_at).toISOString(),
    ...(r.failure_code ? { failure: { code: r.failure_code, message: r.failure_message ?? '' } } : {}),
    ...(r.cancelled_at ? { cancelledAt: new Date(r.cancelled_at).toISOString() } : {}),
    progress: progressOf(r),
    supplierId: r.supplier_id,
    priority: (r.priority ?? 'normal') as JobView['priority'],
    ...(r.status === 'waiting_for_dnc_list' && r.waiting_for_dnc_list ? { waitingForDncList: r.waiting_for_dnc_list } : {}),
    ...jobCost(jobPrice(r), counts),
  };
}
