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
  if (!opts.endpoint) return { shutdown: async () => {} };
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
