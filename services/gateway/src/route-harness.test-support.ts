import { credentials, type ServiceError } from '@grpc/grpc-js';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createLogger } from '@leadflow/logger';
import { createOutboundRules } from '@leadflow/outbound';
import { LeadflowGatewayClient } from '@leadflow/proto';
import { createPglite, createSqlDncRegistry, dncListMigrations, migrate, type Migrations, type SqlClient } from '@leadflow/stores';
import { bearer, withApiKey } from '@leadflow/testkit';
import type { Role } from './api-key.js';
import type { ConcurrencyLimit } from './concurrency-limit.js';
import type { JobServiceOptions } from './job-service.js';
import {
  buildRestApp, createGrpcServer, createJobService, createSqlApiKeyStore, createSqlJobStore, migrations as gatewayMigrations, type UploadSink,
} from './index.js';

/**
 * Test support (built only with the tests: tsconfig.tests.json). The gateway as a route test drives it: REST (fastify's inject, no socket) and gRPC (a real
 * server on a loopback port), over an embedded database with the gateway's migrations, and API
 * keys of the tenants and roles the test names. Each route test used to build this by hand.
 */

/** An upload sink for tests that make no upload: it takes nothing anywhere. */
export const noUploads: UploadSink = {
  open: () => ({ write: async () => {}, end: async () => {}, fail: async () => {} }),
  decide: async () => {},
};

/** A unary RPC as a promise: its answer, or its error. */
export const rpc = <Res>(run: (done: (err: ServiceError | null, res?: Res) => void) => void) =>
  new Promise<Res>((resolve, reject) => run((err, res) => (err ? reject(err) : resolve(res!))));

/** The keys most route tests need: an admin and a viewer of acme, and an admin of another tenant. */
export const TENANT_KEYS = {
  admin: { tenant: 'acme', role: 'admin' },
  viewer: { tenant: 'acme', role: 'viewer' },
  otherAdmin: { tenant: 'globex', role: 'admin' },
} as const satisfies Record<string, { tenant: string; role: Role }>;
export type TenantKey = keyof typeof TENANT_KEYS;

export interface RouteHarnessOptions<K extends string> {
  /** Migrations to run after the gateway's and the DNC lists' (mapping's, delivery's…). */
  migrations?: readonly Migrations[];
  /** Named API keys to make. @default TENANT_KEYS */
  keys?: Record<K, { tenant: string; role: Role }>;
  /** The job service's parts beyond the defaults (a job store, a DNC registry on the same database, no uploads). */
  service?: (db: SqlClient) => Partial<JobServiceOptions>;
  /** Which key the gRPC client carries; without one, each call passes its own metadata. */
  grpcKey?: NoInfer<K>;
  limits?: ConcurrencyLimit;
}

export interface RouteHarness<K extends string> {
  db: SqlClient;
  app: FastifyInstance;
  grpc: ReturnType<typeof createGrpcServer>;
  client: LeadflowGatewayClient;
  /** The secret of each named key. */
  key: Record<K, string>;
  /** A gRPC client carrying the named key (closed with the harness). */
  clientAs: (who: K) => LeadflowGatewayClient;
  /** A REST request with the named key's bearer token. */
  as: (who: K) => (o: InjectOptions) => Promise<LightMyRequestResponse>;
  close: () => Promise<void>;
}

/** Starts the harness; `close` stops the gRPC server, the REST app and the database. */
export async function startRouteHarness<K extends string = TenantKey>(
  opts: RouteHarnessOptions<K> = {},
): Promise<RouteHarness<K>> {
  const db = await createPglite();
  await migrate(db, gatewayMigrations);
  await migrate(db, dncListMigrations);
  for (const m of opts.migrations ?? []) await migrate(db, m);
  const keys = createSqlApiKeyStore(db);
  const specs = (opts.keys ?? TENANT_KEYS) as Record<K, { tenant: string; role: Role }>;
  const key = {} as Record<K, string>;
  for (const name of Object.keys(specs) as K[]) key[name] = (await keys.create(specs[name])).key;
  const service = createJobService({
    jobs: createSqlJobStore(db), exports: async function* () {}, uploads: noUploads, dnc: createSqlDncRegistry(db),
    maxUploadBytes: 1000, outbound: createOutboundRules(),
    ...opts.service?.(db),
  });
  const logger = createLogger({ name: 'test', level: 'silent' });
  const app = await buildRestApp({ service, logger, maxUploadBytes: 1000, keys, ...(opts.limits ? { limits: opts.limits } : {}) });
  const grpc = createGrpcServer({ service, logger, keys, ...(opts.limits ? { limits: opts.limits } : {}) });
  await grpc.listen(0, '127.0.0.1');
  const withKey = opts.grpcKey === undefined ? {} : { interceptors: [withApiKey(key[opts.grpcKey])] };
  const client = new LeadflowGatewayClient(`127.0.0.1:${grpc.port}`, credentials.createInsecure(), withKey);
  const clients = [client];
  const clientAs = (who: K) => {
    const c = new LeadflowGatewayClient(`127.0.0.1:${grpc.port}`, credentials.createInsecure(), { interceptors: [withApiKey(key[who])] });
    clients.push(c);
    return c;
  };
  const as = (who: K) => (o: InjectOptions) => app.inject({ ...o, headers: { ...o.headers, ...bearer(key[who]) } });
  return {
    db, app, grpc, client, key, as, clientAs,
    close: async () => {
      for (const c of clients) c.close();
      await grpc.close(1000);
      await app.close();
      await db.close();
    },
  };
}
