/**
 * A config field reads one environment variable. `parse` returns the value or throws an
 * Error whose message says what was wrong; `loadConfig` adds the variable's name.
 */
export interface Field<T> {
  readonly parse: (raw: string | undefined) => T;
  readonly description: string;
}

interface Options<T> {
  /** Used when the variable is unset or empty. Without it the variable is required. */
  default?: T;
  description?: string;
}

function field<T>(kind: string, opts: Options<T>, read: (raw: string) => T): Field<T> {
  return {
    description: opts.description ?? kind,
    parse(raw) {
      if (raw === undefined || raw.trim() === '') {
        if (opts.default !== undefined) return opts.default;
        throw new Error(`is required (${opts.description ?? kind})`);
      }
      return read(raw.trim());
    },
  };
}

export const str = (opts: Options<string> = {}): Field<string> => field('a string', opts, (raw) => raw);

export const int = (opts: Options<number> & { min?: number; max?: number } = {}): Field<number> =>
  field('an integer', opts, (raw) => {
    if (!/^-?\d+$/.test(raw)) throw new Error(`must be an integer, got "${raw}"`);
    const n = Number(raw);
    if (opts.min !== undefined && n < opts.min) throw new Error(`must be at least ${opts.min}, got ${n}`);
    if (opts.max !== undefined && n > opts.max) throw new Error(`must be at most ${opts.max}, got ${n}`);
    return n;
  });

/** A decimal number, for example a threshold `0.9`. */
export const num = (opts: Options<number> & { min?: number; max?: number } = {}): Field<number> =>
  field('a number', opts, (raw) => {
    if (!/^-?(\d+\.?\d*|\.\d+)$/.test(raw)) throw new Error(`must be a number, got "${raw}"`);
    const n = Number(raw);
    if (opts.min !== undefined && n < opts.min) throw new Error(`must be at least ${opts.min}, got ${n}`);
    if (opts.max !== undefined && n > opts.max) throw new Error(`must be at most ${opts.max}, got ${n}`);
    return n;
  });

/** A value in a format of its own: `read` returns it or throws an Error that says what is wrong. */
export const custom = <T>(kind: string, read: (raw: string) => T, opts: Options<T> = {}): Field<T> => field(kind, opts, read);

export const port = (opts: Options<number> = {}): Field<number> => int({ ...opts, min: 0, max: 65535 });

export const bool = (opts: Options<boolean> = {}): Field<boolean> =>
  field('true or false', opts, (raw) => {
    const v = raw.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new Error(`must be true or false, got "${raw}"`);
  });

export const oneOf = <const T extends string>(values: readonly T[], opts: Options<T> = {}): Field<T> =>
  field(`one of ${values.join(', ')}`, opts, (raw) => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new Error(`must be one of ${values.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  });

export const url = (opts: Options<string> & { protocols?: string[] } = {}): Field<string> =>
  field('a URL', opts, (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new Error(`must be a URL, got "${redactCredentials(raw)}"`);
    }
    if (opts.protocols && !opts.protocols.includes(parsed.protocol.replace(/:$/, ''))) {
      throw new Error(`must use ${opts.protocols.join(' or ')}, got "${parsed.protocol}"`);
    }
    return raw;
  });

/** A comma-separated list, for example `KAFKA_BROKERS=host1:9092,host2:9092`. */
export const list = (opts: Options<string[]> = {}): Field<string[]> =>
  field('a comma-separated list', opts, (raw) => {
    const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
    if (items.length === 0) throw new Error('must list at least one value');
    return items;
  });

function redactCredentials(raw: string): string {
  return raw.replace(/\/\/[^@/]*@/, '//***@');
}

/** The variables every service shares (docs/architecture.md section 6). */
export const shared = {
  kafkaBrokers: () =>
    ['KAFKA_BROKERS', list({ description: 'Kafka bootstrap servers, host:port, comma-separated' })] as const,
  databaseUrl: () =>
    ['DATABASE_URL', url({ protocols: ['postgres', 'postgresql'], description: 'PostgreSQL connection URL' })] as const,
  redisUrl: () => ['REDIS_URL', url({ protocols: ['redis', 'rediss'], description: 'Redis connection URL' })] as const,
  logLevel: () =>
    [
      'LOG_LEVEL',
      oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, { default: 'info' }),
    ] as const,
  otlpEndpoint: () =>
    ['OTEL_EXPORTER_OTLP_ENDPOINT', str({ default: '', description: 'OTLP endpoint; empty disables tracing export' })] as const,
  metricsPort: (fallback: number) => ['METRICS_PORT', port({ default: fallback })] as const,
};
