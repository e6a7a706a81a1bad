import {
  DELIVERY_STATUSES, WEBHOOK_EVENTS, WEBHOOK_MODES, type DeliveryStatus, type EndpointAdmin, type EndpointSettings, type EndpointView, type WebhookEvent,
  type WebhookMode,
} from '@leadflow/delivery';
import { checkOutboundUrl, OutboundRefusal, type OutboundRules, type Resolve } from '@leadflow/outbound';
import { errors, GatewayError } from './gateway-error.js';

/**
 * The control surface of delivery over the API (docs/delivery.md, "Endpoints, rate, deliveries
 * and replay (API)"): the tenant's webhook endpoints and secrets, a job's rate, its deliveries,
 * replays. Values are checked here, for REST and gRPC alike; delivery's endpoint-admin.ts writes
 * them. Another tenant's endpoint is WEBHOOK_NOT_FOUND, as one that never was.
 */

/** The most requests a second a rate may be set to (0 is unlimited). */
export const MAX_PER_SECOND = 10_000;
export const MAX_BATCH_SIZE = 1000;
export const MAX_HEADERS = 20;
export const MAX_DESCRIPTION = 500;
export const DELIVERY_PAGE = { default: 100, max: 1000 } as const;

/** Headers delivery sets itself, or that no one may set per endpoint. */
const RESERVED_HEADER = /^(webhook-.*|content-type|content-length|host|connection|transfer-encoding|user-agent|te|upgrade|keep-alive|expect|trailer)$/i;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
/** Visible characters and spaces: no CR, LF or other control character. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]{0,1000}$/;

export interface WebhookServiceOptions {
  admin?: EndpointAdmin;
  /** Where an endpoint may point (OUTBOUND_ALLOW_CIDRS, OUTBOUND_ALLOW_HTTP), checked when it is saved. */
  outbound: OutboundRules;
  resolve?: Resolve;
  /** Whether the tenant has this job (JOB_NOT_FOUND otherwise). */
  jobExists(jobId: string, tenantId: string): Promise<void>;
}

const invalid = (message: string) => new GatewayError('INVALID_WEBHOOK', message);
const notFound = (id: string) => new GatewayError('WEBHOOK_NOT_FOUND', `no webhook endpoint "${id.slice(0, 100)}" for this tenant: GET /v1/webhooks lists them`);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const wholeIn = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

const FIELDS = ['url', 'mode', 'batchSize', 'perSecond', 'events', 'headers', 'description', 'enabled'] as const;

