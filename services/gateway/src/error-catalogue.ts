import { status as GrpcStatus } from '@grpc/grpc-js';
import { JOB_FAILURES, type JobFailureCode } from '@leadflow/pipeline';

export interface CatalogueEntry {
  /** HTTP status on REST; the gRPC status follows from it (see grpcStatusOf). */
  status: number;
  /** What went wrong and what to do: the message when the error has no more specific one. */
  message: string;
}

/**
 * Every error a client can get from REST or gRPC (docs/errors.md publishes this table; a test
 * holds the two together). Errors answer `{ code, message }`; the framework's own errors are
 * mapped onto these codes (see framework-errors.ts), so no undocumented code reaches a client.
 */
const REQUEST_ERRORS = {
  UNAUTHENTICATED: {
    status: 401,
    message: 'this call needs a valid API key: send it as "Authorization: Bearer <key>" (gRPC: metadata "authorization"); the message says what was wrong with the one sent',
  },
  FORBIDDEN: { status: 403, message: "the API key's role may not do this: the message names the role it needs" },
  TOO_MANY_REQUESTS: { status: 429, message: 'too many uploads or event streams open at once for this tenant: wait for one to end, then try again (Retry-After says when)' },
  KEY_NOT_FOUND: { status: 404, message: 'no API key with this prefix for this tenant' },
  KEY_REVOKED: { status: 409, message: 'this API key was revoked: make a new one with POST /v1/keys' },
  INVALID_KEY: { status: 400, message: 'the key to make is not valid: send {"role": "admin" | "uploader" | "viewer", "name"?: "...", "expiresAt"?: "<ISO 8601 time>"}' },
  BAD_REQUEST: { status: 400, message: 'the request could not be understood: check it against the REST contract in the README' },
  REQUEST_TIMEOUT: { status: 408, message: 'the request took too long to arrive: send it again' },
  HEADERS_TOO_LARGE: { status: 431, message: 'the request headers are too large: send fewer or shorter headers' },
  INVALID_URL: { status: 400, message: 'the URL is not valid: encode it correctly (percent-encoding) and keep path parts short' },
  NOT_FOUND: { status: 404, message: 'no such route: see the REST contract in the README for the routes and their methods' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'this content type is not accepted here: send application/json, text/plain where a route takes it, or multipart/form-data to upload a file',
  },
  INVALID_JSON: { status: 400, message: 'the body is not valid JSON: send a JSON document (and, with no body, no content-type)' },
  BODY_TOO_LARGE: { status: 413, message: 'the request body is larger than the route takes (1 MiB; 8 MiB for Do-Not-Call numbers; 16 KiB for keys; 64 KiB for a lead; uploads have their own limit): send less at a time' },
  INVALID_CONTENT_LENGTH: { status: 400, message: 'the body does not match its Content-Length header: send the header that matches the body, or none' },
  NOT_MULTIPART: {
    status: 415,
    message: 'send the file as multipart/form-data with the field "file", or records as application/x-ndjson (one JSON object a line) or application/json (one array of objects)',
  },
  MALFORMED_MULTIPART: { status: 400, message: 'the multipart body could not be read (boundary, part headers, or its end): let an HTTP client or library build it' },
  FILE_MISSING: { status: 400, message: 'send the file as the multipart field "file"' },
  TOO_MANY_FILES: { status: 400, message: 'send at most 32 files per upload, each in the field "file"' },
  TOO_MANY_FIELDS: { status: 400, message: 'send at most the fields supplier, webhook, sheet and review besides the file' },
  UNKNOWN_FORM_FIELD: { status: 400, message: 'the form has a field the upload does not take: send supplier, webhook, sheet, review, and the file in the field "file"' },
  FIELD_TOO_LONG: { status: 400, message: 'a form field is longer than 4096 bytes: shorten it' },
  METADATA_FIRST: { status: 400, message: 'send UploadMetadata as the first message, then the file in chunks' },
  UPLOAD_TOO_LARGE: { status: 413, message: 'the file is larger than the upload limit: split it into smaller files' },
  INVALID_PRIORITY: { status: 400, message: 'the priority is not valid: send high, normal (the default) or low, before the file' },
  INVALID_JOB_LIMITS: { status: 400, message: 'the job limits are not valid: send {"maxRunningJobs": N}, N a whole number from 0 (no limit) to 10000' },
  INVALID_WEBHOOK_URL: { status: 400, message: 'the webhook is not an http or https URL' },
  WEBHOOK_URL_FORBIDDEN: {
    status: 400,
    message: 'the webhook may not be called: it goes to a non-public address (loopback, private, link-local...) or over plain http; use an https URL of a public address',
  },
  JOB_NOT_FOUND: { status: 404, message: 'no job with this id for this tenant' },
  JOB_ALREADY_ENDED: { status: 409, message: 'the job has ended already (the message names its status): there is nothing left to cancel' },
  MAPPING_NOT_READY: { status: 409, message: 'the job has not been mapped yet: its first rows are still on their way; ask again shortly' },
  NOT_IN_REVIEW: { status: 409, message: 'the job is not waiting for review: upload with review=true to review a mapping before the rows go on' },
  UNKNOWN_COLUMN: { status: 400, message: 'the file has no such column: name one of the columns the mapping lists' },
  UNKNOWN_FIELD: { status: 400, message: 'not a lead field: use one of the canonical fields, or extra to keep the column aside' },
  INVALID_MAPPING_DECISION: {
    status: 400,
    message: 'send {"fields": {"<source header>": "<field or extra>"}} with the columns to change, or {} to confirm the proposed mapping',
  },
  UNKNOWN_EXPORT: { status: 404, message: 'no such export: ask for leads, duplicates, rejected or suppressed' },
  INVALID_DNC_NUMBERS: { status: 400, message: 'send {"numbers": ["+12015550123", ...]} as JSON, or one number per line as text/plain' },
  TOO_MANY_NUMBERS: { status: 413, message: 'send at most 100,000 numbers per request' },
  DNC_LIST_NOT_FOUND: { status: 404, message: 'no such Do-Not-Call list: national, national-ca, state:XX, litigator, wireless, internal, suppression:email, suppression:domain or suppression:phone' },
  DNC_IMPORT_INVALID: {
    status: 400,
    message: 'the body holds no list Leadflow reads, or too many lines without a number: the message names the lines; the list in force is kept',
  },
  INVALID_DNC_SNAPSHOT: { status: 400, message: 'snapshot is the date the list is as of, YYYY-MM-DD, not to come' },
  DNC_LIST_BUSY: { status: 409, message: 'another replacement of this list is loading: try again when it is done' },
  INVALID_DNC_EXEMPTION: {
    status: 400,
    message: 'send { "phone" or "email", "kind": "ebr_purchase" | "ebr_inquiry" | "consent", "date": "YYYY-MM-DD" (not to come), "evidence": { "url"?, "text"? } }: the message names what is wrong',
  },
  DNC_EXEMPTION_NOT_FOUND: { status: 404, message: 'no exemption of this id in force for this tenant: GET /v1/dnc/exemptions?phone= or ?email= lists them' },
  INVALID_DEDUP_POLICY: { status: 400, message: 'the dedup policy is not valid: the message names the setting; send {"supplier"?: "...", "policy": {...}}' },
  SUPPLIER_NOT_FOUND: { status: 404, message: 'no supplier with this id for this tenant: GET /v1/suppliers lists them' },
  SUPPLIER_EXISTS: { status: 409, message: 'the tenant has a supplier of this name already (names are the same whatever their case): change that one, or choose another name' },
  INVALID_SUPPLIER: {
    status: 400,
    message:
      'the supplier is not valid: send {"name": "...", "costPerLead"?: {"amount": "0.35", "currency": "USD"} or null, "phoneRegion"?: "US" or null, "active"?: true}; an amount is a decimal string, never a number',
  },
  LEAD_NOT_FOUND: { status: 404, message: 'no lead with this id for this tenant (a duplicate row is no lead: look up the lead it was merged into)' },
  MERGE_NOT_FOUND: { status: 404, message: 'no merge with this id for this tenant' },
  MERGE_ALREADY_REVERTED: { status: 409, message: 'this merge was already undone' },
  POSSIBLE_DUPLICATE_NOT_FOUND: { status: 404, message: 'no possible duplicate with this lead id for this tenant' },
  POSSIBLE_DUPLICATE_DECIDED: { status: 409, message: 'this possible duplicate was already decided' },
  MATCHED_LEAD_GONE: { status: 409, message: 'the lead this one may copy is no longer a lead: decide "distinct", or look up the lead it was merged into' },
  INVALID_DECISION: { status: 400, message: 'send {"decision": "duplicate"} (the same person: merge) or {"decision": "distinct"} (two people)' },
  INVALID_QUERY: { status: 400, message: 'a query parameter is not valid: the message names it' },
  INVALID_REQUEST: { status: 400, message: 'a path parameter or body field is not valid: the message names it; see the API document at /docs' },
  INVALID_SYNONYMS: {
    status: 400,
    message: 'the header synonyms are not valid: the message names the entry; send {"synonyms": {"<lead field>": ["<header>", ...]}}, each header once, for one field',
  },
  INVALID_LEAD: {
    status: 400,
    message: 'the lead is not valid: send one JSON object of field names to values (strings, numbers, booleans or null; at most 200 fields), e.g. {"email": "ann@example.com"}',
  },
  INVALID_SUPPLIER_MAPPING: {
    status: 400,
    message: 'the supplier mapping is not valid: the message names the entry; send {"mapping": [{"header": "<header>", "field": "<lead field or extra>"}, ...]}, each header once',
  },
  INVALID_TAG_RULES: {
    status: 400,
    message:
      'the tag rules are not valid: the message names the part (rules[2].when.all[0].field); send {"rules": [{"tag": "<tag>", "when": {"field": "<lead field>", "equals": "<value>"}}, ...]}, see docs/tags-and-scorecards.md',
  },
  SYNONYM_BACKUP_NOT_FOUND: { status: 404, message: 'no synonym backup with this id for this tenant: GET /v1/mapping/synonyms/backups lists them' },
  INVALID_WEBHOOK: {
    status: 400,
    message:
      'the webhook endpoint is not valid: the message names the field; send {"url": "https://...", "mode": "record" | "batch", "batchSize"?: 1-1000, "perSecond"?: 0-10000, "events"?: ["lead.created", ...], "headers"?: {"name": "value"}, "description"?: "...", "enabled"?: true}',
  },
  WEBHOOK_NOT_FOUND: { status: 404, message: 'no webhook endpoint with this id for this tenant: GET /v1/webhooks lists them' },
  EVENT_TYPE_NOT_FOUND: { status: 404, message: 'Leadflow sends no event of this type: the types are lead.created, lead.updated, lead.suppressed, job.completed' },
  INVALID_JOB_RATE: { status: 400, message: 'send {"perSecond": N}, N a whole number from 0 (unlimited) to 10000 requests a second' },
  INVALID_REPLAY: {
    status: 400,
    message: 'the replay is not valid: send {"job"?: "<job id>", "from"?: "<ISO 8601 time>", "to"?: "<ISO 8601 time>", "status"?: "failed" | "delivered"}',
  },
  JOB_NOT_FINISHED: {
    status: 409,
    message:
      'the job has not finished storing its rows (the message names its status): download it once it is completed, failed or cancelled; GET /v1/jobs/{id}/exports/leads.csv has what is stored so far',
  },
  INVALID_DNC_POLICY: { status: 400, message: 'the Do-Not-Call policy is not valid: send {"staleList": "hold"}, "suppress" or "default" (the installation\'s DNC_STALE_LIST_POLICY)' },
  INVALID_DNC_PHONE: { status: 400, message: 'phone is not a phone number: send ?phone= in any common spelling, as the tenant\'s leads have it' },
  DNC_AUDIT_UNAVAILABLE: { status: 503, message: "this gateway does not hold the installation's keys (LEADFLOW_SECRET_KEYS), which the audit's numbers are hashed with" },
  INVALID_QUALITY_SETTINGS: {
    status: 400,
    message: 'the quality settings are not valid: the message names the setting; GET /v1/settings/quality shows them all',
  },
  INVALID_RESCREEN: { status: 400, message: 'the re-screening asked for is not valid: send {} (every lead), or {"list"?: "national" | "internal" | ..., "jobId"?: "..."}' },
  RESCREEN_NOT_FOUND: { status: 404, message: 'no re-screening of this id for this tenant: POST /v1/dnc/rescreen answers the id of one' },
  INVALID_ERASURE: {
    status: 400,
    message: 'send {"email"?: "<address>", "phone"?: "<number in any common spelling>"}, at least one, each a valid address or number: the message names what is wrong',
  },
  UNKNOWN_FILE: { status: 400, message: 'the job has no file of that name: name one of its files as the job shows them (files[].name), or none to decide every file waiting' },
} as const satisfies Record<string, CatalogueEntry>;

