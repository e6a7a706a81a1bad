export { infraEnv, uniqueName } from './infra-env.js';
export { startWebhookReceiver } from './webhook-receiver.js';
export type { WebhookReceiver, ReceivedRequest } from './webhook-receiver.js';
export { waitUntil } from './wait-until.js';
export { readCsvFile, tempDir } from './files.js';
export { generateLeadFile } from './lead-file.js';
export type { Expected, GeneratedRow, LeadFile, LeadFileOptions } from './lead-file.js';
