import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DncExemptionInput } from './dnc-exemption-service.js';
import type { JobService } from './job-service.js';
import { schemas } from './rest-schemas.js';

/**
 * `POST /v1/dnc/exemptions` (201), `GET /v1/dnc/exemptions?phone=|email=` and `DELETE
 * /v1/dnc/exemptions/{id}`: a tenant's exemptions with their evidence (docs/dnc-lists.md,
 * "Exemptions"). Recording and revoking are an admin's, reading a viewer's; each tenant's own.
 */
export function registerDncExemptionRoutes(app: FastifyInstance, service: JobService, tenantOf: (req: FastifyRequest) => string): void {
  app.post<{ Body: DncExemptionInput }>(
    '/v1/dnc/exemptions',
    { schema: schemas.addDncExemption, config: { access: 'admin', invalidBody: 'INVALID_DNC_EXEMPTION' }, bodyLimit: 64 * 1024 },
    async (req, reply) => reply.code(201).send(await service.addDncExemption(tenantOf(req), req.body ?? {})),
  );
  app.get<{ Querystring: { phone?: string; email?: string } }>('/v1/dnc/exemptions', { schema: schemas.listDncExemptions, config: { access: 'viewer' } }, async (req) =>
    service.listDncExemptions(tenantOf(req), req.query.phone, req.query.email),
  );
  app.delete<{ Params: { id: string } }>('/v1/dnc/exemptions/:id', { schema: schemas.revokeDncExemption, config: { access: 'admin' } }, async (req) =>
    service.revokeDncExemption(tenantOf(req), req.params.id),
  );
}
