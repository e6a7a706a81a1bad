export { readRows, uploadFailed } from './read-rows.js';
export type { ReadRowsOptions } from './read-rows.js';
export { decodeText } from './decode-text.js';
export { createUploadAssembler } from './upload-assembler.js';
export { ChunkChannel } from './chunk-channel.js';
export { limitsSchema } from './limits.js';
export type { ReadLimits } from './limits.js';
