import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@leadflow/config';
import { optionalSecretKeysSchema, secretKeysSchema } from './keyring-config.js';
import { newKeyEntry, parseSecretKeys } from './secret-keys.js';

const b64 = (bytes: number) => randomBytes(bytes).toString('base64');

/** The one problem loadConfig reports for LEADFLOW_SECRET_KEYS set to `value`. */
function problem(value: string | undefined): string {
  try {
    loadConfig(secretKeysSchema, { LEADFLOW_SECRET_KEYS: value });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(1);
    return problems[0]!;
  }
  throw new Error('expected a ConfigError');
}

describe('LEADFLOW_SECRET_KEYS', () => {
  it('reads keys as openssl rand -base64 32 makes them, in standard or URL-safe base64, the first sealing', () => {
    const raw = Buffer.from(randomBytes(32));
    const value = ` k2:${b64(32)} , k1:${raw.toString('base64url')},old_key-3:${raw.toString('base64').replace(/=+$/, '')}`;
    const { secretKeys } = loadConfig(secretKeysSchema, { LEADFLOW_SECRET_KEYS: value });
    expect(secretKeys.sealingKeyId).toBe('k2');
    expect(secretKeys.keyIds).toEqual(['k2', 'k1', 'old_key-3']);
    expect(secretKeys.source).toBe('LEADFLOW_SECRET_KEYS');
  });

  it('is required where secrets are read, and the one line says how to make a key', () => {
    for (const unset of [undefined, '', '  ']) {
      expect(problem(unset)).toBe(
        'LEADFLOW_SECRET_KEYS is required (keys that seal webhook secrets at rest, ID:KEY,ID:KEY (the first seals, every one opens), ' +
          'each KEY 32 random bytes in base64; make one with: openssl rand -base64 32, e.g. LEADFLOW_SECRET_KEYS=k1:$(openssl rand -base64 32))',
      );
    }
    expect(loadConfig(optionalSecretKeysSchema, {}).secretKeys).toBeNull();
  });

  it('names what is wrong with a malformed list in one line, and never quotes a key', () => {
    const short = b64(16);
    const notBase64 = `${b64(30)}!!`;
    const cases: [string, string][] = [
      [',', 'LEADFLOW_SECRET_KEYS lists no key: write ID:KEY, e.g. k1:KEY; make one with: openssl rand -base64 32'],
      [b64(32), 'LEADFLOW_SECRET_KEYS has its key without an id: write ID:KEY, e.g. k1:KEY; make one with: openssl rand -base64 32'],
      [`k1:${short}`, 'LEADFLOW_SECRET_KEYS has key "k1" that is not 32 bytes in base64 (16 bytes): make one with: openssl rand -base64 32'],
      [`k1:${b64(32)},k2:${notBase64}`, 'LEADFLOW_SECRET_KEYS has key "k2" that is not 32 bytes in base64 (not base64): make one with: openssl rand -base64 32'],
      [`k1:${b64(32)},k 2:${b64(32)}`, 'LEADFLOW_SECRET_KEYS has key 2 of 2 with an id that is not 1 to 32 letters, digits, "-" or "_"'],
      [`k1:${b64(32)},k1:${b64(32)}`, 'LEADFLOW_SECRET_KEYS names the key id "k1" twice: give each key an id of its own'],
      [`${'k'.repeat(33)}:${b64(32)}`, 'LEADFLOW_SECRET_KEYS has its key with an id that is not 1 to 32 letters, digits, "-" or "_"'],
    ];
    for (const [value, message] of cases) {
      const line = problem(value);
      expect(line).toBe(message);
      expect(line).not.toContain('\n');
      for (const part of value.split(/[,:]/)) if (part.length >= 16) expect(line).not.toContain(part);
    }
  });

  it('makes new entries that it reads back', () => {
    const [key] = parseSecretKeys(newKeyEntry('k9'));
    expect(key!.id).toBe('k9');
    expect(key!.key.symmetricKeySize).toBe(32);
    expect(() => newKeyEntry('bad.id')).toThrow(TypeError);
  });
});
