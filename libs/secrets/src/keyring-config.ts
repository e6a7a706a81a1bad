import { custom } from '@leadflow/config';
import { createKeyring, type Keyring } from './keyring.js';
import { HOW_TO_MAKE_A_KEY, parseSecretKeys } from './secret-keys.js';

export const SECRET_KEYS_VARIABLE = 'LEADFLOW_SECRET_KEYS';

const DESCRIPTION =
  `keys that seal webhook secrets at rest, ID:KEY,ID:KEY (the first seals, every one opens), each KEY 32 random bytes ` +
  `in base64; ${HOW_TO_MAKE_A_KEY}, e.g. ${SECRET_KEYS_VARIABLE}=k1:$(openssl rand -base64 32)`;

const readKeyring = (raw: string): Keyring => createKeyring(parseSecretKeys(raw), SECRET_KEYS_VARIABLE);

/** LEADFLOW_SECRET_KEYS, required: for the services that read or write secrets (docs/secrets.md). */
export const secretKeysSchema = {
  secretKeys: [SECRET_KEYS_VARIABLE, custom('a key list', readKeyring, { description: DESCRIPTION })],
} as const;

/** LEADFLOW_SECRET_KEYS where a key file stands in when it is unset (`leadflow run` and `serve`): null then. */
export const optionalSecretKeysSchema = {
  secretKeys: [SECRET_KEYS_VARIABLE, custom<Keyring | null>('a key list', readKeyring, { default: null, description: DESCRIPTION })],
} as const;
