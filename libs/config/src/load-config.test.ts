import { describe, expect, it } from 'vitest';
import { ConfigError, int, loadConfig, port, shared, str } from './index.js';

describe('loadConfig', () => {
  const schema = {
    brokers: shared.kafkaBrokers(),
    port: ['HTTP_PORT', port({ default: 8080 })],
    batch: ['BATCH_SIZE', int({ min: 1, max: 10_000, default: 500 })],
    name: ['SERVICE_NAME', str()],
  } as const;

  it('reads values, applies defaults and freezes the result', () => {
    const cfg = loadConfig(schema, { KAFKA_BROKERS: 'a:1, b:2', SERVICE_NAME: 'x' });
    expect(cfg).toEqual({ brokers: ['a:1', 'b:2'], port: 8080, batch: 500, name: 'x' });
    expect(Object.isFrozen(cfg)).toBe(true);
  });

  it('lists every bad variable by name at once', () => {
    try {
      loadConfig(schema, { HTTP_PORT: '99999', BATCH_SIZE: 'ten' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).toHaveLength(4);
      expect(problems.join('\n')).toMatch(/KAFKA_BROKERS is required/);
      expect(problems.join('\n')).toMatch(/HTTP_PORT must be at most 65535, got 99999/);
      expect(problems.join('\n')).toMatch(/BATCH_SIZE must be an integer, got "ten"/);
      expect(problems.join('\n')).toMatch(/SERVICE_NAME is required/);
    }
  });

  it('never echoes the password of a bad database URL', () => {
    expect(() => loadConfig({ db: shared.databaseUrl() }, { DATABASE_URL: 'mysql://u:secret@h/db' })).toThrow(
      /DATABASE_URL must use postgres or postgresql, got "mysql:"/,
    );
  });
});
