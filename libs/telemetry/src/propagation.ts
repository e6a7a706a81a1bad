import { context, propagation, SpanStatusCode, trace, type Context } from '@opentelemetry/api';

export type Headers = Record<string, string>;

const getter = {
  keys: (carrier: Headers) => Object.keys(carrier),
  get: (carrier: Headers, key: string) => carrier[key],
};

/** The current trace context as message headers (`traceparent`, `tracestate`). */
export function headersFromContext(ctx: Context = context.active()): Headers {
  const headers: Headers = {};
  propagation.inject(ctx, headers);
  return headers;
}

export function contextFromHeaders(headers: Headers): Context {
  return propagation.extract(context.active(), headers, getter);
}

/** Runs `fn` in a span that is a child of `parent`; records an exception and rethrows. */
export async function withSpan<T>(
  tracerName: string,
  spanName: string,
  parent: Context,
  attributes: Record<string, string | number>,
  fn: () => Promise<T>,
): Promise<T> {
  const tracer = trace.getTracer(tracerName);
  return tracer.startActiveSpan(spanName, { attributes }, parent, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}
