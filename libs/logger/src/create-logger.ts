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

const REDACT_PATHS = [...PII_FIELDS.map((f) => f), ...PII_FIELDS.map((f) => `*.${f}`)];

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
