import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { dncExemptionSchema, errorSchema } from './rest-schemas.js';

/** Where the API documents itself; open like the probes (no credential needed to read it). */
export const DOCS_PREFIX = '/docs';

/**
 * The OpenAPI 3.1 document of the REST API at /docs/json (and /docs/yaml), made from the routes'
 * own schemas, with a browsable page at /docs. Register before the routes: swagger collects
 * routes as they are added. Every route must have a schema: one without fails the app's build,
 * so a route cannot reach the server undocumented and unchecked.
 */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  app.addSchema(errorSchema);
  app.addSchema(dncExemptionSchema);
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.url.startsWith(DOCS_PREFIX) || route.method === 'HEAD') return;
    if (!route.schema) throw new Error(`route ${String(route.method)} ${route.url} has no schema: give it one in rest-schemas.ts`);
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Leadflow REST API',
        // The API's version (its routes are /v1/...), not the package's.
        version: '1',
        description:
          'Every call but the probes sends an API key as `Authorization: Bearer <key>` (docs/api-keys.md). Errors answer `{ code, message }` with a code from the catalogue (docs/errors.md).',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'an API key, lfk_ and 57 characters' } } },
      security: [{ apiKey: [] }],
    },
    // Shared schemas ($id) become components/schemas/<id>.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX });
}
