import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JobService } from './job-service.js';
import { schemas } from './rest-schemas.js';

/**
 * `GET` / `PUT /v1/tags/rules` (docs/tags-and-scorecards.md): reading is a viewer's, replacing an
 * admin's, as with the dedup policy and the header synonyms (it changes what later leads carry).
 */
export function registerTagRuleRoutes(app: FastifyInstance, service: JobService, tenantOf: (req: FastifyRequest) => string): void {
  app.get('/v1/tags/rules', { schema: schemas.getTagRules, config: { access: 'viewer' } }, async (req) => service.getTagRules(tenantOf(req)));

  app.put<{ Body: unknown }>(
    '/v1/tags/rules',
    { schema: schemas.setTagRules, config: { access: 'admin', invalidBody: 'INVALID_TAG_RULES' } },
    async (req) => service.setTagRules(tenantOf(req), req.body),
  );
}
