export { infraUp, infraDown, infraStatus, infraProcesses, readInfraEnv } from './infra.js';
export type { InfraEnv, InfraHandle } from './infra.js';
export { devSecretKeys, startServices, stopRecordedServices, SERVICE_NAMES } from './services.js';
export type { ServicesHandle, StartServicesOptions } from './services.js';
export { repoRoot, stateDir } from './paths.js';
export { findProgram, portOpen, stopProcess } from './process-util.js';
