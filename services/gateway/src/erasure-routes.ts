import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Caller } from './api-key-store.js';
import type { ErasureInput } from './erasure-service.js';
import type { JobService } from './job-service.js';
import { schemas } from './rest-schemas.js';

/**
 * `POST /v1/erasure` (admin: it deletes data): removes a person from the caller's tenant and
 * answers what was removed (docs/erasure.md).
 */
export function registerErasureRoutes(app: FastifyInstance, service: JobService, callerOf: (req: FastifyRequest) => Caller): void {
  app.post<{ Body: ErasureInput }>(
    '/v1/erasure',
    { schema: schemas.erasePerson, config: { access: 'admin', invalidBody: 'INVALID_ERASURE' }, bodyLimit: 16 * 1024 },
    async (req) => {
      const caller = callerOf(req);
      return service.erase(caller.tenantId, caller.prefix, req.body ?? {});
    },
  );
}
