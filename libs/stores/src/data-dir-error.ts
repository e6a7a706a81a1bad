/** The embedded database's folder cannot be used; the message says why and what to do. */
export class DataDirError extends Error {
  constructor(
    readonly code: 'DATA_DIR_IN_USE' | 'DATA_DIR_NOT_A_DATABASE' | 'DATA_DIR_UNREADABLE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DataDirError';
  }
}
