import type { TenantObjects } from './tenant-walk.js';
import { bearer } from './api-keys.js';

/** What a partner sees of GET /v1/jobs/{id}/download, beside the leads export of the same job. */
export interface DownloadSeen {
  status: number;
  contentType: string | null;
  disposition: string | null;
  /** The download's bytes are the leads export's, byte for byte. */
  sameAsExport: boolean;
  /** Its leads: the rows after the header. */
  rows: number;
  /** The answer for the job waiting for review: status and code. */
  unfinished: [number, string | undefined];
}

/** Downloads tenant A's completed seed job and its job in review, as a viewer (docs/download.md). */
export async function checkDownload(base: string, a: TenantObjects): Promise<DownloadSeen> {
  const get = (path: string) => fetch(`${base}${path}`, { headers: bearer(a.viewerKey), signal: AbortSignal.timeout(60_000) });
  const res = await get(`/v1/jobs/${a.jobId}/download`);
  const bytes = Buffer.from(await res.arrayBuffer());
  const exported = Buffer.from(await (await get(`/v1/jobs/${a.jobId}/exports/leads.csv`)).arrayBuffer());
  const review = await get(`/v1/jobs/${a.reviewJobId}/download`);
  const reviewBody = (await review.json()) as { code?: string };
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    disposition: res.headers.get('content-disposition'),
    sameAsExport: bytes.equals(exported),
    rows: bytes.toString('utf8').split('\r\n').length - 2,
    unfinished: [review.status, reviewBody.code],
  };
}
