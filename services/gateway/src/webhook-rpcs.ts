import type { ServerUnaryCall } from '@grpc/grpc-js';
import { eventSchema, type DefaultSecret, type DeliveryView, type EndpointSecrets, type EndpointView } from '@leadflow/delivery';
import type {
  CreateWebhookRequest, CreateWebhookResponse, DefaultWebhookSecret, Delivery, DeleteWebhookRequest, DeleteWebhookResponse, EventSchema, GetEventSchemaRequest, GetWebhookRequest,
  GetWebhookSecretRequest, LeadflowGatewayServer, ListDeliveriesRequest, ListDeliveriesResponse, ListWebhooksResponse, ReplayWebhookRequest,
  ReplayWebhookResponse, RotateWebhookSecretRequest, SetJobRateRequest, SetJobRateResponse, UpdateWebhookRequest, Webhook, WebhookSecret,
} from '@leadflow/proto';
import { GatewayError } from './gateway-error.js';
import type { JobService } from './job-service.js';
import type { Unary } from './mapping-rpcs.js';

const toWebhook = (v: EndpointView): Webhook => ({
  id: v.id,
  url: v.url,
  mode: v.mode,
  batchSize: v.batchSize,
  perSecond: v.perSecond,
  events: v.events,
  headers: v.headers,
  description: v.description,
  enabled: v.enabled,
  disabledReason: v.disabledReason ?? '',
  previousSecretExpiresAt: v.previousSecretExpiresAt ?? '',
  circuitOpenUntil: v.circuitOpenUntil ?? '',
  createdAt: v.createdAt,
  updatedAt: v.updatedAt,
});

const toSecret = (s: EndpointSecrets): WebhookSecret => ({
  id: s.id, secret: s.secret ?? '', previousSecret: s.previousSecret ?? '', previousSecretExpiresAt: s.previousSecretExpiresAt ?? '',
});

const toDefaultSecret = (s: DefaultSecret): DefaultWebhookSecret => ({
  secret: s.secret, previousSecret: s.previousSecret ?? '', previousSecretExpiresAt: s.previousSecretExpiresAt ?? '', createdAt: s.createdAt,
});

const toDelivery = (d: DeliveryView): Delivery => ({
  id: d.id,
  endpoint: d.endpoint ?? '',
  url: d.url,
  event: d.event,
  job: d.job ?? '',
  leads: d.leads,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.nextAttemptAt ?? '',
  lastHttpStatus: d.lastHttpStatus ?? undefined,
  lastError: d.lastError ?? '',
  createdAt: d.createdAt,
  deliveredAt: d.deliveredAt ?? '',
  history: d.history.map((a) => ({ attempt: a.attempt, startedAt: a.startedAt, durationMs: a.durationMs, httpStatus: a.httpStatus ?? undefined, error: a.error ?? '' })),
});

/** Only the fields that were set, as the JSON body REST takes: the same checks for both. */
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The gRPC twins of the webhook routes (webhook-routes.ts), over the same service. */
export function webhookRpcs(service: JobService, unary: Unary): Pick<
  LeadflowGatewayServer,
  | 'createWebhook' | 'listWebhooks' | 'getWebhook' | 'updateWebhook' | 'deleteWebhook' | 'rotateWebhookSecret' | 'getWebhookSecret' | 'getDefaultWebhookSecret'
  | 'rotateDefaultWebhookSecret' | 'setJobRate' | 'listDeliveries' | 'replayWebhook' | 'getEventSchema'
