import { credentials, type ServiceError } from '@grpc/grpc-js';
import { LeadflowGatewayClient } from '@leadflow/proto';
import type { SqlClient } from '@leadflow/stores';
import { expect, it } from 'vitest';
import { withApiKey } from './api-keys.js';
import { callRest, uploadForm } from './tenant-walk.js';
import { waitUntil } from './wait-until.js';

/**
 * Issue 14's control surface of delivery as a tenant's people drive it, against a running
 * gateway (`leadflow serve`, or Kafka mode): endpoints made, read, changed and deleted, secrets
 * rotated and opened with the installation's keyring, a job's rate set over REST and gRPC and
 * shown in the job, failed deliveries replayed, and another tenant refused at each step.
 */
export interface WebhookApiScenarioOptions {
  base: string;
  grpcAddress: string;
  adminKey: string;
  viewerKey: string;
  otherAdminKey: string;
  /** The installation's database, to look at the rows as an operator would. */
  db: SqlClient;
  /** Opens a sealed value with the installation's keyring (LEADFLOW_SECRET_KEYS). */
  open(sealed: string, context: string): string;
  timeoutMs: number;
}

interface Answer {
  status: number;
  code?: string;
  body: Record<string, unknown>;
}

export interface WebhookApiScenario {
  created: Answer;
  /** The sealed secret of the new endpoint, opened with the keyring. */
  openedSecret: string;
  /** What the database holds in the plain-text column (null) and whether the sealed text shows the secret. */
  plainColumn: string | null;
  sealedShowsSecret: boolean;
  listedByViewer: Answer;
  refusals: Record<string, { status: number; code?: string }>;
  otherTenantList: Answer;
  patched: Answer;
  rotated: Answer;
  previousOpened: string;
  secretRead: Answer;
  defaultSecret: Answer;
  defaultSecretOpened: string;
  jobId: string;
  rateSet: Answer;
  rateAgainOverGrpc: { previous?: number; perSecond: number };
  jobAfterRate: Answer;
  otherTenantRate: Answer;
  /** The events seeded failed for the endpoint, their ids. */
  failedIds: string[];
  replayByOther: Answer;
  replay: Answer;
  /** The events after the replay: id, status, attempts. */
  afterReplay: { id: string; status: string; attempts: number }[];
  progressAfterReplay: { delivered: number; failed: number; pending: number } | undefined;
  deliveriesPending: Answer;
  deliveriesByOther: Answer;
  deleted: Answer;
  deletedRow: { deleted: boolean; active: boolean } | undefined;
  afterDelete: Answer;
}

const answer = async (p: ReturnType<typeof callRest>): Promise<Answer> => {
  const a = await p;
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(a.text) as Record<string, unknown>;
  } catch {
    // 204: no body.
  }
  return { status: a.status, code: a.code, body };
};

