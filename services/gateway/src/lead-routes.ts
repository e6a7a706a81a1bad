import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JobService } from './job-service.js';
import { schemas } from './rest-schemas.js';

/** A lead's fields and values: a web form's worth. */
const LEAD_BODY_LIMIT = 64 * 1024;

/**
 * `POST /v1/leads` (docs/single-leads.md): one lead as JSON, answered 200 with how it was filed,
 * or 202 with its job when that takes longer than the caller waits (`?wait=` ms).
 */
export function registerLeadRoutes(app: FastifyInstance, service: JobService, tenantOf: (req: FastifyRequest) => string): void {
  app.post<{ Querystring: { supplier?: string; wait?: string }; Body: Record<string, unknown> }>(
    '/v1/leads',
    { schema: schemas.submitLead, config: { access: 'uploader', invalidBody: 'INVALID_LEAD' }, bodyLimit: LEAD_BODY_LIMIT },
    async (req, reply) => {
      const { supplier, wait } = req.query;
      const answer = await service.submitLead(tenantOf(req), req.body, { supplier, waitMs: wait === undefined ? undefined : Number(wait) });
      return answer.result ? reply.code(200).send(answer.result) : reply.code(202).send(answer.job);
    },
  );
}
