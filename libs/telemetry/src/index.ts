export { startTelemetry } from './start-telemetry.js';
export type { Telemetry, TelemetryOptions } from './start-telemetry.js';
export { contextFromHeaders, headersFromContext, withSpan } from './propagation.js';
export type { Headers } from './propagation.js';
