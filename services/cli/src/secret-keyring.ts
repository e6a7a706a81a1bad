import { resolve } from 'node:path';
import { createKeyring, keyringFromFile, newKeyEntry, parseSecretKeys, type Keyring } from '@leadflow/secrets';

/** `<data folder>.keys`: beside the folder, as its `.lock` is, never inside it (docs/secrets.md). */
export const keyFileOf = (dataDir: string): string => `${resolve(dataDir)}.keys`;

/**
 * The keys `leadflow run` and `serve` seal webhook secrets with: LEADFLOW_SECRET_KEYS when set,
 * else the key file beside the data folder, made with one new key (mode 0600) the first time, so
 * that local use needs no setting. A database copied without that file keeps its secrets sealed.
 * Without a data folder the database is in memory, and so is its key.
 */
export function secretKeyring(fromEnvironment: Keyring | null, dataDir: string | undefined): Keyring {
  if (fromEnvironment) return fromEnvironment;
  if (dataDir === undefined) return createKeyring(parseSecretKeys(newKeyEntry('memory')), 'the key of this process');
  return keyringFromFile(keyFileOf(dataDir));
}
