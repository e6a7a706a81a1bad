export { keyFileText, keyringFromFile } from './key-file.js';
export { createKeyring, keyIdOf } from './keyring.js';
export type { Keyring } from './keyring.js';
export { optionalSecretKeysSchema, SECRET_KEYS_VARIABLE, secretKeysSchema } from './keyring-config.js';
export { HOW_TO_MAKE_A_KEY, KEY_ID, newKeyEntry, parseSecretKeys } from './secret-keys.js';
export type { SecretKey } from './secret-keys.js';
export { SecretsError } from './secrets-error.js';
export type { SecretsErrorCode } from './secrets-error.js';
