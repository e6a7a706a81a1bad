import { context, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { contextFromHeaders, headersFromContext, startTelemetry, withSpan } from './index.js';

describe('trace context in message headers', () => {
  startTelemetry({ serviceName: 'test', endpoint: '', logger: createLogger({ name: 'test', level: 'silent' }) });
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const spanId = '00f067aa0ba902b7';

  it('writes the W3C traceparent of the current span and reads it back, even without an exporter', () => {
    const ctx = trace.setSpanContext(context.active(), { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
    const headers = headersFromContext(ctx);
    expect(headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);
    expect(trace.getSpanContext(contextFromHeaders(headers))).toMatchObject({ traceId, spanId, isRemote: true });
  });

  it('carries a consumed message trace on to the messages a stage produces', async () => {
    const parent = contextFromHeaders({ traceparent: `00-${traceId}-${spanId}-01` });
    const produced = await withSpan('test', 'stage batch', parent, {}, async () => headersFromContext());
    expect(produced.traceparent).toContain(traceId);
  });
});
