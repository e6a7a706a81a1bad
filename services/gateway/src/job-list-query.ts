import { GatewayError } from './gateway-error.js';
import type { JobFilter } from './job-facts.js';
import { JOB_STATUSES } from './job-store.js';

/** GET /v1/jobs (and ListJobs) as asked: every value as sent, none required; an empty one is no filter. */
export interface JobListQuery {
  status?: readonly string[];
  supplier?: string;
  q?: string;
  createdFrom?: string;
  createdTo?: string;
  limit?: number;
  after?: string;
}

export const JOB_PAGE = { default: 50, max: 1000 } as const;
/** Longest supplier or search text taken: a supplier name is far shorter. */
export const MAX_TEXT = 200;

/** A date (midnight UTC) or a time with its offset: what a date picker or a log gives. */
export const CREATED_PATTERN = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2}))?$';
const CREATED = new RegExp(CREATED_PATTERN);

const bad = (message: string) => new GatewayError('INVALID_QUERY', message);

/**
 * The cursor of the page after one: the id of its last job, kept opaque (base64url) so that
 * clients pass it back as given and the encoding may change.
 */
export const cursorOf = (jobId: string) => Buffer.from(`job:${jobId}`).toString('base64url');

function afterOf(cursor: string): string {
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^job:([\x21-\x7e]{1,100})$/.exec(decoded);
  if (!match) throw bad('after must be the "next" of the page before, as it was answered');
  return match[1]!;
}

/** A query parameter's date or time (CREATED_PATTERN); INVALID_QUERY naming it when it is not one. */
export function timeOf(name: string, value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = CREATED.test(value) ? new Date(value.length === 10 ? `${value}T00:00:00Z` : value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw bad(`${name} must be an ISO 8601 date or time with its offset, e.g. 2026-05-01 or 2026-05-01T09:30:00Z, not "${value.slice(0, 40)}"`);
  }
  return date;
}

/** The filter and page size a list query asks for; INVALID_QUERY naming the first parameter that is not valid. */
export function parseJobListQuery(query: JobListQuery): { filter: JobFilter; limit: number } {
  const statuses = [...new Set(query.status ?? [])];
  const unknown = statuses.find((s) => !(JOB_STATUSES as readonly string[]).includes(s));
  if (unknown !== undefined) throw bad(`status must be one or more of ${JOB_STATUSES.join(', ')} (comma-separated), not "${unknown.slice(0, 40)}"`);
  for (const name of ['supplier', 'q'] as const) {
    if ((query[name]?.length ?? 0) > MAX_TEXT) throw bad(`${name} must be at most ${MAX_TEXT} characters`);
  }
  const limit = query.limit ?? JOB_PAGE.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > JOB_PAGE.max) throw bad(`limit must be a whole number from 1 to ${JOB_PAGE.max}`);
  const createdFrom = timeOf('createdFrom', query.createdFrom);
  const createdTo = timeOf('createdTo', query.createdTo);
  if (createdFrom && createdTo && createdFrom >= createdTo) throw bad('createdFrom must be before createdTo');
  return {
    filter: {
      statuses,
      supplier: query.supplier || undefined,
      q: query.q || undefined,
      createdFrom,
      createdTo,
      after: query.after ? afterOf(query.after) : undefined,
    },
    limit,
  };
}
