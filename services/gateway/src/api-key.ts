import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a key may do within its tenant (issue 11): admin everything, uploader jobs, viewer reads. */
export const ROLES = ['admin', 'uploader', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 43 base62 characters hold 256.03 bits. */
const SECRET_LENGTH = 43;

/**
 * A key reads `lfk_<prefix>_<secret><checksum>`, as Stripe's and GitHub's do:
 * - `lfk_` says what it is, to a person and to secret scanners;
 * - the prefix (8 characters, ~47 bits, unique) is shown by `leadflow keys list` and finds the
 *   key's row; it is no part of the secret;
 * - the secret is 256 random bits;
 * - the checksum (32 bits of SHA-256 of what precedes it, 6 characters) lets a mistyped or cut
 *   key be refused without a database query, and lets a scanner tell a leaked key from random
 *   text. It is no proof of anything: anyone can compute it.
 * Base62 with `_` keeps the key one word (a double click selects all of it) and URL-safe.
 */
const KEY = /^(lfk_[0-9A-Za-z]{8})_[0-9A-Za-z]{43}([0-9A-Za-z]{6})$/;
/** The visible part of a key, as `leadflow keys list` shows it. */
export const API_KEY_PREFIX = /^lfk_[0-9A-Za-z]{8}$/;

/** `length` random base62 characters, each equally likely. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length + 8)) {
      // 248 = 4 × 62: the bytes above it are dropped, so that no character is likelier than another.
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

/** The 6 characters that end a key whose other characters are `body`. */
export function keyChecksum(body: string): string {
  let n = createHash('sha256').update(body).digest().readUInt32BE(0);
  let out = '';
  for (let i = 0; i < 6; i++, n = Math.floor(n / 62)) out = ALPHABET[n % 62] + out;
  return out;
}

/** A new key (shown once, then never again) and its prefix. */
export function newApiKey(): { key: string; prefix: string } {
  const prefix = `lfk_${randomBase62(8)}`;
  const body = `${prefix}_${randomBase62(SECRET_LENGTH)}`;
  return { key: body + keyChecksum(body), prefix };
}

/** The prefix of a well-formed key whose checksum holds; undefined for anything else. */
export function apiKeyPrefix(raw: string): string | undefined {
  const match = KEY.exec(raw);
  if (!match || keyChecksum(raw.slice(0, -6)) !== match[2]) return undefined;
  return match[1];
}

/**
 * What is stored of a key. SHA-256, not a slow password hash (bcrypt, scrypt, argon2): those
 * make guessing a low-entropy password from a leaked hash costly, and nobody guesses 256
 * random bits however fast the hash; a fast one keeps checking a key cheap on every request.
 */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** Whether `key` hashes to `stored`, compared in constant time so that timing tells nothing of the hash. */
export function keyMatches(key: string, stored: Uint8Array): boolean {
  const hash = hashApiKey(key);
  return stored.length === hash.length && timingSafeEqual(hash, stored);
}
