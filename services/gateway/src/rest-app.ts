import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '@leadflow/logger';
import type { Metrics } from '@leadflow/metrics';
import { MAX_FILES } from '@leadflow/pipeline';
import type { Counter } from 'prom-client';
import { createAuthenticator } from './access.js';
import type { ApiKeyStore, Caller } from './api-key-store.js';
import { DOCS_PREFIX, registerApiDocs } from './api-docs.js';
import { createConcurrencyLimit, type ConcurrencyLimit } from './concurrency-limit.js';
import { answerClientError, sendError } from './error-reply.js';
import { fromFrameworkError } from './framework-errors.js';
import { errors, GatewayError } from './gateway-error.js';
import { downloadFileName } from './job-download.js';
import type { JobService } from './job-service.js';
import { registerKeyRoutes } from './key-routes.js';
import { registerLeadRoutes } from './lead-routes.js';
import { registerMappingRoutes } from './mapping-routes.js';
import { registerDncExemptionRoutes } from './dnc-exemption-routes.js';
import { registerDncListRoutes } from './dnc-list-routes.js';
import { registerErasureRoutes } from './erasure-routes.js';
import { recordStreamScope } from './record-upload.js';
import { schemas } from './rest-schemas.js';
import { registerSupplierRoutes } from './supplier-routes.js';
import { registerSupplierMappingRoutes } from './supplier-mapping-routes.js';
import { registerTagRuleRoutes } from './tag-rule-routes.js';
import { answerUpload } from './upload-answer.js';
import { fromValidationError } from './validation-errors.js';
import { registerWebhookRoutes } from './webhook-routes.js';

export interface RestAppOptions {
  service: JobService;
  logger: Logger;
  /** Serves /metrics from this registry too (standalone mode). */
  metrics?: Metrics;
  maxUploadBytes: number;
  /** The API keys every request but the open ones must carry: they say its tenant and role. */
  keys: ApiKeyStore;
  /** leadflow_auth_failures_total. */
  authFailures?: Counter<'reason'>;
  /** Uploads and event streams a tenant may hold open at once. @default DEFAULT_LIMITS */
  limits?: ConcurrencyLimit;
  /** What /readyz answers: 200 when true, else 503. @default () => true */
  isReady?: () => boolean;
}

/**
 * The REST API (docs/architecture.md sections 5 and 7), built apart from listen() so tests can
 * use inject(). Every error answers `{ code, message }`; no stack trace leaves the process.
 */
declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request, once its key was checked (every route but the open ones). */
    caller?: Caller;
  }
}

/** The caller of a route that needs a key; a route that reaches here without one is a bug, never an open door. */
function callerOf(req: FastifyRequest): Caller {
  if (!req.caller) throw new Error(`${req.method} ${req.routeOptions.url} ran without a checked caller`);
  return req.caller;
}
const tenantOf = (req: FastifyRequest) => callerOf(req).tenantId;

/** Gives a place back once the answer is sent or the connection is gone, whichever comes first. */
function holdUntilAnswered(reply: FastifyReply, release: () => void) {
  reply.raw.once('finish', release);
  reply.raw.once('close', release);
}

/** JSON bodies: a mapping decision or a policy is a few KiB; Do-Not-Call numbers come 100,000 at a time. */
const JSON_BODY_LIMIT = 1024 * 1024;
const DNC_BODY_LIMIT = 8 * 1024 * 1024;