/** The fields of a body that are present, checked; `creating` needs url and mode. */
function settingsOf(body: unknown, creating: boolean): Partial<Omit<EndpointSettings, 'url'>> & { url?: string } {
  if (!isObject(body)) throw invalid('send the endpoint as a JSON object');
  const unknown = Object.keys(body).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw invalid(`unknown field ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}: the fields are ${FIELDS.join(', ')}`);
  const out: ReturnType<typeof settingsOf> = {};
  if (body.url !== undefined || creating) {
    if (typeof body.url !== 'string' || body.url.length === 0 || body.url.length > 2000) throw invalid('url must be an http or https URL of at most 2000 characters');
    out.url = body.url;
  }
  if (body.mode !== undefined || creating) {
    if (!(WEBHOOK_MODES as readonly unknown[]).includes(body.mode)) throw invalid('mode must be "record" (one request per lead) or "batch" (up to batchSize leads a request)');
    out.mode = body.mode as WebhookMode;
  }
  if (body.batchSize !== undefined) {
    if (!wholeIn(body.batchSize, 1, MAX_BATCH_SIZE)) throw invalid(`batchSize must be a whole number from 1 to ${MAX_BATCH_SIZE}`);
    out.batchSize = body.batchSize;
  }
  if (body.perSecond !== undefined) {
    if (!wholeIn(body.perSecond, 0, MAX_PER_SECOND)) throw invalid(`perSecond must be a whole number from 0 (unlimited) to ${MAX_PER_SECOND}`);
    out.perSecond = body.perSecond;
  }
  if (body.events !== undefined) {
    const events = body.events;
    if (!Array.isArray(events) || events.length === 0 || events.some((e) => !(WEBHOOK_EVENTS as readonly unknown[]).includes(e))) {
      throw invalid(`events must be a list of one or more of ${WEBHOOK_EVENTS.join(', ')}`);
    }
    out.events = [...new Set(events as WebhookEvent[])];
  }
  if (body.headers !== undefined) {
    const headers = body.headers;
    if (!isObject(headers)) throw invalid('headers must be an object of header names to values');
    const entries = Object.entries(headers);
    if (entries.length > MAX_HEADERS) throw invalid(`headers may hold at most ${MAX_HEADERS} headers`);
    const names = new Set<string>();
    for (const [name, value] of entries) {
      if (!HEADER_NAME.test(name)) throw invalid(`header "${name.slice(0, 40)}" is not a header name`);
      if (RESERVED_HEADER.test(name)) throw invalid(`header "${name}" is delivery's own (webhook-*, content-type and the connection's): it cannot be set`);
      if (names.has(name.toLowerCase())) throw invalid(`header "${name}" is given twice`);
      names.add(name.toLowerCase());
      if (typeof value !== 'string' || !HEADER_VALUE.test(value)) throw invalid(`header "${name}" must be a string of at most 1000 characters without line breaks`);
    }
    out.headers = headers as Record<string, string>;
  }
  if (body.description !== undefined) {
    if (typeof body.description !== 'string' || body.description.length > MAX_DESCRIPTION) throw invalid(`description must be text of at most ${MAX_DESCRIPTION} characters`);
    out.description = body.description;
  }
  if (body.enabled !== undefined) {
    if (typeof body.enabled !== 'boolean') throw invalid('enabled must be true or false');
    out.enabled = body.enabled;
  }
  return out;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

function timeOf(value: unknown, name: string): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const at = typeof value === 'string' && ISO_TIME.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(at.getTime())) throw new GatewayError('INVALID_REPLAY', `${name} must be an ISO 8601 time with its offset (2026-05-01T09:30:00Z) or a date`);
  return at;
}

export type WebhookService = ReturnType<typeof createWebhookService>;

