import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { Logger } from '@leadflow/logger';

export interface TelemetryOptions {
  serviceName: string;
  /** OTLP endpoint; when empty no SDK starts and spans are no-ops. */
  endpoint: string;
  logger: Logger;
}

export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry NodeSDK (traces over OTLP) when an endpoint is configured.
 * The W3C trace-context propagator is the SDK's default, so Kafka headers carry `traceparent`.
 */
export function startTelemetry(opts: TelemetryOptions): Telemetry {
  if (!opts.endpoint) {
    // No export, but trace context still passes through this service to the next one: the
    // context manager keeps a consumed message's context active while its batch is handled.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    return { shutdown: async () => {} };
  }
  const sdk = new NodeSDK({ serviceName: opts.serviceName });
  sdk.start();
  opts.logger.info({ endpoint: opts.endpoint }, 'telemetry started');
  return {
    shutdown: async () => {
      try {
        await sdk.shutdown();
      } catch (err) {
        opts.logger.warn({ err }, 'telemetry did not flush');
      }
    },
  };
}
