import type { FastifySchema } from 'fastify';
import type { Access } from './access.js';
import { ERROR_CATALOGUE, type ErrorCode } from './error-catalogue.js';
import { JOB_ERRORS } from './job-service.js';
import { CREATED_PATTERN, JOB_PAGE, MAX_TEXT } from './job-list-query.js';
import { JOB_STATUSES } from './job-store.js';
import { JSON_LEAD_LIMITS } from './json-lead-row.js';
import { LEAD_WAIT } from './lead-intake.js';
import { DELIVERY_PAGE, MAX_BATCH_SIZE, MAX_DESCRIPTION, MAX_HEADERS, MAX_PER_SECOND } from './webhook-service.js';

/**
 * The JSON Schemas of the REST routes: fastify checks every request against them before a
 * handler runs (a failure is answered by validation-errors.ts), and @fastify/swagger publishes
 * them as the OpenAPI document at /docs/json. A property's `description` says what it must be:
 * it is the docs' text and the error message's ("limit must be <description>").
 */

/** The shared answer of every error: `$ref: 'Error#'`; its codes are the whole catalogue. */
export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', enum: Object.keys(ERROR_CATALOGUE), description: 'a stable code from the error catalogue (docs/errors.md)' },
    message: { type: 'string', description: 'what went wrong and what to do' },
    jobId: { type: 'string', description: 'the job the error concerns, when an upload created one' },
  },
} as const;

/** An exemption as the API answers it (docs/dnc-lists.md, "Exemptions"). */
export const dncExemptionSchema = {
  $id: 'DncExemption',
  type: 'object',
  properties: {
    id: { type: 'string' },
    phone: { type: 'string', description: "E.164; '' for an email's" },
    email: { type: 'string', description: "lowercase; '' for a phone's" },
    kind: { type: 'string', enum: ['ebr_purchase', 'ebr_inquiry', 'consent'] },
    date: { type: 'string' },
    until: { type: 'string', description: "the last day it exempts; '' for a consent (until revoked)" },
    evidence: { type: 'object', properties: { url: { type: 'string' }, text: { type: 'string' } } },
    createdAt: { type: 'string' },
    revokedAt: { type: 'string', description: "'' while in force" },
  },
} as const;

const errorResponses = { '4xx': { $ref: 'Error#' }, '5xx': { $ref: 'Error#' } } as const;

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

const jobId = { type: 'string', pattern: UUID, description: 'a job id (a UUID, as POST /v1/jobs answers it)' } as const;
const jobParams = { type: 'object', required: ['id'], properties: { id: jobId } } as const;
/** Ids looked up as they are: a well-formed id that does not exist and one that is no id both answer 404 (the route's own code). */
const idParam = (what: string) =>
  ({ type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100, description: what } } }) as const;

const keyParams = {
  type: 'object',
  required: ['prefix'],
  properties: { prefix: { type: 'string', minLength: 1, maxLength: 100, description: 'the prefix of a key (lfk_ and 8 characters), as GET /v1/keys lists it' } },
} as const;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The catalogue code the route answers for a body its schema refuses (that code's message shows the body to send). */
    invalidBody?: ErrorCode;
    /** The least role that may call the route, or open (no key): every route must say (rest-app.ts refuses one that does not). */
    access?: Access;
  }
}

/** A POST that takes nothing: no body, or an empty object. */
const noBody = { type: ['object', 'null'], additionalProperties: false, properties: {} } as const;
/** A pattern of the whole numbers 1 to `max` (a power of ten), leading zeros allowed: query values are strings. */
const wholeNumberUpTo = (max: number) => `^0*([1-9][0-9]{0,${String(max).length - 2}}|${max})$`;

/** GET /v1/jobs: every parameter optional, an empty one no filter (job-list-query.ts checks them again, for gRPC too). */
function jobListQuery() {
  const status = `(${JOB_STATUSES.join('|')})`;
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      status: { type: 'string', pattern: `^$|^${status}(,${status})*$`, description: `one or more of ${JOB_STATUSES.join(', ')}, comma-separated` },
      supplier: { type: 'string', maxLength: MAX_TEXT, description: `a supplier's name, as the job has it, at most ${MAX_TEXT} characters` },
      q: { type: 'string', maxLength: MAX_TEXT, description: `text to find, whatever its case, in the job id, file name or supplier, at most ${MAX_TEXT} characters` },
      createdFrom: { type: 'string', pattern: `^$|${CREATED_PATTERN}`, description: 'an ISO 8601 date or time with its offset (2026-05-01, 2026-05-01T09:30:00Z): jobs created then or later' },
      createdTo: { type: 'string', pattern: `^$|${CREATED_PATTERN}`, description: 'an ISO 8601 date or time with its offset: jobs created before it' },
      limit: { type: 'string', pattern: `^$|${wholeNumberUpTo(JOB_PAGE.max)}`, description: `a whole number from 1 to ${JOB_PAGE.max} (default ${JOB_PAGE.default})` },
      after: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_-]*$', description: 'the "next" of the page before, as it was answered' },
    },
  } as const;
}