export function createWebhookService(opts: WebhookServiceOptions) {
  const admin = () => {
    if (!opts.admin) throw new GatewayError('INTERNAL', 'this gateway has no secret keys (LEADFLOW_SECRET_KEYS): it cannot manage webhook endpoints');
    return opts.admin;
  };

  async function checkUrl(url: string) {
    if (!/^https?:\/\/[^\s]+$/i.test(url)) throw errors.badWebhook(url);
    try {
      await checkOutboundUrl(url, opts.outbound, opts.resolve);
    } catch (err) {
      throw err instanceof OutboundRefusal ? errors.forbiddenWebhook(url, err.reason) : err;
    }
  }

  const found = <T>(id: string, value: T | undefined): T => {
    if (value === undefined) throw notFound(id);
    return value;
  };

  return {
    /** POST /v1/webhooks: the endpoint, and its secret (shown here and by getWebhookSecret only). */
    async createWebhook(tenantId: string, body: unknown): Promise<EndpointView & { secret: string }> {
      const s = settingsOf(body, true);
      await checkUrl(s.url!);
      const { endpoint, secret } = await admin().create(tenantId, {
        url: s.url!, mode: s.mode!, batchSize: s.batchSize ?? 500, perSecond: s.perSecond ?? 0, events: s.events ?? [...WEBHOOK_EVENTS],
        headers: s.headers ?? {}, description: s.description ?? '', enabled: s.enabled ?? true,
      });
      return { ...endpoint, secret };
    },
    listWebhooks: async (tenantId: string) => ({ webhooks: await admin().list(tenantId) }),
    getWebhook: async (id: string, tenantId: string) => found(id, await admin().get(tenantId, id)),
    async updateWebhook(id: string, tenantId: string, body: unknown): Promise<EndpointView> {
      const patch = settingsOf(body, false);
      found(id, await admin().get(tenantId, id));
      if (patch.url !== undefined) await checkUrl(patch.url);
      return found(id, await admin().update(tenantId, id, patch));
    },
    async deleteWebhook(id: string, tenantId: string): Promise<void> {
      if (!(await admin().remove(tenantId, id))) throw notFound(id);
    },
    rotateWebhookSecret: async (id: string, tenantId: string) => found(id, await admin().rotate(tenantId, id)),
    getWebhookSecret: async (id: string, tenantId: string) => found(id, await admin().secrets(tenantId, id)),
    getDefaultWebhookSecret: (tenantId: string) => admin().defaultSecret(tenantId),
    rotateDefaultWebhookSecret: (tenantId: string) => admin().rotateDefaultSecret(tenantId),

    /** PUT /v1/jobs/{id}/rate: the job's delivery rate from now (0: unlimited), and the one before (null: none was set). */
    async setJobRate(jobId: string, tenantId: string, body: unknown): Promise<{ previous: number | null; perSecond: number }> {
      const perSecond = isObject(body) ? body.perSecond : undefined;
      if (!isObject(body) || Object.keys(body).some((k) => k !== 'perSecond') || !wholeIn(perSecond, 0, MAX_PER_SECOND)) {
        throw new GatewayError('INVALID_JOB_RATE', `send {"perSecond": N}, N a whole number from 0 (unlimited) to ${MAX_PER_SECOND}`);
      }
      await opts.jobExists(jobId, tenantId);
      return admin().setJobRate(tenantId, jobId, perSecond);
    },

    /** GET /v1/deliveries: the tenant's deliveries newest first, a page at a time. */
    async listDeliveries(tenantId: string, q: { status?: string; job?: string; endpoint?: string; limit?: number; after?: string }) {
      const bad = (message: string) => new GatewayError('INVALID_QUERY', message);
      if (q.status && !(DELIVERY_STATUSES as readonly string[]).includes(q.status)) throw bad(`status must be one of ${DELIVERY_STATUSES.join(', ')}`);
      const limit = q.limit ?? DELIVERY_PAGE.default;
      if (!Number.isInteger(limit) || limit < 1 || limit > DELIVERY_PAGE.max) throw bad(`limit must be a whole number from 1 to ${DELIVERY_PAGE.max}`);
      if ((q.job?.length ?? 0) > 100 || (q.endpoint?.length ?? 0) > 100 || (q.after?.length ?? 0) > 200) throw bad('job and endpoint are ids of at most 100 characters, after the "next" of the page before');
      const page = await admin().listDeliveries(tenantId, {
        status: (q.status || undefined) as DeliveryStatus | undefined, job: q.job || undefined, endpoint: q.endpoint || undefined, limit, after: q.after || undefined,
      });
      if (!page) throw bad('after must be the "next" of the page before, as it was answered');
      return page;
    },

    /** POST /v1/webhooks/{id}/replay: the endpoint's ended events that match, pending again, their ids kept. */
    async replayWebhook(id: string, tenantId: string, body: unknown): Promise<{ replayed: number; leads: number }> {
      const b = body ?? {};
      if (!isObject(b) || Object.keys(b).some((k) => !['job', 'from', 'to', 'status'].includes(k))) {
        throw new GatewayError('INVALID_REPLAY', 'send {"job"?, "from"?, "to"?, "status"?: "failed" | "delivered"}, each optional');
      }
      if (b.job !== undefined && b.job !== '' && (typeof b.job !== 'string' || b.job.length > 100)) throw new GatewayError('INVALID_REPLAY', 'job must be a job id');
      if (b.status !== undefined && b.status !== '' && b.status !== 'failed' && b.status !== 'delivered') {
        throw new GatewayError('INVALID_REPLAY', 'status must be "failed" or "delivered" (both when left out)');
      }
      const from = timeOf(b.from, 'from');
      const to = timeOf(b.to, 'to');
      if (from && to && from >= to) throw new GatewayError('INVALID_REPLAY', 'from must be before to');
      const r = await admin().replay(tenantId, id, {
        job: (b.job as string) || undefined, from, to, status: (b.status as 'failed' | 'delivered') || undefined,
      });
      return { replayed: found(id, r).events, leads: r!.leads };
    },
  };
}
