import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from '@leadflow/logger';
import type { Metrics } from '@leadflow/metrics';
import { registerApiDocs } from './api-docs.js';
import { answerClientError, sendError } from './error-reply.js';
import { fromFrameworkError } from './framework-errors.js';
import { errors, GatewayError } from './gateway-error.js';
import type { JobService } from './job-service.js';
import { schemas } from './rest-schemas.js';
import { readUploadForm } from './upload-form.js';
import { fromValidationError } from './validation-errors.js';

export interface RestAppOptions {
  service: JobService;
  logger: Logger;
  /** Serves /metrics from this registry too (standalone mode). */
  metrics?: Metrics;
  maxUploadBytes: number;
  /** The tenant a request acts for. */
  tenantOf: (req: FastifyRequest) => string;
  /** What /readyz answers: 200 when true, else 503. @default () => true */
  isReady?: () => boolean;
}

/**
 * The REST API (docs/architecture.md sections 5 and 7), built apart from listen() so tests can
 * use inject(). Every error answers `{ code, message }`; no stack trace leaves the process.
 */
export async function buildRestApp(opts: RestAppOptions): Promise<FastifyInstance> {
  const { service } = opts;
  // Requests are not logged one by one; failures are, by the error handler below.
  const app = Fastify({
    loggerInstance: opts.logger.child({ component: 'rest' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 8 * 1024 * 1024,
    // Errors fastify answers before a route runs: the catalogue's codes too.
    frameworkErrors: (err, req, reply) => sendError(req, reply, fromFrameworkError(err) ?? new GatewayError('BAD_REQUEST')),
    clientErrorHandler: answerClientError,
    // A body is checked as sent: coercing {"numbers": "x"} to ["x"] would take what the client did not mean.
    // Nor is a field or parameter a schema does not know dropped in silence (fastify's default): it is refused.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });
  await registerApiDocs(app);
  await app.register(multipart, {
    limits: { fileSize: opts.maxUploadBytes + 1, files: 1, fields: 10, fieldSize: 4096, parts: 12 },
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

  app.post('/v1/jobs', { schema: schemas.upload }, async (req, reply) => {
    if (!req.isMultipart()) throw errors.notMultipart();
    const form = await readUploadForm(req);
    const { fields } = form;
    const job = await service.upload(
      {
        tenantId: opts.tenantOf(req),
        supplier: fields.supplier ?? '',
        webhookUrl: fields.webhookUrl ?? '',
        sheet: fields.sheet ?? '',
        review: fields.review ?? false,
        fileName: form.file.filename ?? '',
      },
      form.bytes,
      form.trailing,
    );
    return reply.code(202).send(job);
  });

  app.get<{ Params: { id: string } }>('/v1/jobs/:id', { schema: schemas.getJob }, async (req) => service.getJob(req.params.id, opts.tenantOf(req)));

  app.get<{ Params: { id: string } }>('/v1/jobs/:id/events', { schema: schemas.jobEvents }, async (req, reply) => {
    const tenantId = opts.tenantOf(req);
    await service.getJob(req.params.id, tenantId);
    const abort = new AbortController();
    req.raw.on('close', () => abort.abort());
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    try {
      for await (const job of service.watchJob(req.params.id, tenantId, abort.signal)) {
        reply.raw.write(`event: job\ndata: ${JSON.stringify(job)}\n\n`);
      }
    } catch (err) {
      req.log.error({ err }, 'job event stream failed');
    }
    reply.raw.end();
  });

  app.get<{ Params: { id: string } }>('/v1/jobs/:id/mapping', { schema: schemas.getMapping }, async (req) => service.getMapping(req.params.id, opts.tenantOf(req)));

  app.post<{ Params: { id: string }; Body: { fields?: Record<string, string> } | null }>(
    '/v1/jobs/:id/mapping',
    { schema: schemas.confirmMapping, config: { invalidBody: 'INVALID_MAPPING_DECISION' } },
    async (req) => ({ columns: await service.confirmMapping(req.params.id, opts.tenantOf(req), req.body?.fields ?? {}) }),
  );

  app.get<{ Params: { id: string; kind: string } }>('/v1/jobs/:id/exports/:kind', { schema: schemas.exportRows }, async (req, reply) => {
    const lines = await service.exportRows(req.params.kind, req.params.id, opts.tenantOf(req));
    const kind = req.params.kind.replace(/\.csv$/, '');
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${kind}-${req.params.id}.csv"`)
      .send(Readable.from(lines));
  });

  app.get('/v1/dedup/policies', { schema: schemas.listPolicies }, async (req) => ({ policies: await service.listDedupPolicies(opts.tenantOf(req)) }));

  app.put<{ Body: { supplier?: string; policy: object } }>(
    '/v1/dedup/policy',
    { schema: schemas.setPolicy, config: { invalidBody: 'INVALID_DEDUP_POLICY' } },
    async (req) => service.setDedupPolicy(opts.tenantOf(req), req.body.supplier ?? '', req.body.policy),
  );

  app.get<{ Params: { id: string } }>('/v1/leads/:id/merges', { schema: schemas.listMerges }, async (req) => ({
    merges: await service.listMerges(req.params.id, opts.tenantOf(req)),
  }));

  app.post<{ Params: { id: string } }>('/v1/merges/:id/revert', { schema: schemas.revertMerge }, async (req) => service.revertMerge(req.params.id, opts.tenantOf(req)));

  app.get<{ Querystring: { status?: string; limit?: string; after?: string } }>('/v1/possible-duplicates', { schema: schemas.listPossibleDuplicates }, async (req) => {
    const { status, limit, after } = req.query;
    return service.listPossibleDuplicates(opts.tenantOf(req), { status, limit: limit === undefined ? undefined : Number(limit), after });
  });

  app.post<{ Params: { leadId: string }; Body: { decision: string } }>(
    '/v1/possible-duplicates/:leadId',
    { schema: schemas.decidePossibleDuplicate, config: { invalidBody: 'INVALID_DECISION' } },
    async (req) => service.decidePossibleDuplicate(req.params.leadId, opts.tenantOf(req), req.body.decision),
  );

  app.post<{ Body: string | { numbers: string[] } }>(
    '/v1/dnc/numbers',
    { schema: schemas.addDncNumbers, config: { invalidBody: 'INVALID_DNC_NUMBERS' } },
    async (req) => {
      const body = req.body;
      // A body of no known type (none at all) has passed no schema.
      if (typeof body !== 'string' && !Array.isArray(body?.numbers)) throw errors.badDncBody();
      const numbers = typeof body === 'string' ? body.split(/\r?\n/).map((l) => l.trim()).filter(Boolean) : body.numbers;
      return service.addDncNumbers(numbers);
    },
  );

  // Probes on the API's port as well: `leadflow serve` has no other port unless METRICS_PORT is set.
  app.get('/healthz', { schema: schemas.probe('Alive: answers ok') }, async (_req, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/readyz', { schema: schemas.probe('Ready: 200, or 503 while a dependency is away') }, async (_req, reply) => {
    const ready = opts.isReady?.() ?? true;
    return reply.code(ready ? 200 : 503).type('text/plain').send(ready ? 'ready\n' : 'not ready\n');
  });

  if (opts.metrics) {
    const { registry } = opts.metrics;
    app.get('/metrics', { schema: schemas.probe('Prometheus metrics') }, async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  }
  return app;
}
