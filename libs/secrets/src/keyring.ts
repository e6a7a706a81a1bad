import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { SecretsError } from './secrets-error.js';
import type { SecretKey } from './secret-keys.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** `v1.<key id>.<iv>.<ciphertext and tag>`, both base64url: 12 bytes are 16 characters, a tag alone 22. */
const SEALED = /^v1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,})$/;

/**
 * Seals and opens secrets (docs/secrets.md). The key bytes stay inside: a keyring logged,
 * printed or serialized shows its key ids only.
 */
export interface Keyring {
  /** The key that seals: the first of the list. */
  readonly sealingKeyId: string;
  /** Every key that opens, the sealing one first. */
  readonly keyIds: readonly string[];
  /** Where the keys came from, as messages name it: `LEADFLOW_SECRET_KEYS`, or `the key file <path>`. */
  readonly source: string;
  /**
   * Seals `secret` for one record: `context` names it (table, column and row id), and the sealed
   * value opens only with the same context, so a value copied to another record does not open.
   */
  seal(secret: string, context: string): string;
  /** The secret of a value `seal` made with this context; a SecretsError when it does not open. */
  open(sealed: string, context: string): string;
  holds(keyId: string): boolean;
  /**
   * HMAC-SHA256 of `value` under a key derived (HKDF-SHA256) from the sealing key for `purpose`
   * alone, so that no two uses share a key and the keys themselves never hash anything: how a
   * value is kept findable without being kept (docs/secrets.md, "Keyed hashes").
   */
  keyedHash(purpose: string, value: string): { keyId: string; hash: Buffer };
  /** The keyed hash of `value` under every key the ring holds, the sealing one first: finding a value hashed before a rotation. */
  keyedHashes(purpose: string, value: string): { keyId: string; hash: Buffer }[];
}

/** The id of the key a value was sealed with; undefined when it is not a sealed value. */
export function keyIdOf(sealed: string): string | undefined {
  return SEALED.exec(sealed)?.[1];
}

// The version and key id are authenticated too: a value cannot be passed off as sealed otherwise.
const additionalData = (keyId: string, context: string) => Buffer.from(`${VERSION}.${keyId}.${context}`, 'utf8');

function checkContext(context: string): void {
  if (context.length === 0) throw new TypeError('a sealed secret needs the identity of its record as context');
}

/** A keyring of `keys`, the first sealing; `source` is named in errors. */
export function createKeyring(keys: readonly SecretKey[], source: string): Keyring {
  if (keys.length === 0) throw new TypeError('a keyring needs at least one key');
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  const sealing = keys[0]!;
  const derived = new Map<string, KeyObject>();
  const hashWith = (keyId: string, purpose: string, value: string) => {
    let key = derived.get(`${keyId}\0${purpose}`);
    if (!key) {
      key = createSecretKey(Buffer.from(hkdfSync('sha256', byId.get(keyId)!, Buffer.alloc(0), `leadflow keyed hash: ${purpose}`, 32)));
      derived.set(`${keyId}\0${purpose}`, key);
    }
    return { keyId, hash: createHmac('sha256', key).update(value, 'utf8').digest() };
  };
  return Object.freeze({
    keyedHash: (purpose: string, value: string) => hashWith(sealing.id, purpose, value),
    keyedHashes: (purpose: string, value: string) => keys.map((k) => hashWith(k.id, purpose, value)),
    sealingKeyId: sealing.id,
    keyIds: Object.freeze(keys.map((k) => k.id)),
    source,
    holds: (keyId: string) => byId.has(keyId),
    seal(secret: string, context: string): string {
      checkContext(context);
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', sealing.key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(sealing.id, context));
      const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${sealing.id}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
    },
    open(sealed: string, context: string): string {
      checkContext(context);
      const parts = SEALED.exec(sealed);
      if (!parts) throw new SecretsError('SECRET_MALFORMED', `the secret of ${context} is not a sealed value (${VERSION}.<key id>.<iv>.<ciphertext>)`);
      const [, keyId, iv, body] = parts as unknown as [string, string, string, string];
      const key = byId.get(keyId);
      if (!key) throw new SecretsError('SECRET_KEY_MISSING', `the secret of ${context} is sealed with key ${keyId}, which ${source} does not hold: add it back`);
      const bytes = Buffer.from(body, 'base64url');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
        decipher.setAAD(additionalData(keyId, context));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretsError(
          'SECRET_UNREADABLE',
          `the secret of ${context} does not open with key ${keyId}: it was altered or copied from another record, or ${source} holds another key under the id ${keyId}`,
        );
      }
    },
  });
}
