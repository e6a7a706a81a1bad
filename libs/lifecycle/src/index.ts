export { createLifecycle } from './lifecycle.js';
export type { Lifecycle, LifecycleOptions, Module } from './lifecycle.js';
export { createOpsServer } from './ops-server.js';
export type { OpsServer, OpsServerOptions } from './ops-server.js';
export { createServiceHost } from './service-host.js';
export type { ServiceHost, ServiceHostOptions } from './service-host.js';
export { ListenError, listenOrExplain } from './listen-error.js';