/**
 * The answer to an upload whose file is found unreadable while it arrives (standalone mode),
 * by the job failure it gets; the same codes are a failed job's `failure.code`.
 */
const UPLOAD_FAILURE_STATUS: Record<JobFailureCode, number> = {
  FILE_EMPTY: 422,
  FILE_BINARY: 422,
  FILE_CORRUPT: 422,
  FILE_TOO_LARGE: 413,
  TOO_MANY_ROWS: 413,
  SHEET_NOT_FOUND: 422,
  TOO_MANY_COLUMNS: 422,
  ROW_TOO_LONG: 422,
  CSV_UNCLOSED_QUOTE: 422,
  CSV_MALFORMED: 422,
  NO_HEADER: 422,
  JSON_MALFORMED: 422,
  UPLOAD_TOO_LARGE: 413,
  UPLOAD_ABORTED: 400,
  UPLOAD_REFUSED: 400,
  // Never an upload's answer: a job whose standalone process was killed ends with it at the next start.
  INTERRUPTED: 503,
  INTERNAL: 500,
};

const JOB_FAILURE_ERRORS = Object.fromEntries(
  Object.entries(UPLOAD_FAILURE_STATUS).map(([code, status]) => [code, { status, message: JOB_FAILURES[code as JobFailureCode] }]),
) as Record<JobFailureCode, CatalogueEntry>;