> {
  return {
    createWebhook: unary('createWebhook', async (call: ServerUnaryCall<CreateWebhookRequest, CreateWebhookResponse>, tenantId) => {
      const r = call.request;
      const { secret, ...webhook } = await service.createWebhook(
        tenantId,
        defined({
          url: r.url, mode: r.mode, batchSize: r.batchSize, perSecond: r.perSecond, events: r.events.length > 0 ? r.events : undefined,
          headers: Object.keys(r.headers).length > 0 ? r.headers : undefined, description: r.description || undefined, enabled: r.enabled,
        }),
      );
      return { webhook: toWebhook(webhook), secret };
    }),
    listWebhooks: unary('listWebhooks', async (_call, tenantId): Promise<ListWebhooksResponse> => ({
      webhooks: (await service.listWebhooks(tenantId)).webhooks.map(toWebhook),
    })),
    getWebhook: unary('getWebhook', async (call: ServerUnaryCall<GetWebhookRequest, Webhook>, tenantId) => toWebhook(await service.getWebhook(call.request.id, tenantId))),
    updateWebhook: unary('updateWebhook', async (call: ServerUnaryCall<UpdateWebhookRequest, Webhook>, tenantId) => {
      const r = call.request;
      return toWebhook(
        await service.updateWebhook(
          r.id,
          tenantId,
          defined({
            url: r.url, mode: r.mode, batchSize: r.batchSize, perSecond: r.perSecond, events: r.events?.types, headers: r.headers?.headers,
            description: r.description, enabled: r.enabled,
          }),
        ),
      );
    }),
    deleteWebhook: unary('deleteWebhook', async (call: ServerUnaryCall<DeleteWebhookRequest, DeleteWebhookResponse>, tenantId) => {
      await service.deleteWebhook(call.request.id, tenantId);
      return {};
    }),
    rotateWebhookSecret: unary('rotateWebhookSecret', async (call: ServerUnaryCall<RotateWebhookSecretRequest, WebhookSecret>, tenantId) =>
      toSecret(await service.rotateWebhookSecret(call.request.id, tenantId)),
    ),
    getWebhookSecret: unary('getWebhookSecret', async (call: ServerUnaryCall<GetWebhookSecretRequest, WebhookSecret>, tenantId) =>
      toSecret(await service.getWebhookSecret(call.request.id, tenantId)),
    ),
    getDefaultWebhookSecret: unary('getDefaultWebhookSecret', async (_call, tenantId) => toDefaultSecret(await service.getDefaultWebhookSecret(tenantId))),
    rotateDefaultWebhookSecret: unary('rotateDefaultWebhookSecret', async (_call, tenantId) => toDefaultSecret(await service.rotateDefaultWebhookSecret(tenantId))),
    setJobRate: unary('setJobRate', async (call: ServerUnaryCall<SetJobRateRequest, SetJobRateResponse>, tenantId) => {
      const r = await service.setJobRate(call.request.id, tenantId, { perSecond: call.request.perSecond });
      return { previous: r.previous ?? undefined, perSecond: r.perSecond };
    }),
    listDeliveries: unary('listDeliveries', async (call: ServerUnaryCall<ListDeliveriesRequest, ListDeliveriesResponse>, tenantId) => {
      const r = call.request;
      const page = await service.listDeliveries(tenantId, { status: r.status, job: r.job, endpoint: r.endpoint, limit: r.limit || undefined, after: r.after });
      return { deliveries: page.deliveries.map(toDelivery), next: page.next ?? '' };
    }),
    replayWebhook: unary('replayWebhook', async (call: ServerUnaryCall<ReplayWebhookRequest, ReplayWebhookResponse>, tenantId) => {
      const r = call.request;
      return service.replayWebhook(r.id, tenantId, defined({ job: r.job || undefined, from: r.from || undefined, to: r.to || undefined, status: r.status || undefined }));
    }),
    getEventSchema: unary('getEventSchema', async (call: ServerUnaryCall<GetEventSchemaRequest, EventSchema>) => {
      const schema = eventSchema(call.request.type);
      if (!schema) throw new GatewayError('EVENT_TYPE_NOT_FOUND', `Leadflow sends no event "${call.request.type.slice(0, 40)}": the types are lead.created, lead.updated, lead.suppressed, job.completed`);
      return { json: JSON.stringify(schema) };
    }),
  };
}
