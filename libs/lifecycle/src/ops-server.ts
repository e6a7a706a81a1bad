import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '@leadflow/metrics';
import type { Module } from './lifecycle.js';
import { listenOrExplain } from './listen-error.js';

export interface OpsServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** @default '0.0.0.0' */
  host?: string;
  metrics: Metrics;
  /** Ready means connected and consuming; /readyz answers 503 otherwise. */
  isReady: () => boolean;
  /** The server's name in a ListenError. @default 'ops' */
  name?: string;
}

export interface OpsServer extends Module {
  /** The bound port, once started. */
  readonly port: number;
}

/** /healthz (alive), /readyz (ready) and /metrics (Prometheus text) on their own port. */
export function createOpsServer(opts: OpsServerOptions): OpsServer {
  let server: Server | undefined;
  let boundPort = 0;
  return {
    name: 'ops-server',
    get port() {
      return boundPort;
    },
    async start() {
      server = createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        if (path === '/healthz') {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        } else if (path === '/readyz') {
          const ok = opts.isReady();
          res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready\n' : 'not ready\n');
        } else if (path === '/metrics') {
          opts.metrics.registry.metrics().then(
            (text) => res.writeHead(200, { 'content-type': opts.metrics.registry.contentType }).end(text),
            () => res.writeHead(500).end(),
          );
        } else {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        }
      });
      await listenOrExplain(opts.name ?? 'ops', opts.port, () =>
        new Promise<void>((resolve, reject) => {
          server!.once('error', reject);
          server!.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
        }),
      );
      boundPort = (server.address() as AddressInfo).port;
    },
    async stop() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server?.closeAllConnections();
    },
  };
}