type RouteSchema = FastifySchema & { tags?: string[]; summary?: string; consumes?: string[] };

/** A success answer that is not JSON (errors stay JSON): its media type, for the document only (strings and streams are not serialized). */
const textAnswer = (mediaType: string, description: string) =>
  ({ 200: { description, content: { [mediaType]: { schema: { type: 'string' } } } } }) as const;

const route = (tags: string, summary: string, schema: RouteSchema = {}): RouteSchema => ({
  tags: [tags],
  summary,
  ...schema,
  response: { ...errorResponses, ...(schema.response as object | undefined) },
});

/** A supplier's fields (docs/suppliers.md); their values are checked by the supplier service, whose messages name them. */
const supplierFields = {
  name: { type: 'string', maxLength: 200, description: 'the name uploads give in their "supplier" field; unique in the tenant, whatever its case' },
  costPerLead: {
    type: ['object', 'null'],
    required: ['amount', 'currency'],
    additionalProperties: false,
    description: 'the price of each lead in its files, or null when not known',
    properties: {
      amount: { type: 'string', maxLength: 40, description: 'a decimal string (never a number), e.g. "0.35"; at most 6 decimal places' },
      currency: { type: 'string', maxLength: 3, description: 'an ISO 4217 currency code, e.g. USD' },
    },
  },
  phoneRegion: { type: ['string', 'null'], maxLength: 2, description: 'ISO 3166-1 alpha-2: where its phone numbers without a country code are read; null for the default' },
  active: { type: 'boolean', description: 'false for a supplier no longer bought from (its uploads are still taken)' },
} as const;

const supplierSchemas = {
  createSupplier: route('suppliers', 'Add a supplier (admin)', {
    body: { type: 'object', required: ['name'], additionalProperties: false, properties: supplierFields },
  }),
  listSuppliers: route('suppliers', "The tenant's suppliers by name, a page at a time", {
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        active: { type: 'string', enum: ['true', 'false'], description: 'true or false: only active or inactive suppliers' },
        limit: { type: 'string', pattern: '^0*([1-9][0-9]{0,2}|1000)$', description: 'a whole number from 1 to 1000' },
        after: { type: 'string', maxLength: 100, description: 'the "next" of the page before (a supplier id)' },
      },
    },
  }),
  getSupplier: route('suppliers', 'A supplier with its totals over its jobs: counts, and cost by currency', { params: idParam('a supplier id') }),
  getSupplierScorecard: route('suppliers', "A supplier's scorecard for a period: its jobs' rows by outcome, possible duplicates, cost per accepted lead, average quality, exclusive share", {
    params: idParam('a supplier id'),
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        from: { type: 'string', pattern: `^$|${CREATED_PATTERN}`, description: 'an ISO 8601 date or time with its offset (2026-05-01, 2026-05-01T09:30:00Z): jobs created then or later; none: from the first' },
        to: { type: 'string', pattern: `^$|${CREATED_PATTERN}`, description: 'an ISO 8601 date or time with its offset: jobs created before it; none: until now' },
      },
    },
  }),
  updateSupplier: route('suppliers', "Change a supplier's name, price, phone region or state (admin); jobs uploaded before keep their price", {
    params: idParam('a supplier id'),
    body: { type: 'object', additionalProperties: false, properties: supplierFields },
  }),
};

/** A list load: its list, its snapshot date, a body read as it streams (docs/dnc-lists.md, "Import"). */
function dncLoad(): RouteSchema {
  const body = { type: ['string', 'null'], description: 'one number a line in any spelling, or areacode,number lines; gzip or zip' };
  return {
    consumes: ['text/plain', 'text/csv', 'application/octet-stream', 'application/gzip', 'application/x-gzip', 'application/zip'],
    params: { type: 'object', required: ['list'], properties: { list: { type: 'string', maxLength: 40, description: 'national, national-ca, state:XX, litigator, wireless or internal' } } },
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: { snapshot: { type: 'string', maxLength: 10, description: 'YYYY-MM-DD the list is as of; default today' } },
    },
    body: { content: Object.fromEntries(['text/plain', 'text/csv', 'application/octet-stream', 'application/gzip', 'application/x-gzip', 'application/zip'].map((t) => [t, { schema: body }])) },
    response: {
      200: {
        type: 'object',
        properties: {
          list: { type: 'string' },
          version: { type: 'integer' },
          snapshotDate: { type: 'string' },
          size: { type: 'integer' },
          numbers: { type: 'integer', description: 'lines that held a number' },
          added: { type: 'integer' },
          removed: { type: 'integer' },
          badLines: { type: 'integer', description: 'lines skipped: no number in them' },
          problems: {
            type: 'array',
            description: 'the first 20 lines skipped, and why',
            items: { type: 'object', properties: { file: { type: 'string' }, line: { type: 'integer' }, problem: { type: 'string' } } },
          },
        },
      },
    },
  };
}

