import type { Logger } from '@leadflow/logger';
import type { Metrics } from '@leadflow/metrics';
import { Disposition, type LeadBatch, type LeadRow } from '@leadflow/proto';
import { leadRecord, type Sink } from '@leadflow/pipeline';
import type { DeliveryStore } from './delivery-store.js';
import type { Endpoint, EndpointStore } from './endpoint-store.js';
import { postWebhook, type WebhookOptions, type WebhookResult } from './webhook.js';

export interface DeliveryStageOptions {
  store: DeliveryStore;
  /** The tenants' endpoints, their secrets opened (a job's own webhook URL goes unsigned). */
  endpoints: EndpointStore;
  logger: Logger;
  metrics: Metrics;
  /** Retry and timeout settings for each request. */
  webhook?: Pick<WebhookOptions, 'maxAttempts' | 'timeoutMs' | 'backoffMs'>;
  /** Every request goes through it: it connects only to addresses the outbound rules allow. */
  fetch: WebhookOptions['fetch'];
  /**
   * Asked before each request, uncached: a cancelled job's leads are not sent (docs/job-cancel.md).
   * Only a request already on its way when the cancel commits can still arrive.
   */
  isCancelled?: (jobId: string) => Promise<boolean>;
}

/** What a receiver gets for one lead. */
export function leadJson(batch: LeadBatch, row: LeadRow): Record<string, unknown> {
  return { id: row.leadId, row: row.rowNumber, supplier: batch.job?.supplier ?? '', ...leadRecord(row.lead), tags: row.tags };
}

/**
 * Sends a batch's accepted leads to the job's webhook URL, or else to the tenant's endpoints,
 * as one JSON POST per batch and endpoint, and records each lead's delivery. Leads already
 * delivered to an endpoint (a redelivered batch) are not sent again.
 */
export function createDeliveryStage(opts: DeliveryStageOptions): Sink<LeadBatch> {
  const { store, logger, metrics } = opts;
  return async (batch, signal) => {
    const job = batch.job!;
    const accepted = batch.rows.filter((r) => r.disposition === Disposition.DISPOSITION_ACCEPTED);
    if (accepted.length === 0) return;
    const endpoints: Endpoint[] = job.webhookUrl ? [{ url: job.webhookUrl, secret: null }] : await opts.endpoints.endpointsOf(job.tenantId);
    for (const endpoint of endpoints) {
      const done = await store.deliveredRows(job.jobId, endpoint.url, accepted.map((r) => r.rowNumber));
      const pending = accepted.filter((r) => !done.has(r.rowNumber));
      if (pending.length === 0) continue;
      if (await opts.isCancelled?.(job.jobId)) return;
      const body = JSON.stringify({ jobId: job.jobId, batch: batch.seq, leads: pending.map((r) => leadJson(batch, r)) });
      // An endpoint whose secret does not open gets nothing: unsigned would be refused, or worse, accepted.
      const result: WebhookResult = endpoint.refusal
        ? { ok: false, attempts: 0, error: endpoint.refusal }
        : await postWebhook(body, {
            ...opts.webhook,
            fetch: opts.fetch,
            url: endpoint.url,
            secret: endpoint.secret,
            idempotencyKey: `${job.jobId}:${batch.seq}`,
            signal,
          });
      if (result.attempts > 0) metrics.webhookRequests.inc({ result: result.ok ? 'delivered' : 'failed' });
      if (!result.ok) logger.warn({ jobId: job.jobId, status: result.status, error: result.error, attempts: result.attempts }, 'webhook delivery failed');
      await store.record(
        pending.map((r) => ({
          jobId: job.jobId,
          rowNumber: r.rowNumber,
          leadId: r.leadId,
          url: endpoint.url,
          status: result.ok ? 'delivered' : 'failed',
          attempts: result.attempts,
          httpStatus: result.status,
          error: result.error,
        })),
      );
      metrics.rows.inc({ stage: 'delivery', outcome: result.ok ? 'delivered' : 'failed' }, pending.length);
    }
  };
}
