export type SecretsErrorCode =
  /** Sealed with a key id the keyring does not hold: the operator removed a key still in use. */
  | 'SECRET_KEY_MISSING'
  /** The key id is held, but the value does not open: altered, copied from another record, or another key under that id. */
  | 'SECRET_UNREADABLE'
  /** Not a sealed value at all. */
  | 'SECRET_MALFORMED'
  /** The key file cannot be made, read or used. */
  | 'SECRET_KEY_FILE';

/**
 * A secret that cannot be sealed or opened. The message names the record and the key id, never
 * a secret, a key or a sealed value; retrying cannot help: an operator must act.
 */
export class SecretsError extends Error {
  readonly retryable = false;

  constructor(
    readonly code: SecretsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SecretsError';
  }
}