const WEBHOOK_EVENT_NAMES = ['lead.created', 'lead.updated', 'lead.suppressed', 'job.completed'] as const;
const webhookParams = idParam('a webhook endpoint id, as POST /v1/webhooks answers it');

/** A webhook endpoint's fields (docs/delivery.md); the webhook service checks them again, for gRPC too. */
const webhookFields = {
  url: { type: 'string', minLength: 1, maxLength: 2000, description: 'where to POST: an https URL of a public address (OUTBOUND_ALLOW_CIDRS, OUTBOUND_ALLOW_HTTP widen it)' },
  mode: { type: 'string', enum: ['record', 'batch'], description: 'record: one request per lead; batch: up to batchSize leads a request' },
  batchSize: { type: 'integer', minimum: 1, maximum: MAX_BATCH_SIZE, description: `leads a request in batch mode, 1 to ${MAX_BATCH_SIZE} (default 500)` },
  perSecond: { type: 'integer', minimum: 0, maximum: MAX_PER_SECOND, description: `requests a second over every delivery replica, 0 (the default) for unlimited` },
  events: {
    type: 'array', minItems: 1, items: { type: 'string', enum: WEBHOOK_EVENT_NAMES },
    description: `the event types it takes (default all): ${WEBHOOK_EVENT_NAMES.join(', ')}`,
  },
  headers: {
    type: 'object', maxProperties: MAX_HEADERS, additionalProperties: { type: 'string', maxLength: 1000 },
    description: `extra request headers, {"name": "value"}, at most ${MAX_HEADERS}; never webhook-* or content-type`,
  },
  description: { type: 'string', maxLength: MAX_DESCRIPTION, description: `a note for people, at most ${MAX_DESCRIPTION} characters` },
  enabled: { type: 'boolean', description: 'false: nothing is sent to it (a 410 Gone answer turns it off too); true again clears why' },
} as const;

const webhookSchemas = {
  createWebhook: route('webhooks', 'Add a webhook endpoint (admin); answers 201 with it and its signing secret (whsec_...)', {
    body: { type: 'object', required: ['url', 'mode'], additionalProperties: false, properties: webhookFields },
  }),
  listWebhooks: route('webhooks', "The tenant's webhook endpoints, oldest first, never their secrets"),
  getWebhook: route('webhooks', 'A webhook endpoint, never its secret', { params: webhookParams }),
  updateWebhook: route('webhooks', "Change a webhook endpoint's fields sent (admin)", {
    params: webhookParams,
    body: { type: 'object', additionalProperties: false, properties: webhookFields },
  }),
  deleteWebhook: route('webhooks', 'Delete a webhook endpoint (admin): nothing more is sent to it; its deliveries stay listed', {
    params: webhookParams,
    response: { 204: { description: 'deleted', type: 'null' } },
  }),
  rotateWebhookSecret: route('webhooks', 'A new signing secret (admin); the one before signs too for a day', { params: webhookParams, body: noBody }),
  getWebhookSecret: route('webhooks', "A webhook endpoint's signing secret, and the one before while it still signs (admin)", { params: webhookParams }),
  getDefaultWebhookSecret: route('webhooks', "The tenant's default signing secret, which signs what goes to a job's own webhook URL (admin)"),
  rotateDefaultWebhookSecret: route('webhooks', "A new default signing secret (admin); the one before signs too for a day", { body: noBody }),
  getEventSchema: route('webhooks', 'The JSON Schema (2020-12) of an event Leadflow sends: the Standard Webhooks envelope { type, timestamp, data } with its data', {
    params: {
      type: 'object', required: ['type'],
      properties: { type: { type: 'string', minLength: 1, maxLength: 100, description: 'an event type: lead.created, lead.updated, lead.suppressed or job.completed' } },
    },
  }),
  replayWebhook: route('webhooks', "Send an endpoint's failed (or delivered) events again, each with its webhook-id (admin)", {
    params: webhookParams,
    body: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: {
        job: { type: 'string', maxLength: 100, description: "a job id: that job's events only" },
        from: { type: 'string', maxLength: 40, description: 'an ISO 8601 time: events made then or later' },
        to: { type: 'string', maxLength: 40, description: 'an ISO 8601 time: events made before it' },
        status: { type: 'string', enum: ['failed', 'delivered'], description: 'failed or delivered: only events of that status (both when left out)' },
      },
    },
  }),
  setJobRate: route('jobs', "Set a job's delivery rate while it runs: requests a second to each of its endpoints (0: unlimited); answers the previous and new limit", {
    params: jobParams,
    body: {
      type: 'object',
      required: ['perSecond'],
      additionalProperties: false,
      properties: { perSecond: { type: 'integer', minimum: 0, maximum: MAX_PER_SECOND, description: `a whole number from 0 (unlimited) to ${MAX_PER_SECOND}` } },
    },
  }),
  listDeliveries: route('webhooks', "The tenant's deliveries (one event to one destination) with their newest attempts, newest first, a page at a time", {
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: { type: 'string', enum: ['', 'pending', 'delivered', 'failed', 'cancelled'], description: 'one of pending, delivered, failed, cancelled' },
        job: { type: 'string', maxLength: 100, description: 'a job id' },
        endpoint: { type: 'string', maxLength: 100, description: 'a webhook endpoint id' },
        limit: { type: 'string', pattern: `^$|${wholeNumberUpTo(DELIVERY_PAGE.max)}`, description: `a whole number from 1 to ${DELIVERY_PAGE.max} (default ${DELIVERY_PAGE.default})` },
        after: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_.:-]*$', description: 'the "next" of the page before, as it was answered' },
      },
    },
  }),
};

