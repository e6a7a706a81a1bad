import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/** A key id: short, and free of the separators of the key list (`,` `:`) and of a sealed value (`.`). */
export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export const KEY_BYTES = 32;

/** What every message about a bad key ends with. */
export const HOW_TO_MAKE_A_KEY = 'make one with: openssl rand -base64 32';

/** One key of a keyring. The bytes are a KeyObject, which prints and serializes without them. */
export interface SecretKey {
  readonly id: string;
  readonly key: KeyObject;
}

// Standard or URL-safe base64, padding optional: `openssl rand -base64 32` gives the first.
const BASE64 = /^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/;

/**
 * Reads a key list, `ID:KEY,ID:KEY` (commas or line breaks between keys), each KEY 32 bytes in
 * base64; the first key is the one that seals. Throws an Error whose message reads after the
 * name of the variable or file ("has ...") and never quotes a key, nor any part of an entry that
 * may be one: entries are named by position, ids only once they are valid.
 */
export function parseSecretKeys(raw: string): SecretKey[] {
  const entries = raw.split(/[,\r\n]/).map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error(`lists no key: write ID:KEY, e.g. k1:KEY; ${HOW_TO_MAKE_A_KEY}`);
  const keys: SecretKey[] = [];
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const place = entries.length === 1 ? 'its key' : `key ${i + 1} of ${entries.length}`;
    if (colon < 0) throw new Error(`has ${place} without an id: write ID:KEY, e.g. k1:KEY; ${HOW_TO_MAKE_A_KEY}`);
    const id = entry.slice(0, colon).trim();
    const text = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) throw new Error(`has ${place} with an id that is not 1 to 32 letters, digits, "-" or "_"`);
    if (keys.some((k) => k.id === id)) throw new Error(`names the key id "${id}" twice: give each key an id of its own`);
    const bytes = BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
    if (bytes?.length !== KEY_BYTES) {
      const what = bytes ? `${bytes.length} bytes` : 'not base64';
      throw new Error(`has key "${id}" that is not ${KEY_BYTES} bytes in base64 (${what}): ${HOW_TO_MAKE_A_KEY}`);
    }
    keys.push({ id, key: createSecretKey(bytes) });
    bytes.fill(0);
  });
  return keys;
}

/** A new key, written as one entry of a key list: `ID:<32 random bytes in base64>`. */
export function newKeyEntry(id: string): string {
  if (!KEY_ID.test(id)) throw new TypeError(`key id must be 1 to 32 letters, digits, "-" or "_"`);
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}
