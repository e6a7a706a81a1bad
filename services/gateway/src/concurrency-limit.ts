import { int } from '@leadflow/config';
import { GatewayError } from './gateway-error.js';

/** What a tenant holds open for a while: an upload, or a job's event stream (SSE, WatchJob, ExportRows). */
export type Held = 'upload' | 'stream';

export interface ConcurrencyLimits {
  /** Uploads one tenant may send at once (per gateway replica). */
  uploads: number;
  /** Event streams and exports one tenant may hold open at once (per gateway replica). */
  streams: number;
  /** Jobs of one tenant that run at once until it sets its own limit (all gateways); 0: no limit (docs/job-priority.md). @default 0 */
  runningJobs?: number;
}

/** A sensible default: a few files at once is what a person or a partner's sync does; more is a loop gone wrong. */
export const DEFAULT_LIMITS: ConcurrencyLimits = { uploads: 8, streams: 32 };

/** The settings of the limits, for the gateway's and `leadflow serve`'s config schema. */
export const concurrencySchema = {
  maxUploadsPerTenant: [
    'GATEWAY_MAX_UPLOADS_PER_TENANT',
    int({ min: 1, default: DEFAULT_LIMITS.uploads, description: 'uploads one tenant may send at once to one gateway; more answer 429' }),
  ],
  maxStreamsPerTenant: [
    'GATEWAY_MAX_STREAMS_PER_TENANT',
    int({ min: 1, default: DEFAULT_LIMITS.streams, description: 'event streams and exports one tenant may hold open at once on one gateway; more answer 429' }),
  ],
  maxRunningJobsPerTenant: [
    'GATEWAY_MAX_RUNNING_JOBS_PER_TENANT',
    int({ min: 0, max: 10_000, default: 0, description: "jobs of one tenant that run at once until it sets its own limit (PUT /v1/settings/jobs); more wait queued; 0: no limit" }),
  ],
} as const;

export const concurrencyFromConfig = (c: { maxUploadsPerTenant: number; maxStreamsPerTenant: number; maxRunningJobsPerTenant: number }): ConcurrencyLimits => ({
  uploads: c.maxUploadsPerTenant,
  streams: c.maxStreamsPerTenant,
  runningJobs: c.maxRunningJobsPerTenant,
});

/** When to try again, in seconds: an upload holds its place for as long as its file takes, a stream until its job ends. */
const RETRY_AFTER_SECONDS: Record<Held, number> = { upload: 10, stream: 5 };

export class TooManyError extends GatewayError {
  constructor(
    readonly held: Held,
    readonly limit: number,
    readonly retryAfterSeconds = RETRY_AFTER_SECONDS[held],
  ) {
    super(
      'TOO_MANY_REQUESTS',
      held === 'upload'
        ? `this tenant is sending ${limit} uploads at once, the most it may: wait for one to end, then send again (in ${retryAfterSeconds} s)`
        : `this tenant holds ${limit} event streams or exports open at once, the most it may: close one, then try again (in ${retryAfterSeconds} s)`,
    );
  }
}

/**
 * Per-tenant counts of what is open now. Not a rate limit: a client may upload all day, only
 * not a hundred files at once, which would starve every other tenant of the gateway's memory,
 * sockets and the pipeline (OWASP API4, unrestricted resource consumption).
 */
export function createConcurrencyLimit(limits: ConcurrencyLimits = DEFAULT_LIMITS) {
  const open = new Map<string, number>();
  const key = (tenantId: string, held: Held) => `${held}\u0000${tenantId}`;
  return {
    /** Takes a place, or throws TooManyError; the release it answers gives the place back (once, however often called). */
    acquire(tenantId: string, held: Held): () => void {
      const k = key(tenantId, held);
      const limit = held === 'upload' ? limits.uploads : limits.streams;
      const now = open.get(k) ?? 0;
      if (now >= limit) throw new TooManyError(held, limit);
      open.set(k, now + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(k) ?? 1) - 1;
        if (left <= 0) open.delete(k);
        else open.set(k, left);
      };
    },
    /** What a tenant holds open now (metrics, tests). */
    held: (tenantId: string, held: Held) => open.get(key(tenantId, held)) ?? 0,
  };
}

export type ConcurrencyLimit = ReturnType<typeof createConcurrencyLimit>;
