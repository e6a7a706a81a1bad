import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from '@leadflow/logger';
import type { Metrics } from '@leadflow/metrics';
import { answerClientError, sendError } from './error-reply.js';
import { fromFrameworkError } from './framework-errors.js';
import { errors, GatewayError } from './gateway-error.js';
import type { JobService } from './job-service.js';
import { readUploadForm } from './upload-form.js';

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
  });
  await app.register(multipart, {
    limits: { fileSize: opts.maxUploadBytes + 1, files: 1, fields: 10, fieldSize: 4096, parts: 12 },
  });
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err, req, reply) => {
    const known = fromFrameworkError(err);
    if (known) {
      if (known.code === 'BAD_REQUEST') req.log.warn({ err, url: req.url }, 'a client error without its own code: answered BAD_REQUEST');
      return sendError(req, reply, known);
    }
    req.log.error({ err, url: req.url }, 'request failed');
    return sendError(req, reply, new GatewayError('INTERNAL', 'internal error; it has been logged'));
  });
  app.setNotFoundHandler((req, reply) => sendError(req, reply, new GatewayError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`)));

  app.post('/v1/jobs', async (req, reply) => {
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

  app.get<{ Params: { id: string } }>('/v1/jobs/:id', async (req) => service.getJob(req.params.id, opts.tenantOf(req)));

  app.get<{ Params: { id: string } }>('/v1/jobs/:id/events', async (req, reply) => {
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

  app.get<{ Params: { id: string } }>('/v1/jobs/:id/mapping', async (req) => service.getMapping(req.params.id, opts.tenantOf(req)));

  app.post<{ Params: { id: string } }>('/v1/jobs/:id/mapping', async (req) => {
    const body = (req.body ?? {}) as { fields?: unknown };
    const fields = body.fields ?? {};
    if (typeof body !== 'object' || typeof fields !== 'object' || fields === null || Array.isArray(fields) || Object.values(fields).some((f) => typeof f !== 'string')) {
      throw errors.badDecision();
    }
    return { columns: await service.confirmMapping(req.params.id, opts.tenantOf(req), fields as Record<string, string>) };
  });

  app.get<{ Params: { id: string; kind: string } }>('/v1/jobs/:id/exports/:kind', async (req, reply) => {
    const lines = await service.exportRows(req.params.kind, req.params.id, opts.tenantOf(req));
    const kind = req.params.kind.replace(/\.csv$/, '');
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${kind}-${req.params.id}.csv"`)
      .send(Readable.from(lines));
  });

  app.get('/v1/dedup/policies', async (req) => ({ policies: await service.listDedupPolicies(opts.tenantOf(req)) }));

  app.put('/v1/dedup/policy', async (req) => {
    const body = (req.body ?? {}) as { supplier?: unknown; policy?: unknown };
    if (typeof body !== 'object' || (body.supplier !== undefined && typeof body.supplier !== 'string')) throw errors.badPolicy('supplier must be a string');
    return service.setDedupPolicy(opts.tenantOf(req), (body.supplier as string | undefined) ?? '', body.policy);
  });

  app.get<{ Params: { id: string } }>('/v1/leads/:id/merges', async (req) => ({
    merges: await service.listMerges(req.params.id, opts.tenantOf(req)),
  }));

  app.post<{ Params: { id: string } }>('/v1/merges/:id/revert', async (req) => service.revertMerge(req.params.id, opts.tenantOf(req)));

  app.get<{ Querystring: { status?: string; limit?: string; after?: string } }>('/v1/possible-duplicates', async (req) => {
    const { status, limit, after } = req.query;
    if (limit !== undefined && !/^\d{1,6}$/.test(limit)) throw errors.badReviewQuery('limit must be a whole number from 1 to 1000');
    return service.listPossibleDuplicates(opts.tenantOf(req), { status, limit: limit === undefined ? undefined : Number(limit), after });
  });

  app.post<{ Params: { leadId: string } }>('/v1/possible-duplicates/:leadId', async (req) =>
    service.decidePossibleDuplicate(req.params.leadId, opts.tenantOf(req), ((req.body ?? {}) as { decision?: unknown }).decision),
  );

  app.post('/v1/dnc/numbers', async (req) => {
    const body = req.body as unknown;
    let numbers: unknown;
    if (typeof body === 'string') numbers = body.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    else if (body && typeof body === 'object') numbers = (body as { numbers?: unknown }).numbers;
    if (!Array.isArray(numbers) || numbers.some((n) => typeof n !== 'string')) throw errors.badDncBody();
    return service.addDncNumbers(numbers as string[]);
  });

  // Probes on the API's port as well: `leadflow serve` has no other port unless METRICS_PORT is set.
  app.get('/healthz', async (_req, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/readyz', async (_req, reply) => {
    const ready = opts.isReady?.() ?? true;
    return reply.code(ready ? 200 : 503).type('text/plain').send(ready ? 'ready\n' : 'not ready\n');
  });

  if (opts.metrics) {
    const { registry } = opts.metrics;
    app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  }
  return app;
}
