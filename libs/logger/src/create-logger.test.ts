import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './index.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('redacts personal data at the top level and one level down', () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 'test', destination });
    log.info({ email: 'ann@example.com', lead: { phone: '+15551234567' }, job: { email: 'x@y.z', id: 'j1' } }, 'hello');
    const out = lines.join('');
    expect(out).not.toContain('ann@example.com');
    expect(out).not.toContain('+15551234567');
    expect(out).not.toContain('x@y.z');
    const rec = JSON.parse(out);
    expect(rec).toMatchObject({ service: 'test', level: 'info', msg: 'hello', email: '[redacted]', job: { id: 'j1' } });
  });

  it('keeps the values a database error repeats out of the log', () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 'test', destination });
    const err = Object.assign(new Error('duplicate key value violates unique constraint'), { detail: 'Key (email)=(ann@example.com) already exists.' });
    log.error({ err }, 'insert failed');
    expect(lines.join('')).not.toContain('ann@example.com');
    expect(JSON.parse(lines[0]!).err.message).toBe('duplicate key value violates unique constraint');
  });

  it('redacts credentials wherever a library logs request headers, up to two levels down', () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 'test', destination, level: 'trace' });
    const key = 'lfk_AAAAAAAA_secretsecretsecret';
    log.trace({ busboyOptions: { headers: { authorization: `Bearer ${key}`, 'x-api-key': key, cookie: `s=${key}`, host: 'h' } } }, 'multipart');
    log.info({ authorization: key, webhook: { secret: key, url: 'https://example.com/' } }, 'saved');
    const out = lines.join('');
    expect(out).not.toContain(key);
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first.busboyOptions.headers).toEqual({ authorization: '[redacted]', 'x-api-key': '[redacted]', cookie: '[redacted]', host: 'h' });
    expect(second.webhook).toEqual({ secret: '[redacted]', url: 'https://example.com/' });
  });
});
