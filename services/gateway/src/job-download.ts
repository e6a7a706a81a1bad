import { errors } from './gateway-error.js';
import type { ExportKind } from './job-exports.js';
import type { JobView } from './job-store.js';
import { hasEnded } from './job-view.js';

/** The file name a download is saved under: the job's id, then what it holds. */
export const downloadFileName = (jobId: string) => `${jobId}-leads.csv`;

/**
 * A job's cleaned, deduplicated leads as one CSV (docs/download.md): its leads export, in the
 * layout of `leadflow run`'s leads.csv, once the job has finished storing. A job that is still
 * queued, running, stalled or awaiting review is JOB_NOT_FINISHED naming its status: a download
 * is a result, and half a result saved as one would be taken for all of it (the leads export
 * serves what is stored so far). Another tenant's job or an unknown one is JOB_NOT_FOUND.
 */
export async function downloadJob(
  getJob: (id: string, tenantId: string) => Promise<JobView>,
  exports: (kind: ExportKind, jobId: string, tenantId: string) => AsyncIterable<string>,
  jobId: string,
  tenantId: string,
): Promise<AsyncIterable<string>> {
  const job = await getJob(jobId, tenantId);
  if (!hasEnded(job.status)) throw errors.jobNotFinished(jobId, job.status);
  return exports('leads', jobId, tenantId);
}