export const schemas = {
  ...webhookSchemas,
  upload: route('jobs', 'Upload a lead file, or a stream of records; answers 202 with the job as soon as it exists, the body streaming on after the answer', {
    consumes: ['multipart/form-data', 'application/x-ndjson', 'application/json'],
    // For a stream of records only: a form sends these as its fields (docs/record-streams.md).
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        supplier: { type: 'string', maxLength: 4096, description: 'for records: who sold the list' },
        webhook: { type: 'string', maxLength: 4096, description: 'for records: an https URL called when the job ends' },
        review: { type: 'string', enum: ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], description: 'for records: true to stop after mapping until a person confirms it' },
        fileName: { type: 'string', maxLength: 255, description: "for records: the job's file name (.ndjson or .json is added when it lacks it)" },
        priority: { type: 'string', maxLength: 40, description: 'high, normal (default) or low: a high job overtakes the others in every stage (a form may send it as a field instead)' },
      },
    },
    body: {
      content: {
        // Nothing is parsed before the handler: the records stream on to ingest, which reads them one by one.
        'application/x-ndjson': {
          schema: { type: ['string', 'null'], description: 'one JSON object a line, each a lead: its keys the columns, its values the cells' },
        },
        'application/json': {
          schema: {
            type: ['array', 'null'],
            items: { type: 'object', additionalProperties: true },
            description: 'one JSON array of objects, each a lead: its keys the columns, its values the cells',
          },
        },
        'multipart/form-data': {
          schema: {
            // Nothing is held to check here: the file streams on as it arrives, and
            // upload-form.ts checks each field as it comes (UNKNOWN_FORM_FIELD, FIELD_TOO_LONG, ...).
            type: ['object', 'null'],
            required: ['file'],
            properties: {
              file: {
                type: 'array',
                items: { type: 'string', format: 'binary' },
                minItems: 1,
                maxItems: 32,
                description:
                  'the CSV or Excel file; several `file` parts (at most 32) make one job, each file mapped on its own, its rows numbered within it, the `file` column of the exports naming it (docs/several-files.md)',
              },
              supplier: { type: 'string', maxLength: 4096, description: 'who sold the list' },
              webhook: { type: 'string', maxLength: 4096, description: 'an https URL called when the job ends' },
              sheet: { type: 'string', maxLength: 4096, description: 'for a workbook, the sheet to read' },
              review: { type: 'string', description: 'true to stop after mapping until a person confirms it' },
              priority: { type: 'string', enum: ['high', 'normal', 'low'], description: 'high, normal (default) or low, sent before the file' },
            },
          },
        },
      },
    },
  }),
  getJob: route('jobs', 'A job: status, counts, failure', { params: jobParams }),
  jobEvents: route('jobs', 'The job as Server-Sent Events until it ends', {
    params: jobParams,
    response: textAnswer(
      'text/event-stream',
      'events `progress` with the job as JSON while it changes (read every half second), then one `completed`, `failed` or `cancelled` with the job, then the end',
    ),
  }),
  getMapping: route('jobs', 'How the columns of a job were mapped', { params: jobParams }),
  listJobs: route('jobs', "The tenant's jobs, newest first, a page at a time", { querystring: jobListQuery() }),
  jobErrors: route('jobs', "A job's newest rejected rows with their reasons, while it runs and after", {
    params: jobParams,
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: { limit: { type: 'string', pattern: `^$|${wholeNumberUpTo(JOB_ERRORS.max)}`, description: `a whole number from 1 to ${JOB_ERRORS.max} (default ${JOB_ERRORS.default})` } },
    },
  }),
  confirmMapping: route('jobs', 'Confirm or change the mapping of a job in review', {
    params: jobParams,
    body: {
      // No body at all confirms the proposed mapping, as {} does.
      type: ['object', 'null'],
      properties: {
        fields: {
          type: 'object',
          additionalProperties: { type: 'string' },
          description: 'source header to lead field (or "extra"), for the columns to change',
        },
        file: {
          type: 'string',
          maxLength: 1000,
          description: 'a job of several files: the file to decide, by its name as the job shows it (files[].name); none: every file still waiting, fields applied to each file that has the header',
        },
      },
    },
  }),
  exportRows: route('jobs', "A job's rows of one kind as CSV", {
    params: {
      type: 'object',
      required: ['id', 'kind'],
      properties: {
        id: jobId,
        kind: { type: 'string', maxLength: 50, description: 'leads.csv, duplicates.csv, rejected.csv or suppressed.csv' },
      },
    },
    response: textAnswer('text/csv', 'the rows, with a header line'),
  }),
  downloadJob: route('jobs', "The job's cleaned, deduplicated leads as one CSV, once it has finished storing", {
    params: jobParams,
    response: textAnswer('text/csv', 'the leads, with a header line, in the layout of leadflow run\'s leads.csv (docs/download.md)'),
  }),
  listPolicies: route('dedup', "The tenant's dedup policies"),
  setPolicy: route('dedup', 'Set the dedup policy of the tenant or of one supplier', {
    body: {
      type: 'object',
      required: ['policy'],
      properties: {
        supplier: { type: 'string', maxLength: 200, description: 'the supplier it applies to; none for the tenant default' },
        // Its settings are checked by the dedup library's parser, whose messages name them.
        policy: { type: 'object', description: 'the settings (docs/dedup-policy.md)' },
      },
    },
  }),
  listMerges: route('merges', 'The merges of duplicates into a lead', { params: idParam('a lead id') }),
  revertMerge: route('merges', 'Undo a merge', { params: idParam('a merge id') }),
  listPossibleDuplicates: route('review', 'Possible duplicates waiting for a decision, a page at a time', {
    querystring: {
      type: 'object',
      // A misspelt parameter (?limt=5) is refused, not ignored.
      additionalProperties: false,
      properties: {
        status: { type: 'string', enum: ['open', 'duplicate', 'distinct', ''], description: 'one of open, duplicate, distinct' },
        // Query values are strings (the app does not coerce types), hence patterns.
        limit: { type: 'string', pattern: '^0*([1-9][0-9]{0,2}|1000)$', description: 'a whole number from 1 to 1000' },
        after: { type: 'string', pattern: `^$|${UUID}`, description: 'the "next" of the page before (a lead id)' },
      },
    },
  }),
  decidePossibleDuplicate: route('review', 'Decide a possible duplicate', {
    params: { type: 'object', required: ['leadId'], properties: { leadId: { type: 'string', minLength: 1, maxLength: 100, description: 'a lead id' } } },
    body: { type: 'object', required: ['decision'], properties: { decision: { type: 'string', enum: ['duplicate', 'distinct'] } } },
  }),
  addDncNumbers: route('dnc', 'Add numbers to the internal Do-Not-Call list', {
    body: {
      content: {
        'application/json': {
          schema: { type: 'object', required: ['numbers'], properties: { numbers: { type: 'array', items: { type: 'string' } } } },
        },
        'text/plain': { schema: { type: 'string', description: 'one number per line' } },
      },
    },
  }),
  listDncLists: route('dnc', "Every Do-Not-Call list the tenant's numbers are screened against: size, snapshot date, age", {
    response: {
      200: {
        type: 'object',
        properties: {
          lists: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                list: { type: 'string', description: 'national, national-ca, state:XX, litigator, wireless, internal, suppression:email, suppression:domain, suppression:phone' },
                kind: { type: 'string' },
                shared: { type: 'boolean', description: "true for a list of every tenant; false for the tenant's own" },
                source: { type: 'string' },
                snapshotDate: { type: 'string', description: "YYYY-MM-DD the content is as of; '' while never loaded" },
                ageDays: { type: ['integer', 'null'], description: 'whole days since the snapshot date' },
                version: { type: 'integer' },
                size: { type: 'integer', description: 'numbers on it' },
                changedAt: { type: 'string' },
              },
            },
          },
        },
      },
    },
  }),
  replaceDncList: route('dnc', 'Replace a Do-Not-Call list whole (streamed: plain, gzip or zip); the new version is in force when this answers', dncLoad()),
  changeDncList: route('dnc', "Apply a change list (the FTC's: each line a number and A or D) to a Do-Not-Call list", dncLoad()),
  addDncExemption: route('dnc', 'Record an existing business relationship or a consent, with its evidence: exempt from national and state lists within its window', {
    body: {
      type: 'object',
      required: ['kind', 'date'],
      additionalProperties: false,
      properties: {
        phone: { type: 'string', maxLength: 100, description: 'the number exempted (any spelling); or give email' },
        email: { type: 'string', maxLength: 320, description: "the email of the person whose numbers are exempted; or give phone" },
        kind: { type: 'string', enum: ['ebr_purchase', 'ebr_inquiry', 'consent'], description: 'ebr_purchase (18 months), ebr_inquiry (3 months) or consent (until revoked)' },
        date: { type: 'string', maxLength: 10, description: 'YYYY-MM-DD of the purchase, inquiry or consent' },
        evidence: {
          type: 'object',
          additionalProperties: false,
          properties: { url: { type: 'string', maxLength: 2000, description: 'a consent certificate URL, an order page' }, text: { type: 'string', maxLength: 10000, description: 'the form text agreed to' } },
        },
      },
    },
    response: { 201: { $ref: 'DncExemption#' } },
  }),
  listDncExemptions: route('dnc', "A phone's or an email's exemptions, revoked ones too, newest first", {
    querystring: {
      type: 'object',
      properties: { phone: { type: 'string', maxLength: 100, description: 'a phone number' }, email: { type: 'string', maxLength: 320, description: 'an email address' } },
    },
    response: { 200: { type: 'object', properties: { exemptions: { type: 'array', items: { $ref: 'DncExemption#' } } } } },
  }),
  revokeDncExemption: route('dnc', 'Revoke an exemption: kept with its evidence for the audit, it no longer exempts', {
    params: idParam('an exemption id, as POST /v1/dnc/exemptions answered it'),
    response: { 200: { type: 'object', properties: { id: { type: 'string' }, revoked: { type: 'boolean' } } } },
  }),
  createKey: route('keys', "Make an API key of the caller's tenant (admin); the key is in this answer only", {
    body: {
      type: 'object',
      required: ['role'],
      additionalProperties: false,
      properties: {
        role: { type: 'string', enum: ['admin', 'uploader', 'viewer'], description: 'admin, uploader or viewer' },
        name: { type: 'string', maxLength: 100, description: 'what the key is for, at most 100 characters' },
        expiresAt: { type: 'string', maxLength: 40, description: 'an ISO 8601 time after which the key stops working' },
      },
    },
  }),
  listKeys: route('keys', "The API keys of the caller's tenant (admin), never the keys themselves"),
  revokeKey: route('keys', 'Revoke an API key at once (admin)', { params: keyParams }),
  rotateKey: route('keys', 'Make a new key with the same role and name; the old one stays valid until revoked (admin)', {
    params: keyParams,
    body: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { expiresAt: { type: 'string', maxLength: 40, description: 'an ISO 8601 time after which the new key stops working' } },
    },
  }),
  ...supplierSchemas,
  template: route('mapping', 'The CSV template: the canonical headers and an example row, in UTF-8 with a byte order mark (for Excel)', {
    response: textAnswer('text/csv', 'the template: a header line of the lead fields, then one example row'),
  }),
  getStorage: route('operations', "What the tenant keeps in each table (rows, bytes) and the cleanup of raw cells: the last one, what it emptied, the next (admin)", {
    response: {
      200: {
        type: 'object',
        properties: {
          tables: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                table: { type: 'string' },
                holds: { type: 'string', description: 'what one row is' },
                rows: { type: 'integer', description: "the tenant's rows in it" },
                bytes: { type: 'integer', description: 'their bytes (pg_column_size of each row)' },
              },
            },
          },
          lastCleanup: {
            type: ['object', 'null'],
            properties: {
              startedAt: { type: 'string' },
              finishedAt: { type: ['string', 'null'] },
              retentionHours: { type: 'integer', description: 'RAW_RETENTION_HOURS it applied' },
              removed: { type: 'object', additionalProperties: { type: 'integer' }, description: "the tenant's rows emptied, by place: rejected_rows.raw, leads.original" },
              error: { type: ['string', 'null'] },
            },
          },
          nextCleanup: { type: ['string', 'null'] },
        },
      },
    },
  }),
  erasePerson: route('operations', "Erase a person (GDPR/CCPA): remove them by email and/or phone from the tenant's leads, duplicates, rejected, suppressed and held rows and deliveries, and add them to its suppression lists (admin)", {
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        email: { type: 'string', maxLength: 320, description: 'the email address, any case' },
        phone: { type: 'string', maxLength: 100, description: 'the phone number, any common spelling' },
      },
    },
    response: {
      200: {
        type: 'object',
        properties: {
          id: { type: 'string', description: 'the erasure log entry' },
          erasedAt: { type: 'string' },
          removed: { type: 'object', additionalProperties: { type: 'integer' }, description: 'records removed, by kind: leads, duplicates, possibleDuplicates, merges, rejected, suppressed, held, parked, mappingSamples, deliveries, deliveryAttempts, exemptions, dedupClaims' },
          suppressed: { type: 'array', items: { type: 'string' }, description: 'the suppression lists the person was added to' },
        },
      },
    },
  }),
  getDncPolicy: route('dnc', "The tenant's Do-Not-Call policy: what a national or state list older than DNC_MAX_LIST_AGE_DAYS does to its rows with phones"),
  setDncPolicy: route('dnc', "Set the tenant's Do-Not-Call policy (admin): hold rows with phones while a list is stale, suppress them (DNC_LIST_STALE), or the installation's default", {
    body: {
      type: 'object',
      required: ['staleList'],
      additionalProperties: false,
      properties: { staleList: { type: 'string', enum: ['hold', 'suppress', 'default'], description: "hold, suppress, or default (the installation's DNC_STALE_LIST_POLICY)" } },
    },
  }),
  getDncAudit: route('dnc', 'What was decided for a phone number, when, against which list, version and snapshot: the tenant\'s checks, newest first', {
    querystring: {
      type: 'object',
      required: ['phone'],
      properties: {
        phone: { type: 'string', maxLength: 64, description: "the number in any common spelling, read as the tenant's leads are" },
        limit: { type: 'integer', minimum: 1, maximum: 1000, description: 'at most this many checks (default 100)' },
      },
    },
  }),
  requestRescreen: route('dnc', 'Screen the tenant\'s stored leads again against every list that applies (admin): body {} or {"list"?, "jobId"?}; answers 202 with the re-screening, whose state GET /v1/dnc/rescreen/{id} shows'),
  getRescreen: route('dnc', 'A re-screening of stored leads: its status (pending, running, completed, failed) and the leads screened and suppressed so far', {
    params: idParam('the id POST /v1/dnc/rescreen answered'),
  }),
  getJobLimits: route('jobs', "The tenant's job limits: at most maxRunningJobs of its jobs run at once (0: no limit); more wait queued"),
  setJobLimits: route('jobs', "Set the tenant's job limits (admin); jobs waiting start, in priority order, as places free up", {
    body: {
      type: 'object',
      required: ['maxRunningJobs'],
      additionalProperties: false,
      properties: { maxRunningJobs: { type: 'integer', minimum: 0, maximum: 10_000, description: 'jobs of the tenant that run at once; 0 for no limit' } },
    },
  }),
  getTagRules: route('tags', "The tenant's tag rules, in the order the enrichment stage applies them"),
  setTagRules: route('tags', "Replace the tenant's tag rules (admin); checked whole, applied to leads enriched from then on (within 30 s on every replica)", {
    body: {
      type: 'object',
      required: ['rules'],
      additionalProperties: false,
      properties: {
        // Its rules are checked by parseTagRules, whose messages name the part (rules[2].when.all[0].field).
        rules: {
          type: 'array',
          description: 'e.g. [{"tag": "hot", "when": {"all": [{"field": "email_type", "equals": "business"}, {"field": "quality", ">": 70}]}}]; [] for none (docs/tags-and-scorecards.md)',
        },
      },
    },
  }),
  getQualitySettings: route('settings', "The tenant's lead quality settings: the quality score's weights, the LOW_QUALITY threshold, the exclusivity and calling windows"),
  setQualitySettings: route('settings', "Change the tenant's lead quality settings (admin); the keys left out keep their value; the stages apply them within 30 s", {
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        weights: {
          type: 'object',
          description: 'points by component (valid_email, mobile_phone, role_email...): 0 to 100, or -100 to 0 for a risk; only those given change',
          additionalProperties: { type: 'integer' },
        },
        threshold: { type: 'integer', minimum: 0, maximum: 100, description: 'leads scoring under it get LOW_QUALITY; 0 for none' },
        thresholdAction: { type: 'string', enum: ['warning', 'error'], description: 'warning keeps the lead with the reason; error rejects the row' },
        exclusivityDays: { type: 'integer', minimum: 1, maximum: 3650, description: "days in which another supplier's delivery of the same person makes a lead non-exclusive" },
        callingWindow: {
          type: 'object',
          required: ['start', 'end'],
          additionalProperties: false,
          description: 'local hours in which a lead may be called, for callable_now',
          properties: { start: { type: 'string', maxLength: 5, description: 'HH:MM' }, end: { type: 'string', maxLength: 5, description: 'HH:MM' } },
        },
      },
    },
  }),
  getSynonyms: route('mapping', "The header synonyms mapping uses for the tenant's jobs: its own, beside the built-in ones"),
  setSynonyms: route('mapping', "Replace the tenant's own header synonyms (admin); every mapping replica uses them within 30 s", {
    body: {
      type: 'object',
      required: ['synonyms'],
      additionalProperties: false,
      properties: {
        // Its entries are checked by the mapping library, whose messages name the entry (synonyms.email[2]).
        synonyms: { type: 'object', description: 'lead field to the headers that mean it, e.g. {"source": ["Herkunft"]}; {} for none' },
      },
    },
  }),
  backupSynonyms: route('mapping', "Keep a copy of the tenant's synonyms as they are (admin); the newest 50 are kept", { body: noBody }),
  listSynonymBackups: route('mapping', "The tenant's synonym backups, newest first"),
  restoreSynonyms: route('mapping', "Make a backup's synonyms the tenant's again (admin)", {
    params: idParam('a synonym backup id, as GET /v1/mapping/synonyms/backups lists it'),
    body: noBody,
  }),
  cancelJob: route('jobs', 'Stop a job in every stage; answers the job, status cancelled, with its counts so far', { params: jobParams }),
  submitLead: route('leads', 'Send one lead; answers how it was filed, or 202 with its job when that takes longer than `wait`', {
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        supplier: { type: 'string', maxLength: 4096, description: 'who sold the lead, as an upload names it (its confirmed mapping maps the fields)' },
        wait: { type: 'string', pattern: '^[0-9]{1,6}$', description: `a whole number of milliseconds from 0 to ${LEAD_WAIT.max} (default ${LEAD_WAIT.default}): how long to wait for the answer` },
      },
    },
    body: {
      type: 'object',
      maxProperties: JSON_LEAD_LIMITS.fields,
      additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }] },
      description: 'the lead: field names (canonical, or the supplier\'s own) to values, e.g. {"email": "ann@example.com", "phone": "+12015550123"}',
    },
    response: {
      200: {
        description: 'how the lead was filed',
        type: 'object',
        required: ['jobId', 'disposition', 'reasons', 'leadId', 'match'],
        properties: {
          jobId: { type: 'string', description: 'the job of this one lead' },
          disposition: { type: 'string', enum: ['accepted', 'invalid', 'duplicate', 'suppressed'] },
          reasons: {
            type: 'array',
            items: { type: 'object', properties: { code: { type: 'string' }, field: { type: 'string' }, detail: { type: 'string' } } },
          },
          leadId: { type: ['string', 'null'], description: 'the lead it became (accepted only)' },
          match: {
            type: ['object', 'null'],
            description: 'the stored lead it duplicates (or, accepted with match type "possible", may copy)',
            properties: { leadId: { type: 'string' }, matchType: { type: 'string' }, score: { type: 'number' } },
          },
        },
      },
      202: { description: 'the job of the lead, not filed yet: poll GET /v1/jobs/{id}', type: 'object', additionalProperties: true },
    },
  }),
  getSupplierMapping: route('suppliers', "A supplier's confirmed mapping: each header to its lead field or extra, with when and how it was learned", {
    params: idParam('a supplier id'),
  }),
  setSupplierMapping: route('suppliers', "Replace a supplier's confirmed mapping (admin); the supplier's next files are mapped by it", {
    params: idParam('a supplier id'),
    body: {
      type: 'object',
      required: ['mapping'],
      additionalProperties: false,
      properties: {
        // Its entries are checked by the mapping library, whose messages name the entry (mapping[2].field).
        mapping: { type: 'array', description: 'the headers and their fields, e.g. [{"header": "E-Mail Kunde", "field": "email"}]; [] for none' },
      },
    },
  }),
  probe: (summary: string, mediaType = 'text/plain'): RouteSchema => ({ tags: ['operations'], summary, response: textAnswer(mediaType, summary) }),
};
