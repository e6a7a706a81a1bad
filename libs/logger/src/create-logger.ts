import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Fields that hold personal data. Any log field with one of these names, at the top level
 * or one level down, is replaced by "[redacted]"; whole rows and leads are never logged.
 */
export const PII_FIELDS = [
  'first_name', 'firstName', 'last_name', 'lastName', 'full_name', 'fullName',
  'email', 'phone', 'street', 'address', 'addressLine2', 'postal_code', 'postalCode',
  'lead', 'leads', 'row', 'rows', 'cells', 'raw', 'numbers', 'body',
  // PostgreSQL errors repeat the offending values here (err.detail: "Key (email)=(...)").
  'detail', 'where',
] as const;

/**
 * Fields that hold credentials: API keys, webhook secrets, and the HTTP headers that carry them.
 * Libraries log request headers of their own accord (@fastify/multipart logs its busboy options,
 * the request's headers among them, at trace level), so these are also redacted two levels down.
 */
export const SECRET_FIELDS = [
  'authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key',
  'secret', 'password', 'token', 'apiKey', 'api_key',
] as const;

/** A field name as a redaction path segment: names that are not identifiers need brackets. */
const segment = (f: string) => (/^[A-Za-z_$][\w$]*$/.test(f) ? `.${f}` : `["${f}"]`);

const REDACT_PATHS = [
  ...PII_FIELDS.flatMap((f) => [f, `*.${f}`]),
  ...SECRET_FIELDS.flatMap((f) => [segment(f).replace(/^\./, ''), `*${segment(f)}`, `*.*${segment(f)}`]),
];

export interface LoggerOptions {
  /** Service or component name, logged as `service`. */
  name: string;
  /** @default 'info' */
  level?: string;
  /** @default standard output */
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: opts.name },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination,
  );
}
