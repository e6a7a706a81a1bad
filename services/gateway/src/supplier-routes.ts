import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JobService } from './job-service.js';
import { schemas } from './rest-schemas.js';
import type { SupplierInput } from './supplier-service.js';

/**
 * `POST /v1/suppliers`, `GET /v1/suppliers`, `GET /v1/suppliers/{id}`, `PATCH /v1/suppliers/{id}`
 * (docs/suppliers.md), `GET /v1/suppliers/{id}/scorecard` (docs/tags-and-scorecards.md): every query scoped by the caller's tenant, so that another tenant's
 * supplier is not found, as one that never existed.
 */
export function registerSupplierRoutes(app: FastifyInstance, service: JobService, tenantOf: (req: FastifyRequest) => string): void {
  app.post<{ Body: SupplierInput }>(
    '/v1/suppliers',
    { schema: schemas.createSupplier, config: { access: 'admin', invalidBody: 'INVALID_SUPPLIER' } },
    async (req, reply) => reply.code(201).send(await service.createSupplier(tenantOf(req), req.body)),
  );

  app.get<{ Querystring: { active?: 'true' | 'false'; limit?: string; after?: string } }>(
    '/v1/suppliers',
    { schema: schemas.listSuppliers, config: { access: 'viewer' } },
    async (req) => {
      const { active, limit, after } = req.query;
      return service.listSuppliers(tenantOf(req), { active: active === undefined ? undefined : active === 'true', limit: limit === undefined ? undefined : Number(limit), after });
    },
  );

  app.get<{ Params: { id: string } }>('/v1/suppliers/:id', { schema: schemas.getSupplier, config: { access: 'viewer' } }, async (req) =>
    service.getSupplier(req.params.id, tenantOf(req)),
  );

  app.get<{ Params: { id: string }; Querystring: { from?: string; to?: string } }>(
    '/v1/suppliers/:id/scorecard',
    { schema: schemas.getSupplierScorecard, config: { access: 'viewer' } },
    async (req) => service.getSupplierScorecard(req.params.id, tenantOf(req), { from: req.query.from || undefined, to: req.query.to || undefined }),
  );

  app.patch<{ Params: { id: string }; Body: SupplierInput }>(
    '/v1/suppliers/:id',
    { schema: schemas.updateSupplier, config: { access: 'admin', invalidBody: 'INVALID_SUPPLIER' } },
    async (req) => service.updateSupplier(req.params.id, tenantOf(req), req.body),
  );
}
