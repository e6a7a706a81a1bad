import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createKeyring, keyIdOf } from './keyring.js';
import { newKeyEntry, parseSecretKeys } from './secret-keys.js';
import { SecretsError } from './secrets-error.js';

const entry = (id: string) => newKeyEntry(id);
const ring = (...entries: string[]) => createKeyring(parseSecretKeys(entries.join(',')), 'LEADFLOW_SECRET_KEYS');
const context = 'webhook_endpoints.secret_sealed/6f1c1c8e-0b7e-4d55-9a55-3c2c1d9b8e01';
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** The SecretsError `fn` throws, for its code and message. */
function failure(fn: () => unknown): SecretsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SecretsError);
    return err as SecretsError;
  }
  throw new Error('expected a SecretsError, and nothing was thrown');
}

/** The sealed value with one character of its ciphertext changed. */
function tampered(sealed: string, at: number): string {
  const chars = [...sealed];
  const i = sealed.lastIndexOf('.') + 1 + at;
  chars[i] = chars[i] === 'A' ? 'B' : 'A';
  return chars.join('');
}

describe('a keyring', () => {
  it('opens what it sealed, and the sealed text holds neither the secret nor the key', () => {
    const k1 = entry('k1');
    const keys = ring(k1);
    const sealed = keys.seal(secret, context);
    expect(sealed).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(secret);
    expect(sealed).not.toContain(k1.slice(3));
    expect(keys.open(sealed, context)).toBe(secret);
    expect(keyIdOf(sealed)).toBe('k1');
  });

  it('seals the same secret differently each time (a fresh IV), and each opens', () => {
    const keys = ring(entry('k1'));
    const sealed = Array.from({ length: 50 }, () => keys.seal(secret, context));
    expect(new Set(sealed).size).toBe(50);
    expect(new Set(sealed.map((s) => s.split('.')[2])).size).toBe(50);
    for (const s of sealed) expect(keys.open(s, context)).toBe(secret);
  });

  it('keeps any text whole: empty, long, and not ASCII', () => {
    const keys = ring(entry('k1'));
    for (const text of ['', 'ä€😀 ünïcode', 'x'.repeat(10_000)]) expect(keys.open(keys.seal(text, context), context)).toBe(text);
  });

  it('does not open with another key under the same id', () => {
    const sealed = ring(entry('k1')).seal(secret, context);
    const err = failure(() => ring(entry('k1')).open(sealed, context));
    expect(err.code).toBe('SECRET_UNREADABLE');
    expect(err.message).toBe(
      `the secret of ${context} does not open with key k1: it was altered or copied from another record, or LEADFLOW_SECRET_KEYS holds another key under the id k1`,
    );
  });

  it('refuses a sealed value altered anywhere: ciphertext, tag, IV or key id', () => {
    const keys = ring(entry('k1'), entry('k2'));
    const sealed = keys.seal(secret, context);
    const [v, id, iv, body] = sealed.split('.') as [string, string, string, string];
    const altered = [
      tampered(sealed, 0),
      tampered(sealed, body.length - 1),
      [v, id, `${iv[0] === 'A' ? 'B' : 'A'}${iv.slice(1)}`, body].join('.'),
      [v, 'k2', iv, body].join('.'),
      [v, id, iv, body.slice(0, -4)].join('.'),
    ];
    for (const bad of altered) expect(failure(() => keys.open(bad, context)).code).toBe('SECRET_UNREADABLE');
  });

  it('does not open a value copied to another record (its context is authenticated)', () => {
    const keys = ring(entry('k1'));
    const sealed = keys.seal(secret, context);
    const other = 'webhook_endpoints.secret_sealed/0d3f5a8e-7777-4c2a-9d2c-1b1b1b1b1b1b';
    const err = failure(() => keys.open(sealed, other));
    expect(err.code).toBe('SECRET_UNREADABLE');
    expect(err.message).toMatch(new RegExp(`^the secret of ${other} does not open with key k1`));
  });

  it('after a rotation seals with the new key and still opens what the old key sealed', () => {
    const k1 = entry('k1');
    const before = ring(k1).seal(secret, context);
    const rotated = ring(entry('k2'), k1);
    expect(rotated.sealingKeyId).toBe('k2');
    expect(rotated.keyIds).toEqual(['k2', 'k1']);
    expect(rotated.open(before, context)).toBe(secret);
    const after = rotated.seal(secret, context);
    expect(keyIdOf(after)).toBe('k2');
    expect(rotated.open(after, context)).toBe(secret);
  });

  it('names the key id it lacks, and where keys come from, when a key was removed', () => {
    const sealed = ring(entry('k1')).seal(secret, context);
    const err = failure(() => ring(entry('k2')).open(sealed, context));
    expect(err.code).toBe('SECRET_KEY_MISSING');
    expect(err.message).toBe(`the secret of ${context} is sealed with key k1, which LEADFLOW_SECRET_KEYS does not hold: add it back`);
  });

  it('refuses what is not a sealed value, without quoting it', () => {
    const keys = ring(entry('k1'));
    for (const text of [secret, 'v1.k1.short.x', 'v2.k1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA', '']) {
      const err = failure(() => keys.open(text, context));
      expect(err.code).toBe('SECRET_MALFORMED');
      if (text) expect(err.message).not.toContain(text);
    }
    expect(keyIdOf(secret)).toBeUndefined();
  });

  it('needs the identity of the record', () => {
    const keys = ring(entry('k1'));
    expect(() => keys.seal(secret, '')).toThrow(TypeError);
    expect(() => keys.open(keys.seal(secret, context), '')).toThrow(TypeError);
  });

  it('shows its key ids, never its key bytes, when printed or serialized', () => {
    const k1 = entry('k1');
    const keys = ring(k1);
    const base64 = k1.slice(3);
    const hex = Buffer.from(base64, 'base64').toString('hex');
    for (const shown of [JSON.stringify(keys), inspect(keys, { depth: 10, showHidden: true }), JSON.stringify(parseSecretKeys(k1)), inspect(parseSecretKeys(k1), { depth: 10 })]) {
      expect(shown).not.toContain(base64);
      expect(shown).not.toContain(hex);
    }
    expect(JSON.stringify(keys)).toContain('"sealingKeyId":"k1"');
  });
});

describe('keyed hashes', () => {
  const [k1, k2] = [entry('k1'), entry('k2')];
  it('hash a value alike under the same key and purpose, apart under another purpose or key, and never as a plain HMAC of the key', async () => {
    const { createHmac } = await import('node:crypto');
    const a = ring(k1, k2);
    const phone = '+12015550123';
    const first = a.keyedHash('dnc-audit-phone', phone);
    expect(first.keyId).toBe('k1');
    expect(first.hash).toHaveLength(32);
    expect(ring(k1).keyedHash('dnc-audit-phone', phone).hash.equals(first.hash)).toBe(true);
    expect(a.keyedHash('another-purpose', phone).hash.equals(first.hash)).toBe(false);
    expect(ring(k2, k1).keyedHash('dnc-audit-phone', phone).hash.equals(first.hash)).toBe(false);
    const rawKey = Buffer.from(k1.split(':')[1]!, 'base64');
    expect(createHmac('sha256', rawKey).update(phone).digest().equals(first.hash)).toBe(false);
    // After a rotation the value is still found under the key that hashed it.
    const rotated = ring(k2, k1).keyedHashes('dnc-audit-phone', phone);
    expect(rotated.map((h) => h.keyId)).toEqual(['k2', 'k1']);
    expect(rotated[1]!.hash.equals(first.hash)).toBe(true);
  });
});
