import { JobEvent, jobStatusToJSON, type JobProgress as ProtoJobProgress, type JobStatus } from '@leadflow/proto';
import type { JobEventName } from './job-events.js';
import type { JobProgress } from './job-view.js';

const EVENTS: Record<JobEventName, JobEvent> = {
  progress: JobEvent.JOB_EVENT_PROGRESS,
  completed: JobEvent.JOB_EVENT_COMPLETED,
  failed: JobEvent.JOB_EVENT_FAILED,
  cancelled: JobEvent.JOB_EVENT_CANCELLED,
};

export const toProtoEvent = (event: JobEventName): JobEvent => EVENTS[event];

/** A job's progress as the Job message has it: unknown figures unset, an unknown end empty. */
export function toProtoProgress(p: JobProgress): ProtoJobProgress {
  return {
    percent: p.percent ?? undefined,
    rate: p.rate ?? undefined,
    estimatedEnd: p.estimatedEnd ?? '',
    stages: Object.fromEntries(Object.entries(p.stages).map(([name, s]) => [name, { rowsIn: s.rowsIn, rowsOut: s.rowsOut }])),
  };
}

/** JOB_STATUS_AWAITING_REVIEW as REST names it, awaiting_review: one list of names for both (the job service checks them). */
export const fromProtoStatuses = (statuses: readonly JobStatus[]): string[] =>
  statuses.map((s) => jobStatusToJSON(s).replace(/^JOB_STATUS_/, '').toLowerCase());
