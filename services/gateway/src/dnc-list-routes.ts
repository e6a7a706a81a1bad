import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JobService } from './job-service.js';
import { schemas } from './rest-schemas.js';

/** The bodies a list load takes, any of them plain text, gzip or zip (recognised by their first bytes). */
export const DNC_LIST_TYPES = ['text/plain', 'text/csv', 'application/octet-stream', 'application/gzip', 'application/x-gzip', 'application/zip'] as const;

/**
 * `GET /v1/dnc/lists`, `PUT /v1/dnc/lists/{list}` (the whole list) and `POST
 * /v1/dnc/lists/{list}/changes` (a change list): docs/dnc-lists.md, "Import". Loads are read as
 * they stream, in a scope whose bodies the framework leaves unread, whatever their size.
 */
export async function registerDncListRoutes(app: FastifyInstance, service: JobService, tenantOf: (req: FastifyRequest) => string): Promise<void> {
  app.get('/v1/dnc/lists', { schema: schemas.listDncLists, config: { access: 'viewer' } }, async (req) => service.listDncLists(tenantOf(req)));

  // The tenant's policy for stale lists, and the audit of a number (docs/dnc-lists.md, "Freshness", "The audit").
  app.get('/v1/dnc/policy', { schema: schemas.getDncPolicy, config: { access: 'viewer' } }, async (req) => service.getDncPolicy(tenantOf(req)));
  app.put<{ Body: unknown }>(
    '/v1/dnc/policy',
    { schema: schemas.setDncPolicy, config: { access: 'admin', invalidBody: 'INVALID_DNC_POLICY' } },
    async (req) => service.setDncPolicy(tenantOf(req), req.body),
  );
  app.get<{ Querystring: { phone: string; limit?: number } }>('/v1/dnc/audit', { schema: schemas.getDncAudit, config: { access: 'viewer' } }, async (req) =>
    service.getDncAudit(tenantOf(req), req.query.phone, req.query.limit),
  );

  // Re-screenings of stored leads (docs/rescreen.md): asked for, answered 202 with the run, then its state.
  app.post<{ Body: unknown }>(
    '/v1/dnc/rescreen',
    { schema: schemas.requestRescreen, config: { access: 'admin', invalidBody: 'INVALID_RESCREEN' } },
    async (req, reply) => {
      const run = await service.requestRescreen(tenantOf(req), req.body);
      return reply.code(202).header('location', `/v1/dnc/rescreen/${run.id}`).send(run);
    },
  );
  app.get<{ Params: { id: string } }>('/v1/dnc/rescreen/:id', { schema: schemas.getRescreen, config: { access: 'viewer' } }, async (req) =>
    service.getRescreen(tenantOf(req), req.params.id),
  );

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null, null));
    type Load = { Params: { list: string }; Querystring: { snapshot?: string } };
    scope.put<Load>('/v1/dnc/lists/:list', { schema: schemas.replaceDncList, config: { access: 'admin' } }, async (req) =>
      service.loadDncList(tenantOf(req), req.params.list, 'replace', req.query.snapshot, req.raw),
    );
    scope.post<Load>('/v1/dnc/lists/:list/changes', { schema: schemas.changeDncList, config: { access: 'admin' } }, async (req) =>
      service.loadDncList(tenantOf(req), req.params.list, 'changes', req.query.snapshot, req.raw),
    );
  });
}
