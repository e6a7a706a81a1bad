import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from './gateway-error.js';
import type { JobService } from './job-service.js';

/** The content types of a stream of records, and the format each is (docs/record-streams.md). */
const RECORD_TYPES = { 'application/x-ndjson': 'ndjson', 'application/json': 'json' } as const;
export type RecordFormat = (typeof RECORD_TYPES)[keyof typeof RECORD_TYPES];

/** The file name ingest reads each format by (record-format.ts): a job of records is named so. */
const EXTENSIONS: Record<RecordFormat, readonly string[]> = { ndjson: ['.ndjson', '.jsonl'], json: ['.json'] };
const DEFAULT_NAMES: Record<RecordFormat, string> = { ndjson: 'records.ndjson', json: 'records.json' };

/** The query of `POST /v1/jobs` with a stream of records: the fields a form sends beside its file. */
export interface RecordQuery {
  supplier?: string;
  webhook?: string;
  review?: string;
  fileName?: string;
  /** high, normal or low (docs/job-priority.md); a form may send it here too. */
  priority?: string;
}

/**
 * A scope of `app` whose JSON bodies are left unread, for the upload route alone: a JSON array
 * of records is read as it streams (ingest splits it by element), never parsed whole by the
 * framework, whatever its size. The other routes keep the app's JSON parser and body limit.
 */
export async function recordStreamScope(app: FastifyInstance): Promise<{ scope: FastifyInstance }> {
  let scope: FastifyInstance | undefined;
  await app.register(async (child) => {
    child.removeContentTypeParser('application/json');
    child.addContentTypeParser(Object.keys(RECORD_TYPES), (_req, _payload, done) => done(null, null));
    scope = child;
  });
  // Wrapped: an instance is thenable, and an async function's answer would be resolved through it.
  return { scope: scope! };
}

/** The format of a request's body when it is a stream of records; undefined for a form or anything else. */
export function recordFormatOf(req: FastifyRequest): RecordFormat | undefined {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return Object.hasOwn(RECORD_TYPES, type) ? RECORD_TYPES[type as keyof typeof RECORD_TYPES] : undefined;
}

/** A form's fields come in the form: a query beside it would be ignored, so it is refused. */
export function refuseQueryBesideForm(req: FastifyRequest): void {
  // Priority is the one a form may send in the query as well: a client then need not build it into the form.
  const names = Object.keys((req.query ?? {}) as object).filter((n) => n !== 'priority');
  if (names.length > 0) {
    throw new GatewayError(
      'INVALID_QUERY',
      `a form upload takes its fields in the form, not the query (${names.slice(0, 5).join(', ')}): query parameters are for a stream of records`,
    );
  }
}

/** A form field's or query's yes: "true", "1", "yes", "on". */
export const isYes = (value: string | undefined) => /^(true|1|yes|on)$/i.test(value?.trim() ?? '');

/**
 * `POST /v1/jobs` with NDJSON or a JSON array: the body goes to the pipeline as a file does, read
 * as it arrives, and the job is made from the query (supplier, webhook, review, fileName). Its
 * file name ends as the format's (`crm-export` → `crm-export.ndjson`), which is how ingest
 * knows the format even when the first record is broken.
 */
export function startRecordUpload(service: JobService, req: FastifyRequest, tenantId: string, format: RecordFormat): ReturnType<JobService['startUpload']> {
  const query = (req.query ?? {}) as RecordQuery;
  return service.startUpload(
    {
      tenantId,
      supplier: query.supplier?.trim() ?? '',
      webhookUrl: query.webhook?.trim() ?? '',
      sheet: '',
      review: isYes(query.review),
      priority: query.priority,
      fileName: recordFileName(query.fileName, format),
    },
    req.raw,
  );
}

/** The job's file name for a stream of `format`: the name given, ending as the format's, or the format's default. */
export function recordFileName(given: string | undefined, format: RecordFormat): string {
  const name = given?.trim() ?? '';
  if (name === '') return DEFAULT_NAMES[format];
  return EXTENSIONS[format].some((ext) => name.toLowerCase().endsWith(ext)) ? name : `${name}${EXTENSIONS[format][0]}`;
}
