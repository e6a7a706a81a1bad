import { fileURLToPath } from 'node:url';
import type { Migrations } from '@leadflow/stores';

export { createOutboxStage, leadJson } from './outbox-writer.js';
export type { Destination, OutboxWriterOptions } from './outbox-writer.js';
export { createDispatcher, OUTBOX_CHANNEL, previousSecretContext } from './dispatcher.js';
export type { Dispatcher, DispatcherOptions } from './dispatcher.js';
export { createOutboxStore } from './outbox-store.js';
export type { OutboxStore, ClaimedEvent } from './outbox-store.js';
export { eventId } from './event-ids.js';
export { writeLeadChanges } from './lead-changes.js';
export type { LeadChange } from './lead-changes.js';
export { writeLeadSuppressed } from './lead-suppressed.js';
export type { SuppressedLeadEvent, SuppressedOutcome } from './lead-suppressed.js';
export { eventSchema } from './event-schemas.js';
export { DEFAULT_RETRY_SCHEDULE, nextWait, parseRetrySchedule, retryAfterMs } from './retry-schedule.js';
export { envelope, newWebhookSecret, signature, webhookHeaders } from './standard-webhooks.js';
export { bucketCapacity, createMemoryTokenBuckets } from './token-buckets.js';
export type { Bucket, TokenBuckets } from './token-buckets.js';
export { createSqlDeliveryStore } from './delivery-store.js';
export type { DeliveryStore, DeliveryOutcome } from './delivery-store.js';
export { createSqlEndpointStore, defaultSecretContext, endpointSecretContext, sealEndpointSecrets } from './endpoint-store.js';
export type { Endpoint, EndpointStore, NewEndpoint, SealReport } from './endpoint-store.js';
export {
  ATTEMPTS_SHOWN, createEndpointAdmin, DELIVERY_STATUSES, isEndpointId, PREVIOUS_SECRET_VALID_MS, RATE_WINDOW_SECONDS,
  WEBHOOK_EVENTS, WEBHOOK_MODES,
} from './endpoint-admin.js';
export type {
  DefaultSecret, DeliveryAttemptView, DeliveryQuery, DeliveryStatus, DeliveryView, EndpointAdmin, EndpointSecrets, EndpointSettings, EndpointView, JobRate,
  ReplayQuery, WebhookEvent, WebhookMode,
} from './endpoint-admin.js';
export { rememberEndpoints } from './remembered-endpoints.js';
export type { RememberedEndpointsOptions } from './remembered-endpoints.js';
export { attemptWebhook } from './webhook.js';
export type { AttemptRequest, AttemptResult } from './webhook.js';

export const migrations: Migrations = {
  owner: 'delivery',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};
export { dispatcherSchema } from './dispatcher-config.js';
