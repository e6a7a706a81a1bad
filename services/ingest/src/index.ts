export { readRows, uploadFailed } from './read-rows.js';
export type { ReadRowsOptions } from './read-rows.js';
export { decodeText } from './decode-text.js';
export { createUploadAssembler } from './upload-assembler.js';
export { openUploadReader } from './upload-reader.js';
export type { UploadReader, UploadReaderOptions } from './upload-reader.js';
export type { RowSpoolOptions } from './row-spool.js';
export { limitsFromConfig, limitsSchema } from './limits.js';
export type { ReadLimits } from './limits.js';