export const ERROR_CATALOGUE: Readonly<Record<ErrorCode, CatalogueEntry>> = { ...JOB_FAILURE_ERRORS, ...REQUEST_ERRORS };

export type ErrorCode = keyof typeof REQUEST_ERRORS | JobFailureCode;

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_CATALOGUE, code);

const GRPC_STATUS: Record<number, GrpcStatus> = {
  400: GrpcStatus.INVALID_ARGUMENT,
  401: GrpcStatus.UNAUTHENTICATED,
  403: GrpcStatus.PERMISSION_DENIED,
  404: GrpcStatus.NOT_FOUND,
  408: GrpcStatus.DEADLINE_EXCEEDED,
  409: GrpcStatus.FAILED_PRECONDITION,
  413: GrpcStatus.RESOURCE_EXHAUSTED,
  415: GrpcStatus.INVALID_ARGUMENT,
  422: GrpcStatus.INVALID_ARGUMENT,
  429: GrpcStatus.RESOURCE_EXHAUSTED,
  431: GrpcStatus.RESOURCE_EXHAUSTED,
  500: GrpcStatus.INTERNAL,
  503: GrpcStatus.UNAVAILABLE,
};

/** The gRPC status of a catalogued error, from its HTTP status. */
export const grpcStatusOf = (code: ErrorCode): GrpcStatus => GRPC_STATUS[ERROR_CATALOGUE[code].status] ?? GrpcStatus.UNKNOWN;