export async function buildRestApp(opts: RestAppOptions): Promise<FastifyInstance> {
  const { service } = opts;
  const auth = createAuthenticator(opts.keys, opts.authFailures);
  const limits = opts.limits ?? createConcurrencyLimit();
  // Requests are not logged one by one; failures are, by the error handler below.
  const app = Fastify({
    loggerInstance: opts.logger.child({ component: 'rest' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: JSON_BODY_LIMIT,
    // Errors fastify answers before a route runs: the catalogue's codes too.
    frameworkErrors: (err, req, reply) => sendError(req, reply, fromFrameworkError(err) ?? new GatewayError('BAD_REQUEST')),
    clientErrorHandler: answerClientError,
    // A body is checked as sent: coercing {"numbers": "x"} to ["x"] would take what the client did not mean.
    // Nor is a field or parameter a schema does not know dropped in silence (fastify's default): it is refused.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });
  // Every route says who may call it; one that does not fails the app's build, so that no route
  // reaches the server open by mistake. The API document's own routes are open, as the probes.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(DOCS_PREFIX)) route.config = { ...route.config, access: 'open' };
    const access = route.config?.access;
    if (!access) throw new Error(`route ${String(route.method)} ${route.url} says nothing of who may call it: give it config.access`);
    if (access === 'open' && route.schema) route.schema = { ...route.schema, security: [] } as typeof route.schema;
  });
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config.access;
    // No access: no route matched, and the answer (404) tells nothing.
    if (access === undefined || access === 'open') return;
    req.caller = await auth.authorize(req.headers.authorization, access, `call ${req.method} ${req.routeOptions.url}`);
  });
  await registerApiDocs(app);
  await app.register(multipart, {
    // Several files, one job (docs/several-files.md): MAX_FILES file parts; the receiver counts the bytes of them all.
    limits: { fileSize: opts.maxUploadBytes + 1, files: MAX_FILES, fields: 10, fieldSize: 4096, parts: 10 + MAX_FILES },
  });
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err, req, reply) => {
    const known = fromValidationError(err, req) ?? fromFrameworkError(err);
    if (known) {
      if (known.code === 'BAD_REQUEST') req.log.warn({ err, url: req.url }, 'a client error without its own code: answered BAD_REQUEST');
      return sendError(req, reply, known);
    }
    req.log.error({ err, url: req.url }, 'request failed');
    return sendError(req, reply, new GatewayError('INTERNAL', 'internal error; it has been logged'));
  });
  app.setNotFoundHandler((req, reply) => sendError(req, reply, new GatewayError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`)));

  // A file in a form, or a stream of records (NDJSON, a JSON array) read as it arrives: record-upload.ts.
  const uploads = (await recordStreamScope(app)).scope;
  uploads.post('/v1/jobs', { schema: schemas.upload, config: { access: 'uploader' } }, async (req, reply) =>
    answerUpload(req, reply, { service, limits, tenantId: tenantOf(req), maxUploadBytes: opts.maxUploadBytes }),
  );

  app.get<{ Params: { id: string } }>('/v1/jobs/:id', { schema: schemas.getJob, config: { access: 'viewer' } }, async (req) => service.getJob(req.params.id, tenantOf(req)));

  // Whoever may upload a job may stop it.
  app.post<{ Params: { id: string } }>('/v1/jobs/:id/cancel', { schema: schemas.cancelJob, config: { access: 'uploader' } }, async (req) =>
    service.cancelJob(req.params.id, tenantOf(req)),
  );

  app.get<{ Params: { id: string } }>('/v1/jobs/:id/events', { schema: schemas.jobEvents, config: { access: 'viewer' } }, async (req, reply) => {
    const tenantId = tenantOf(req);
    await service.getJob(req.params.id, tenantId);
    const release = limits.acquire(tenantId, 'stream');
    holdUntilAnswered(reply, release);
    const abort = new AbortController();
    req.raw.on('close', () => abort.abort());
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    try {
      for await (const { event, job } of service.watchJob(req.params.id, tenantId, abort.signal)) {
        reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(job)}\n\n`);
      }
    } catch (err) {
      req.log.error({ err }, 'job event stream failed');
    }
    reply.raw.end();
  });

  app.get<{ Querystring: Record<'status' | 'supplier' | 'q' | 'createdFrom' | 'createdTo' | 'limit' | 'after', string | undefined> }>(
    '/v1/jobs',
    { schema: schemas.listJobs, config: { access: 'viewer' } },
    async (req) => {
      const { status, limit, ...rest } = req.query;
      return service.listJobs(tenantOf(req), { ...rest, status: status ? status.split(',') : undefined, limit: limit ? Number(limit) : undefined });
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: string } }>('/v1/jobs/:id/errors', { schema: schemas.jobErrors, config: { access: 'viewer' } }, async (req) => ({
    errors: await service.listJobErrors(req.params.id, tenantOf(req), req.query.limit ? Number(req.query.limit) : undefined),
  }));

  app.get<{ Params: { id: string } }>('/v1/jobs/:id/mapping', { schema: schemas.getMapping, config: { access: 'viewer' } }, async (req) => service.getMapping(req.params.id, tenantOf(req)));

  app.post<{ Params: { id: string }; Body: { fields?: Record<string, string>; file?: string } | null }>(
    '/v1/jobs/:id/mapping',
    { schema: schemas.confirmMapping, config: { access: 'uploader', invalidBody: 'INVALID_MAPPING_DECISION' } },
    async (req) => service.confirmMapping(req.params.id, tenantOf(req), req.body?.fields ?? {}, req.body?.file),
  );

  app.get<{ Params: { id: string; kind: string } }>('/v1/jobs/:id/exports/:kind', { schema: schemas.exportRows, config: { access: 'viewer' } }, async (req, reply) => {
    const lines = await service.exportRows(req.params.kind, req.params.id, tenantOf(req));
    const release = limits.acquire(tenantOf(req), 'stream');
    holdUntilAnswered(reply, release);
    const kind = req.params.kind.replace(/\.csv$/, '');
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${kind}-${req.params.id}.csv"`)
      .send(Readable.from(lines));
  });

  app.get<{ Params: { id: string } }>('/v1/jobs/:id/download', { schema: schemas.downloadJob, config: { access: 'viewer' } }, async (req, reply) => {
    const lines = await service.downloadJob(req.params.id, tenantOf(req));
    const release = limits.acquire(tenantOf(req), 'stream');
    holdUntilAnswered(reply, release);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${downloadFileName(req.params.id)}"`)
      .send(Readable.from(lines));
  });

  app.get('/v1/settings/jobs', { schema: schemas.getJobLimits, config: { access: 'viewer' } }, async (req) => service.getJobLimits(tenantOf(req)));
  app.get('/v1/storage', { schema: schemas.getStorage, config: { access: 'admin' } }, async (req) => service.getStorage(tenantOf(req)));

  app.put<{ Body: unknown }>(
    '/v1/settings/jobs',
    { schema: schemas.setJobLimits, config: { access: 'admin', invalidBody: 'INVALID_JOB_LIMITS' } },
    async (req) => service.setJobLimits(tenantOf(req), req.body),
  );

  app.get('/v1/settings/quality', { schema: schemas.getQualitySettings, config: { access: 'viewer' } }, async (req) => service.getQualitySettings(tenantOf(req)));

  app.put<{ Body: unknown }>(
    '/v1/settings/quality',
    { schema: schemas.setQualitySettings, config: { access: 'admin', invalidBody: 'INVALID_QUALITY_SETTINGS' } },
    async (req) => service.setQualitySettings(tenantOf(req), req.body),
  );

  app.get('/v1/dedup/policies', { schema: schemas.listPolicies, config: { access: 'viewer' } }, async (req) => ({ policies: await service.listDedupPolicies(tenantOf(req)) }));

  app.put<{ Body: { supplier?: string; policy: object } }>(
    '/v1/dedup/policy',
    { schema: schemas.setPolicy, config: { access: 'admin', invalidBody: 'INVALID_DEDUP_POLICY' } },
    async (req) => service.setDedupPolicy(tenantOf(req), req.body.supplier ?? '', req.body.policy),
  );

  app.get<{ Params: { id: string } }>('/v1/leads/:id/merges', { schema: schemas.listMerges, config: { access: 'viewer' } }, async (req) => ({
    merges: await service.listMerges(req.params.id, tenantOf(req)),
  }));

  app.post<{ Params: { id: string } }>('/v1/merges/:id/revert', { schema: schemas.revertMerge, config: { access: 'admin' } }, async (req) =>
    service.revertMerge(req.params.id, tenantOf(req)),
  );

  app.get<{ Querystring: { status?: string; limit?: string; after?: string } }>('/v1/possible-duplicates', { schema: schemas.listPossibleDuplicates, config: { access: 'viewer' } }, async (req) => {
    const { status, limit, after } = req.query;
    return service.listPossibleDuplicates(tenantOf(req), { status, limit: limit === undefined ? undefined : Number(limit), after });
  });

  app.post<{ Params: { leadId: string }; Body: { decision: string } }>(
    '/v1/possible-duplicates/:leadId',
    { schema: schemas.decidePossibleDuplicate, config: { access: 'admin', invalidBody: 'INVALID_DECISION' } },
    async (req) => service.decidePossibleDuplicate(req.params.leadId, tenantOf(req), req.body.decision),
  );

  app.post<{ Body: string | { numbers: string[] } }>(
    '/v1/dnc/numbers',
    { schema: schemas.addDncNumbers, config: { access: 'admin', invalidBody: 'INVALID_DNC_NUMBERS' }, bodyLimit: DNC_BODY_LIMIT },
    async (req) => {
      const body = req.body;
      // A body of no known type (none at all) has passed no schema.
      if (typeof body !== 'string' && !Array.isArray(body?.numbers)) throw errors.badDncBody();
      const numbers = typeof body === 'string' ? body.split(/\r?\n/).map((l) => l.trim()).filter(Boolean) : body.numbers;
      return service.addDncNumbers(tenantOf(req), numbers);
    },
  );

  await registerDncListRoutes(app, service, tenantOf);
  registerDncExemptionRoutes(app, service, tenantOf);
  registerKeyRoutes(app, opts.keys, callerOf);
  registerSupplierRoutes(app, service, tenantOf);
  registerMappingRoutes(app, service, tenantOf);
  registerLeadRoutes(app, service, tenantOf);
  registerSupplierMappingRoutes(app, service, tenantOf);
  registerWebhookRoutes(app, service, tenantOf);
  registerTagRuleRoutes(app, service, tenantOf);
  registerErasureRoutes(app, service, callerOf);

  // Probes on the API's port as well: `leadflow serve` has no other port unless METRICS_PORT is set.
  app.get('/healthz', { schema: schemas.probe('Alive: answers ok'), config: { access: 'open' } }, async (_req, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/readyz', { schema: schemas.probe('Ready: 200, or 503 while a dependency is away'), config: { access: 'open' } }, async (_req, reply) => {
    const ready = opts.isReady?.() ?? true;
    return reply.code(ready ? 200 : 503).type('text/plain').send(ready ? 'ready\n' : 'not ready\n');
  });

  if (opts.metrics) {
    const { registry } = opts.metrics;
    app.get('/metrics', { schema: schemas.probe('Prometheus metrics'), config: { access: 'open' } }, async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  }
  return app;
}
