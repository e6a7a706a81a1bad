import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadIdFor } from '@leadflow/pipeline';
import { callRest, startServeWithKeys, startWebhookReceiver, uploadForm, waitUntil, type ServeTarget, type WebhookReceiver } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

const LISTED_LATER = '+12015550141';
const CONSENTED = '+12015550142';

type Body = { type: string; data: { id: string; jobId?: string; reasons?: { code: string; detail?: string }[] } };

/**
 * Issue 13's "a list change re-screens stored leads", as a partner sees it from `leadflow serve`:
 * two leads are accepted and delivered; one's phone is then added to the tenant's internal list by
 * a change list, and that stored lead is suppressed (DNC_INTERNAL naming the list and snapshot),
 * leaves leads.csv, and the receiver gets a signed lead.suppressed; the other, on the national list
 * with the person's consent, stays accepted through a re-screening asked for with POST /v1/dnc/rescreen.
 */
describe('leadflow serve: re-screening stored leads', () => {
  let serve: ServeTarget;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    serve = await startServeWithKeys(BIN, {
      prefix: 'rescreen', keys: { admin: { tenant: 'acme', role: 'admin' } }, env: { DNC_OPERATOR_TENANTS: 'acme', DNC_RESCREEN_POLL_MS: '500' },
    });
  }, 120_000);
  afterAll(async () => {
    serve?.stop();
    await receiver?.close();
  });

  const api = (method: string, path: string, body?: Parameters<typeof callRest>[4]) => callRest(serve.base, serve.keys.admin, method, path, body);
  const bodies = () => receiver.requests.map((r) => JSON.parse(r.body) as Body);

  it('suppresses a stored lead whose phone a list change adds, tells the receiver, and keeps an exempted one', async () => {
    const made = await api('POST', '/v1/webhooks', { json: { url: receiver.url, mode: 'record', events: ['lead.created', 'lead.suppressed'] } });
    expect(made.status, made.text).toBe(201);
    const { secret } = JSON.parse(made.text) as { secret: string };
    const today = new Date().toISOString().slice(0, 10);
    const national = await callRest(serve.base, serve.keys.admin, 'PUT', `/v1/dnc/lists/national?snapshot=${today}`, { text: `${CONSENTED}\n` });
    expect(national.status, national.text).toBe(200);
    const consent = await api('POST', '/v1/dnc/exemptions', { json: { phone: CONSENTED, kind: 'consent', date: '2026-01-01', evidence: { text: 'web form' } } });
    expect(consent.status, consent.text).toBe(201);

    const up = await api('POST', '/v1/jobs', { form: uploadForm(`first_name,email,phone\nAnn,ann@acme.com,${LISTED_LATER}\nBob,bob@acme.com,${CONSENTED}\n`, { supplier: 'acme' }) });
    expect(up.status, up.text).toBe(202);
    const jobId = (JSON.parse(up.text) as { id: string }).id;
    await waitUntil('both leads delivered', () => (bodies().filter((b) => b.type === 'lead.created').length === 2 ? true : undefined), { timeoutMs: 120_000 });

    const change = await callRest(serve.base, serve.keys.admin, 'POST', '/v1/dnc/lists/internal/changes', { text: `${LISTED_LATER},A\n` });
    expect(change.status, change.text).toBe(200);

    const suppressed = await waitUntil('lead.suppressed at the receiver', () => receiver.requests.find((r) => (JSON.parse(r.body) as Body).type === 'lead.suppressed'), { timeoutMs: 60_000 });
    new Webhook(secret).verify(suppressed.body, suppressed.headers as Record<string, string>);
    const data = (JSON.parse(suppressed.body) as Body).data;
    expect(data.id).toBe(leadIdFor(jobId, 1));
    expect(data.jobId).toBe(jobId);
    expect(data.reasons).toHaveLength(1);
    expect(data.reasons![0]!.code).toBe('DNC_INTERNAL');
    expect(data.reasons![0]!.detail).toMatch(new RegExp(`Internal.* ${today}, version \\d+`));

    // Not deliverable any more: out of leads.csv, among the suppressed rows with its reason.
    const leads = await api('GET', `/v1/jobs/${jobId}/exports/leads.csv`);
    expect(leads.text).toContain(CONSENTED);
    expect(leads.text).not.toContain(LISTED_LATER);
    const rows = await api('GET', `/v1/jobs/${jobId}/exports/suppressed.csv`);
    expect(rows.text).toContain(LISTED_LATER);
    expect(rows.text).toContain('DNC_INTERNAL');

    // A re-screening asked for: both leads' turn again; the consented one stays accepted.
    const asked = await api('POST', '/v1/dnc/rescreen', { json: {} });
    expect(asked.status, asked.text).toBe(202);
    const run = JSON.parse(asked.text) as { id: string; status: string };
    expect(run.status).toBe('pending');
    const done = await waitUntil('the re-screening to complete', async () => {
      const r = JSON.parse((await api('GET', `/v1/dnc/rescreen/${run.id}`)).text) as { status: string; screened: number; suppressed: number };
      return r.status === 'completed' ? r : undefined;
    }, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ screened: 1, suppressed: 0 });
    expect((await api('GET', `/v1/jobs/${jobId}/exports/leads.csv`)).text).toContain(CONSENTED);
    expect((await api('GET', '/v1/dnc/rescreen/999999')).status).toBe(404);

    // The suppressed lead was delivered once, before it was listed, and never again.
    const created = bodies().filter((b) => b.type === 'lead.created' && b.data.id === leadIdFor(jobId, 1));
    expect(created).toHaveLength(1);
    expect(bodies().filter((b) => b.type === 'lead.suppressed')).toHaveLength(1);
  });
});
