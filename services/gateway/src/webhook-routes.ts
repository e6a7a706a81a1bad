import type { FastifyInstance, FastifyRequest } from 'fastify';
import { eventSchema } from '@leadflow/delivery';
import { GatewayError } from './gateway-error.js';
import type { JobService } from './job-service.js';
import { schemas } from './rest-schemas.js';

type Id = { Params: { id: string } };

/**
 * Delivery's control surface over REST (docs/delivery.md, "Endpoints, rate, deliveries and replay
 * (API)"): `/v1/webhooks` and their secrets, the tenant's default secret, a job's rate, the
 * deliveries and replays. Reading endpoints and deliveries is a viewer's; changing them, and any
 * secret, an admin's; a job's rate whoever may upload (and cancel) it.
 */
export function registerWebhookRoutes(app: FastifyInstance, service: JobService, tenantOf: (req: FastifyRequest) => string): void {
  app.post<{ Body: unknown }>('/v1/webhooks', { schema: schemas.createWebhook, config: { access: 'admin', invalidBody: 'INVALID_WEBHOOK' } }, async (req, reply) =>
    reply.code(201).send(await service.createWebhook(tenantOf(req), req.body)),
  );
  app.get('/v1/webhooks', { schema: schemas.listWebhooks, config: { access: 'viewer' } }, async (req) => service.listWebhooks(tenantOf(req)));
  app.get<Id>('/v1/webhooks/:id', { schema: schemas.getWebhook, config: { access: 'viewer' } }, async (req) => service.getWebhook(req.params.id, tenantOf(req)));
  app.patch<Id & { Body: unknown }>('/v1/webhooks/:id', { schema: schemas.updateWebhook, config: { access: 'admin', invalidBody: 'INVALID_WEBHOOK' } }, async (req) =>
    service.updateWebhook(req.params.id, tenantOf(req), req.body),
  );
  app.delete<Id>('/v1/webhooks/:id', { schema: schemas.deleteWebhook, config: { access: 'admin' } }, async (req, reply) => {
    await service.deleteWebhook(req.params.id, tenantOf(req));
    return reply.code(204).send();
  });
  app.post<Id>('/v1/webhooks/:id/rotate', { schema: schemas.rotateWebhookSecret, config: { access: 'admin' } }, async (req) =>
    service.rotateWebhookSecret(req.params.id, tenantOf(req)),
  );
  app.get<Id>('/v1/webhooks/:id/secret', { schema: schemas.getWebhookSecret, config: { access: 'admin' } }, async (req) =>
    service.getWebhookSecret(req.params.id, tenantOf(req)),
  );
  app.post<Id & { Body: unknown }>('/v1/webhooks/:id/replay', { schema: schemas.replayWebhook, config: { access: 'admin', invalidBody: 'INVALID_REPLAY' } }, async (req) =>
    service.replayWebhook(req.params.id, tenantOf(req), req.body),
  );
  app.get('/v1/settings/webhook-secret', { schema: schemas.getDefaultWebhookSecret, config: { access: 'admin' } }, async (req) => service.getDefaultWebhookSecret(tenantOf(req)));
  app.post('/v1/settings/webhook-secret/rotate', { schema: schemas.rotateDefaultWebhookSecret, config: { access: 'admin' } }, async (req) =>
    service.rotateDefaultWebhookSecret(tenantOf(req)),
  );
  // The same for every tenant: it names nothing of one (docs/delivery.md, "Events and their schemas").
  app.get<{ Params: { type: string } }>('/v1/schemas/events/:type', { schema: schemas.getEventSchema, config: { access: 'viewer' } }, async (req, reply) => {
    const schema = eventSchema(req.params.type);
    if (!schema) throw new GatewayError('EVENT_TYPE_NOT_FOUND', `Leadflow sends no event "${req.params.type.slice(0, 40)}": the types are lead.created, lead.updated, lead.suppressed, job.completed`);
    return reply.type('application/schema+json').send(JSON.stringify(schema));
  });
  app.put<Id & { Body: unknown }>('/v1/jobs/:id/rate', { schema: schemas.setJobRate, config: { access: 'uploader', invalidBody: 'INVALID_JOB_RATE' } }, async (req) =>
    service.setJobRate(req.params.id, tenantOf(req), req.body),
  );
  app.get<{ Querystring: Record<'status' | 'job' | 'endpoint' | 'limit' | 'after', string | undefined> }>(
    '/v1/deliveries',
    { schema: schemas.listDeliveries, config: { access: 'viewer' } },
    async (req) => {
      const { limit, ...rest } = req.query;
      return service.listDeliveries(tenantOf(req), { ...rest, limit: limit ? Number(limit) : undefined });
    },
  );
}
