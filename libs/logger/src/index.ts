export { createLogger, PII_FIELDS, SECRET_FIELDS } from './create-logger.js';
export type { Logger, LoggerOptions } from './create-logger.js';
