import type { Field } from './fields.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Config keys mapped to [ENV_VAR_NAME, field]. */
export type ConfigSchema = Record<string, readonly [string, Field<unknown>]>;

export type ConfigOf<S extends ConfigSchema> = {
  readonly [K in keyof S]: S[K] extends readonly [string, Field<infer T>] ? T : never;
};

/** Thrown when the environment does not satisfy a schema; lists every problem. */
export class ConfigError extends Error {
  readonly code = 'LEADFLOW_ERR_CONFIG';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads every variable of the schema from `env`, collects all problems before failing,
 * and returns a frozen object.
 */
export function loadConfig<S extends ConfigSchema>(schema: S, env: Env = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, [name, f]] of Object.entries(schema)) {
    try {
      out[key] = f.parse(env[name]);
    } catch (err) {
      problems.push(`${name} ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out) as ConfigOf<S>;
}
