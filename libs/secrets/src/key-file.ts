import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createKeyring, type Keyring } from './keyring.js';
import { newKeyEntry, parseSecretKeys } from './secret-keys.js';
import { SecretsError } from './secrets-error.js';

const reason = (err: unknown) => (err as { code?: string }).code ?? (err as Error).message;

/**
 * Makes the key file with one new key, unless it exists. The key is written to a file of this
 * process first, then linked into place: a link fails when the name exists, so two processes
 * starting together keep the first key made, and none ever reads a file half written.
 */
function makeKeyFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${newKeyEntry(`local-${randomBytes(4).toString('hex')}`)}\n`, { flag: 'wx', mode: 0o600 });
  try {
    linkSync(draft, path);
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(draft);
  }
}

/**
 * The key list a key file holds (the format of LEADFLOW_SECRET_KEYS), made with one new key
 * (mode 0600) when the file does not exist. Refused when other users may read or write it.
 */
export function keyFileText(path: string): string {
  const problem = (what: string) => new SecretsError('SECRET_KEY_FILE', `the key file ${path} ${what}`);
  let stat;
  try {
    try {
      stat = statSync(path);
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENOENT') throw err;
      makeKeyFile(path);
      stat = statSync(path);
    }
  } catch (err) {
    throw problem(`cannot be made or read (${reason(err)}): make its folder writable, or set LEADFLOW_SECRET_KEYS`);
  }
  if (!stat.isFile()) throw problem('is not a file: move it away, or set LEADFLOW_SECRET_KEYS');
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw problem(`may be read or changed by other users (mode ${mode}): chmod 600 ${path}`);
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw problem(`cannot be read (${reason(err)})`);
  }
}

/** The keyring of a key file, made with one new key when it does not exist (see keyFileText). */
export function keyringFromFile(path: string): Keyring {
  const source = `the key file ${path}`;
  try {
    return createKeyring(parseSecretKeys(keyFileText(path)), source);
  } catch (err) {
    if (err instanceof SecretsError) throw err;
    throw new SecretsError('SECRET_KEY_FILE', `${source} ${(err as Error).message}`);
  }
}
