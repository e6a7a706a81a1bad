import type { FastifyRequest } from 'fastify';
import { GatewayError } from './gateway-error.js';

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: { missingProperty?: string; additionalProperty?: string };
}

type Part = 'params' | 'querystring' | 'body' | 'headers';

const WHERE: Record<Part, string> = { params: ' in the path', querystring: '', body: '', headers: ' (a header)' };

/**
 * A request its route's schema refused, as a catalogued error whose message names the field:
 * a query parameter answers INVALID_QUERY, a body the route's own code (its message shows the
 * body to send), anything else INVALID_REQUEST. Fastify stops at the first error (allErrors is
 * off: checking every error of a hostile body costs more than the answer is worth).
 */
export function fromValidationError(err: unknown, req: FastifyRequest): GatewayError | undefined {
  const e = err as { code?: string; validation?: SchemaError[]; validationContext?: Part };
  if (e.code !== 'FST_ERR_VALIDATION' || !e.validation?.[0] || !e.validationContext) return undefined;
  const part = e.validationContext;
  const bodyCode = req.routeOptions.config.invalidBody;
  if (part === 'body' && bodyCode) return new GatewayError(bodyCode);

  const first = e.validation[0];
  const path = first.instancePath.split('/').slice(1);
  const field = first.params.missingProperty ?? path.join('.');
  const schema = req.routeOptions.schema?.[part] as { properties?: Record<string, { description?: string }> } | undefined;
  const description = path.length <= 1 ? schema?.properties?.[field]?.description : undefined;
  const value = path.length === 1 ? (req[part === 'querystring' ? 'query' : part] as Record<string, unknown> | undefined)?.[field] : undefined;
  const shown = typeof value === 'string' ? `, not "${value.slice(0, 40)}"` : '';

  let message: string;
  if (first.keyword === 'required') message = `${field}${WHERE[part]} is missing`;
  else if (first.keyword === 'additionalProperties') {
    const known = Object.keys(schema?.properties ?? {}).join(', ');
    message = `${String(first.params.additionalProperty).slice(0, 40)} is not a ${part === 'querystring' ? 'query parameter' : 'field'} this route takes${known ? `: use ${known}` : ''}`;
  }
  else if (description) message = `${field}${WHERE[part]} must be ${description}${first.keyword === 'enum' || part === 'params' ? shown : ''}`;
  else message = `${field || part}${WHERE[part]} ${ajvMessage(first)}`;
  return new GatewayError(part === 'querystring' ? 'INVALID_QUERY' : 'INVALID_REQUEST', message);
}

const ajvMessage = (e: SchemaError & { message?: string }) => e.message ?? `is not valid (${e.keyword})`;
