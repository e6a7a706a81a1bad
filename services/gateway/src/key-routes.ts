import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from './api-key.js';
import { ApiKeyError, type ApiKeyStore, type ApiKeyView, type Caller } from './api-key-store.js';
import { GatewayError } from './gateway-error.js';
import { schemas } from './rest-schemas.js';

/** A key as the API shows it: times as ISO 8601, never the key itself (shown once, when made). */
const keyView = (k: ApiKeyView) => ({
  prefix: k.prefix,
  tenant: k.tenant,
  role: k.role,
  name: k.name,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  expiresAt: k.expiresAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
  rotatedFrom: k.rotatedFrom,
});

const notFound = (prefix: string) => new GatewayError('KEY_NOT_FOUND', `no API key with prefix "${prefix.slice(0, 20)}" for this tenant: GET /v1/keys lists them`);

/** The store's refusals as the catalogue's codes. */
function fromStore(err: unknown, prefix = ''): unknown {
  if (!(err instanceof ApiKeyError)) return err;
  if (err.code === 'KEY_NOT_FOUND') return notFound(prefix);
  if (err.code === 'KEY_REVOKED') return new GatewayError('KEY_REVOKED', `key ${prefix} was revoked: make a new one with POST /v1/keys`);
  return new GatewayError('INVALID_KEY', err.message);
}

function expiryOf(raw: string | undefined, now: Date): Date | undefined {
  if (raw === undefined) return undefined;
  const at = new Date(raw);
  if (Number.isNaN(at.getTime())) throw new GatewayError('INVALID_KEY', `expiresAt "${raw.slice(0, 40)}" is not a time: send ISO 8601, e.g. 2027-01-31T00:00:00Z`);
  if (at <= now) throw new GatewayError('INVALID_KEY', 'expiresAt is in the past: a key must be valid for some time');
  return at;
}

/**
 * `POST /v1/keys`, `GET /v1/keys`, `DELETE /v1/keys/{prefix}` and `POST /v1/keys/{prefix}/rotate`:
 * an admin manages its own tenant's keys, as `leadflow keys` does for an operator. Another
 * tenant's prefix is not found, exactly as one that never existed.
 */
export function registerKeyRoutes(app: FastifyInstance, keys: ApiKeyStore, callerOf: (req: FastifyRequest) => Caller): void {
  const viewOf = async (tenantId: string, prefix: string) => {
    const found = (await keys.list({ tenantId })).find((k) => k.prefix === prefix);
    if (!found) throw notFound(prefix);
    return keyView(found);
  };

  app.post<{ Body: { role: Role; name?: string; expiresAt?: string } }>(
    '/v1/keys',
    { schema: schemas.createKey, config: { access: 'admin', invalidBody: 'INVALID_KEY' }, bodyLimit: 16 * 1024 },
    async (req, reply) => {
      const { tenantId } = callerOf(req);
      const made = await keys
        .create({ tenant: tenantId, role: req.body.role, name: req.body.name ?? '', expiresAt: expiryOf(req.body.expiresAt, new Date()) })
        .catch((err) => Promise.reject(fromStore(err)));
      return reply.code(201).send({ key: made.key, ...(await viewOf(tenantId, made.prefix)) });
    },
  );

  app.get('/v1/keys', { schema: schemas.listKeys, config: { access: 'admin' } }, async (req) => ({
    keys: (await keys.list({ tenantId: callerOf(req).tenantId })).map(keyView),
  }));

  app.delete<{ Params: { prefix: string } }>('/v1/keys/:prefix', { schema: schemas.revokeKey, config: { access: 'admin' } }, async (req) => {
    const { tenantId } = callerOf(req);
    await keys.revoke(req.params.prefix, { tenantId }).catch((err) => Promise.reject(fromStore(err, req.params.prefix)));
    return viewOf(tenantId, req.params.prefix);
  });

  app.post<{ Params: { prefix: string }; Body: { expiresAt?: string } | null }>(
    '/v1/keys/:prefix/rotate',
    { schema: schemas.rotateKey, config: { access: 'admin', invalidBody: 'INVALID_KEY' }, bodyLimit: 16 * 1024 },
    async (req, reply) => {
      const { tenantId } = callerOf(req);
      const made = await keys
        .rotate(req.params.prefix, { tenantId, expiresAt: expiryOf(req.body?.expiresAt, new Date()) })
        .catch((err) => Promise.reject(fromStore(err, req.params.prefix)));
      return reply.code(201).send({ key: made.key, ...(await viewOf(tenantId, made.prefix)) });
    },
  );
}
