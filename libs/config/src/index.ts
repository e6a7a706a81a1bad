export { ConfigError, loadConfig } from './load-config.js';
export type { ConfigSchema, ConfigOf, Env } from './load-config.js';
export { bool, custom, int, num, oneOf, port, str, url, list, shared } from './fields.js';
export type { Field } from './fields.js';
