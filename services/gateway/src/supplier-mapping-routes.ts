import type { FastifyInstance, FastifyRequest } from 'fastify';
import { schemas } from './rest-schemas.js';
import type { JobService } from './job-service.js';

/**
 * `GET` / `PUT /v1/suppliers/{id}/mapping` (docs/supplier-mapping.md): reading is a viewer's,
 * replacing an admin's, as with the header synonyms (it changes how the supplier's later files are read).
 */
export function registerSupplierMappingRoutes(app: FastifyInstance, service: JobService, tenantOf: (req: FastifyRequest) => string): void {
  app.get<{ Params: { id: string } }>('/v1/suppliers/:id/mapping', { schema: schemas.getSupplierMapping, config: { access: 'viewer' } }, async (req) =>
    service.getSupplierMapping(req.params.id, tenantOf(req)),
  );

  app.put<{ Params: { id: string }; Body: { mapping: unknown } }>(
    '/v1/suppliers/:id/mapping',
    { schema: schemas.setSupplierMapping, config: { access: 'admin', invalidBody: 'INVALID_SUPPLIER_MAPPING' } },
    async (req) => service.setSupplierMapping(req.params.id, tenantOf(req), req.body.mapping),
  );
}