export async function runWebhookApiScenario(o: WebhookApiScenarioOptions): Promise<WebhookApiScenario> {
  const { base, db } = o;
  const rest = (key: string, method: string, path: string, json?: unknown) => answer(callRest(base, key, method, path, json === undefined ? undefined : { json }, o.timeoutMs));

  // Disabled: nothing is sent to it while the scenario runs, whatever delivery is running.
  const created = await rest(o.adminKey, 'POST', '/v1/webhooks', {
    url: 'http://127.0.0.1:9/crm', mode: 'batch', batchSize: 100, perSecond: 30, events: ['lead.created', 'job.completed'], headers: { 'X-Source': 'leadflow' },
    description: 'CRM intake', enabled: false,
  });
  const id = String(created.body.id);
  const row = (await db.query<{ secret: string | null; secret_sealed: string }>('SELECT secret, secret_sealed FROM webhook_endpoints WHERE id = $1', [id])).rows[0];
  const secret = String(created.body.secret);
  const openedSecret = row ? o.open(row.secret_sealed, `webhook_endpoints.secret_sealed/${id}`) : '';
  const listedByViewer = await rest(o.viewerKey, 'GET', '/v1/webhooks');

  const refusals: WebhookApiScenario['refusals'] = {};
  const refuse = async (name: string, p: Promise<Answer>) => {
    const a = await p;
    refusals[name] = { status: a.status, code: a.code };
  };
  await refuse('no mode', rest(o.adminKey, 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/x' }));
  await refuse('unknown event', rest(o.adminKey, 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/x', mode: 'record', events: ['lead.deleted'] }));
  await refuse('private address', rest(o.adminKey, 'POST', '/v1/webhooks', { url: 'http://10.1.2.3/x', mode: 'record' }));
  await refuse('not http', rest(o.adminKey, 'POST', '/v1/webhooks', { url: 'mailto:a@b.c', mode: 'record' }));
  await refuse('viewer creates', rest(o.viewerKey, 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/x', mode: 'record' }));
  await refuse('viewer reads secret', rest(o.viewerKey, 'GET', `/v1/webhooks/${id}/secret`));
  await refuse('other reads', rest(o.otherAdminKey, 'GET', `/v1/webhooks/${id}`));
  await refuse('other changes', rest(o.otherAdminKey, 'PATCH', `/v1/webhooks/${id}`, { enabled: true }));
  await refuse('other reads secret', rest(o.otherAdminKey, 'GET', `/v1/webhooks/${id}/secret`));
  await refuse('other rotates', rest(o.otherAdminKey, 'POST', `/v1/webhooks/${id}/rotate`));
  await refuse('other deletes', rest(o.otherAdminKey, 'DELETE', `/v1/webhooks/${id}`));
  const otherTenantList = await rest(o.otherAdminKey, 'GET', '/v1/webhooks');

  const patched = await rest(o.adminKey, 'PATCH', `/v1/webhooks/${id}`, { perSecond: 10, description: 'CRM intake (EU)' });
  const rotated = await rest(o.adminKey, 'POST', `/v1/webhooks/${id}/rotate`);
  const after = (await db.query<{ previous_secret_sealed: string }>('SELECT previous_secret_sealed FROM webhook_endpoints WHERE id = $1', [id])).rows[0];
  const previousOpened = after ? o.open(after.previous_secret_sealed, `webhook_endpoints.secret_sealed/${id}`) : '';
  const secretRead = await rest(o.adminKey, 'GET', `/v1/webhooks/${id}/secret`);
  const defaultSecret = await rest(o.adminKey, 'GET', '/v1/settings/webhook-secret');
  const tenant = (await db.query<{ tenant_id: string }>('SELECT tenant_id FROM webhook_endpoints WHERE id = $1', [id])).rows[0]?.tenant_id ?? '';
  const sealedDefault = (await db.query<{ secret_sealed: string }>('SELECT secret_sealed FROM webhook_default_secrets WHERE tenant_id = $1', [tenant])).rows[0];
  const defaultSecretOpened = sealedDefault ? o.open(sealedDefault.secret_sealed, `webhook_default_secrets.secret_sealed/${tenant}`) : '';

  // A job of the tenant, run to its end, and its rate set as it would be while it runs.
  const upload = await callRest(base, o.adminKey, 'POST', '/v1/jobs', { form: uploadForm('email\nrate-one@example.com\nrate-two@example.com\n', { supplier: 'hooks' }) }, o.timeoutMs);
  const jobId = String((JSON.parse(upload.text) as { id: string }).id);
  await waitUntil('the job to complete', async () => ((await rest(o.adminKey, 'GET', `/v1/jobs/${jobId}`)).body.status === 'completed' ? true : undefined), {
    timeoutMs: o.timeoutMs, intervalMs: 250,
  });
  const rateSet = await rest(o.adminKey, 'PUT', `/v1/jobs/${jobId}/rate`, { perSecond: 15 });
  const client = (key: string) => new LeadflowGatewayClient(o.grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
  const admin = client(o.adminKey);
  let rateAgainOverGrpc: WebhookApiScenario['rateAgainOverGrpc'];
  try {
    rateAgainOverGrpc = await new Promise((resolve, reject) =>
      admin.setJobRate({ id: jobId, perSecond: 5 }, (err: ServiceError | null, res) => (err ? reject(err) : resolve(res!))),
    );
  } finally {
    admin.close();
  }
  const jobAfterRate = await rest(o.viewerKey, 'GET', `/v1/jobs/${jobId}`);
  const otherTenantRate = await rest(o.otherAdminKey, 'PUT', `/v1/jobs/${jobId}/rate`, { perSecond: 1 });

  // Two events of the job that delivery gave up on, as its dispatcher records them, with their attempts.
  const failedIds = [`msg_hooks_${jobId.slice(0, 8)}_1`, `msg_hooks_${jobId.slice(0, 8)}_2`];
  for (const eventId of failedIds) {
    await db.query(
      `INSERT INTO delivery_events (id, tenant_id, endpoint_id, url, event_type, job_id, lead_count, payload, status, attempts, last_http_status, last_error, next_attempt_at)
       VALUES ($1, $2, $3, 'http://127.0.0.1:9/crm', 'lead.created', $4, 1, '{}', 'failed', 8, 503, 'HTTP 503', now() + interval '1 day')`,
      [eventId, tenant, id, jobId],
    );
    await db.query(
      `INSERT INTO delivery_attempts (event_id, attempt, tenant_id, started_at, duration_ms, http_status, error) VALUES ($1, 8, $2, now(), 20, 503, 'HTTP 503')`,
      [eventId, tenant],
    );
  }
  await db.query(
    `INSERT INTO delivery_progress (job_id, failed) VALUES ($1, 2) ON CONFLICT (job_id) DO UPDATE SET failed = delivery_progress.failed + 2`,
    [jobId],
  );
  const before = (await db.query<{ delivered: number; failed: number; pending: number }>('SELECT delivered, failed, pending FROM delivery_progress WHERE job_id = $1', [jobId])).rows[0]!;
  const replayByOther = await rest(o.otherAdminKey, 'POST', `/v1/webhooks/${id}/replay`, { status: 'failed' });
  const replay = await rest(o.adminKey, 'POST', `/v1/webhooks/${id}/replay`, { job: jobId, status: 'failed' });
  const afterReplay = (await db.query<{ id: string; status: string; attempts: number }>(
    'SELECT id, status, attempts FROM delivery_events WHERE id = ANY($1) ORDER BY id', [failedIds],
  )).rows;
  const moved = (await db.query<{ delivered: number; failed: number; pending: number }>('SELECT delivered, failed, pending FROM delivery_progress WHERE job_id = $1', [jobId])).rows[0];
  const progressAfterReplay = moved && { delivered: moved.delivered - before.delivered, failed: moved.failed - before.failed, pending: moved.pending - before.pending };
  const deliveriesPending = await rest(o.viewerKey, 'GET', `/v1/deliveries?endpoint=${id}&status=pending&job=${jobId}`);
  const deliveriesByOther = await rest(o.otherAdminKey, 'GET', `/v1/deliveries?job=${jobId}`);

  const deleted = await rest(o.adminKey, 'DELETE', `/v1/webhooks/${id}`);
  const deletedRow = (await db.query<{ deleted: boolean; active: boolean }>('SELECT deleted_at IS NOT NULL AS deleted, active FROM webhook_endpoints WHERE id = $1', [id])).rows[0];
  const afterDelete = await rest(o.adminKey, 'GET', `/v1/webhooks/${id}`);

  return {
    created, openedSecret, plainColumn: row?.secret ?? null, sealedShowsSecret: row ? row.secret_sealed.includes(secret.slice(6)) : true, listedByViewer, refusals,
    otherTenantList, patched, rotated, previousOpened, secretRead, defaultSecret, defaultSecretOpened, jobId, rateSet, rateAgainOverGrpc, jobAfterRate, otherTenantRate,
    failedIds, replayByOther, replay, afterReplay, progressAfterReplay, deliveriesPending, deliveriesByOther, deleted, deletedRow, afterDelete,
  };
}

const SECRET = /^whsec_[A-Za-z0-9+/]{32}$/;

/** The checks of the scenario, the same in both modes. */
export function itChecksTheWebhookApi(run: () => WebhookApiScenario): void {
  it('makes an endpoint, 201 with a whsec_ secret that the database holds sealed and the keyring opens', () => {
    const s = run();
    expect([s.created.status, s.created.body]).toEqual([
      201,
      expect.objectContaining({
        id: expect.any(String), secret: expect.stringMatching(SECRET), url: 'http://127.0.0.1:9/crm', mode: 'batch', batchSize: 100, perSecond: 30,
        events: ['lead.created', 'job.completed'], headers: { 'X-Source': 'leadflow' }, description: 'CRM intake', enabled: false,
      }),
    ]);
    expect([s.openedSecret, s.plainColumn, s.sealedShowsSecret]).toEqual([s.created.body.secret, null, false]);
    expect(s.listedByViewer.status).toBe(200);
    expect((s.listedByViewer.body.webhooks as { id: string }[]).map((w) => w.id)).toContain(s.created.body.id);
    expect(JSON.stringify(s.listedByViewer.body)).not.toContain(String(s.created.body.secret));
  });

  it('refuses bad endpoints and lesser roles with their codes, and another tenant at every step', () => {
    expect(run().refusals).toEqual({
      'no mode': { status: 400, code: 'INVALID_WEBHOOK' },
      'unknown event': { status: 400, code: 'INVALID_WEBHOOK' },
      'private address': { status: 400, code: 'WEBHOOK_URL_FORBIDDEN' },
      'not http': { status: 400, code: 'INVALID_WEBHOOK_URL' },
      'viewer creates': { status: 403, code: 'FORBIDDEN' },
      'viewer reads secret': { status: 403, code: 'FORBIDDEN' },
      'other reads': { status: 404, code: 'WEBHOOK_NOT_FOUND' },
      'other changes': { status: 404, code: 'WEBHOOK_NOT_FOUND' },
      'other reads secret': { status: 404, code: 'WEBHOOK_NOT_FOUND' },
      'other rotates': { status: 404, code: 'WEBHOOK_NOT_FOUND' },
      'other deletes': { status: 404, code: 'WEBHOOK_NOT_FOUND' },
    });
    const s = run();
    expect([s.otherTenantList.status, s.otherTenantList.body]).toEqual([200, { webhooks: [] }]);
    expect([s.otherTenantRate.status, s.otherTenantRate.code]).toEqual([404, 'JOB_NOT_FOUND']);
    expect([s.replayByOther.status, s.replayByOther.code]).toEqual([404, 'WEBHOOK_NOT_FOUND']);
    expect([s.deliveriesByOther.status, s.deliveriesByOther.body]).toEqual([200, { deliveries: [], next: null }]);
  });

  it('changes an endpoint, rotates its secret (the old one kept a day, sealed), and shows the secrets and the default secret to an admin', () => {
    const s = run();
    expect([s.patched.status, s.patched.body]).toEqual([200, expect.objectContaining({ perSecond: 10, description: 'CRM intake (EU)', batchSize: 100 })]);
    expect([s.rotated.status, s.rotated.body]).toEqual([200, expect.objectContaining({ secret: expect.stringMatching(SECRET), previousSecret: s.created.body.secret })]);
    expect(s.rotated.body.secret).not.toBe(s.created.body.secret);
    expect(s.previousOpened).toBe(s.created.body.secret);
    expect(s.secretRead.body).toEqual({ id: s.created.body.id, secret: s.rotated.body.secret, previousSecret: s.created.body.secret, previousSecretExpiresAt: expect.any(String) });
    expect([s.defaultSecret.status, s.defaultSecret.body.secret]).toEqual([200, expect.stringMatching(SECRET)]);
    expect(s.defaultSecretOpened).toBe(s.defaultSecret.body.secret);
  });

  it("sets a job's rate over REST and gRPC, answering the one before, and the job shows it", () => {
    const s = run();
    expect([s.rateSet.status, s.rateSet.body]).toEqual([200, { previous: null, perSecond: 15 }]);
    expect(s.rateAgainOverGrpc).toEqual({ previous: 15, perSecond: 5 });
    expect(s.jobAfterRate.body.deliveryRate).toEqual({ perSecond: 5, current: expect.any(Number) });
  });

  it('replays failed events: pending again with their ids and attempts, counts moved failed to pending, listed as pending', () => {
    const s = run();
    expect([s.replay.status, s.replay.body]).toEqual([200, { replayed: 2, leads: 2 }]);
    expect(s.afterReplay.map((e) => e.id)).toEqual(s.failedIds);
    for (const e of s.afterReplay) expect([e.status, e.attempts], e.id).toEqual(['pending', 8]);
    expect(s.progressAfterReplay).toEqual({ delivered: 0, failed: -2, pending: 2 });
    expect((s.deliveriesPending.body.deliveries as { id: string }[]).map((d) => d.id).sort()).toEqual(s.failedIds);
  });

  it('deletes an endpoint: 204, the row kept with deleted_at, then not found', () => {
    const s = run();
    expect([s.deleted.status, s.deletedRow, s.afterDelete.status, s.afterDelete.code]).toEqual([204, { deleted: true, active: false }, 404, 'WEBHOOK_NOT_FOUND']);
  });
}
