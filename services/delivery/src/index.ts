import { fileURLToPath } from 'node:url';
import type { Migrations } from '@leadflow/stores';

export { createDeliveryStage, leadJson } from './delivery-stage.js';
export type { DeliveryStageOptions } from './delivery-stage.js';
export { createSqlDeliveryStore } from './delivery-store.js';
export type { DeliveryStore, DeliveryOutcome, DeliveryRecord } from './delivery-store.js';
export { createSqlEndpointStore, endpointSecretContext, sealEndpointSecrets } from './endpoint-store.js';
export type { Endpoint, EndpointStore, NewEndpoint, SealReport } from './endpoint-store.js';
export {
  ATTEMPTS_SHOWN, createEndpointAdmin, defaultSecretContext, DELIVERY_STATUSES, isEndpointId, newWebhookSecret, PREVIOUS_SECRET_VALID_MS, RATE_WINDOW_SECONDS,
  WEBHOOK_EVENTS, WEBHOOK_MODES,
} from './endpoint-admin.js';
export type {
  DefaultSecret, DeliveryAttemptView, DeliveryQuery, DeliveryStatus, DeliveryView, EndpointAdmin, EndpointSecrets, EndpointSettings, EndpointView, JobRate,
  ReplayQuery, WebhookEvent, WebhookMode,
} from './endpoint-admin.js';
export { rememberEndpoints } from './remembered-endpoints.js';
export type { RememberedEndpointsOptions } from './remembered-endpoints.js';
export { postWebhook, signPayload } from './webhook.js';
export type { WebhookResult, WebhookOptions } from './webhook.js';

export const migrations: Migrations = {
  owner: 'delivery',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};
