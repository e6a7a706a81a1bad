import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MappingSettings } from './mapping-settings.js';
import { schemas } from './rest-schemas.js';

/**
 * `GET /v1/template.csv`, and the tenant's header synonyms: `GET` / `PUT /v1/mapping/synonyms`,
 * `POST` / `GET /v1/mapping/synonyms/backups`, `POST /v1/mapping/synonyms/backups/{id}/restore`.
 * Reading is a viewer's; changing the synonyms, and backing them up, an admin's (they change how
 * every later file of the tenant is read, as a dedup policy does).
 */
export function registerMappingRoutes(app: FastifyInstance, settings: MappingSettings, tenantOf: (req: FastifyRequest) => string): void {
  app.get('/v1/template.csv', { schema: schemas.template, config: { access: 'viewer' } }, async (_req, reply) => {
    const { csv, fileName } = settings.template();
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName}"`).send(csv);
  });

  app.get('/v1/mapping/synonyms', { schema: schemas.getSynonyms, config: { access: 'viewer' } }, async (req) => settings.getSynonyms(tenantOf(req)));

  app.put<{ Body: { synonyms: unknown } }>(
    '/v1/mapping/synonyms',
    { schema: schemas.setSynonyms, config: { access: 'admin', invalidBody: 'INVALID_SYNONYMS' } },
    async (req) => settings.setSynonyms(tenantOf(req), req.body.synonyms),
  );

  app.post('/v1/mapping/synonyms/backups', { schema: schemas.backupSynonyms, config: { access: 'admin' } }, async (req, reply) =>
    reply.code(201).send(await settings.backupSynonyms(tenantOf(req))),
  );

  app.get('/v1/mapping/synonyms/backups', { schema: schemas.listSynonymBackups, config: { access: 'viewer' } }, async (req) =>
    settings.listSynonymBackups(tenantOf(req)),
  );

  app.post<{ Params: { id: string } }>(
    '/v1/mapping/synonyms/backups/:id/restore',
    { schema: schemas.restoreSynonyms, config: { access: 'admin' } },
    async (req) => settings.restoreSynonyms(tenantOf(req), req.params.id),
  );
}
