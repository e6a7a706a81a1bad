import { errors } from './gateway-error.js';
import type { JobStore, JobView } from './job-store.js';

/**
 * Stops a job in every stage (docs/job-cancel.md) and answers it as it is now: status
 * cancelled, its counts as far as it got. A job that has ended is JOB_ALREADY_ENDED, naming its
 * status; cancelling a cancelled job answers it again, so a client may retry freely.
 */
export async function cancelJob(jobs: JobStore, id: string, tenantId: string, ended?: { inc(labels: { status: string }): void }): Promise<JobView> {
  const result = await jobs.cancel(id, tenantId);
  if (result.status === 'not_found') throw errors.jobNotFound(id);
  if (result.status === 'ended') throw errors.jobAlreadyEnded(id, result.job.status);
  if (result.now) ended?.inc({ status: 'cancelled' });
  return result.job;
}
