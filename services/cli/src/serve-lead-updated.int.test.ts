import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadIdFor } from '@leadflow/pipeline';
import { callRest, startServeWithKeys, startWebhookReceiver, uploadForm, waitUntil, type ServeTarget, type WebhookReceiver } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/**
 * Issue 14's "lead.updated follows a merge", as a receiver sees it from `leadflow serve`: a second
 * upload brings the same person with a phone and a title, persistence merges it into the lead of
 * the first, and the tenant's endpoint that takes lead.updated gets the lead as it now is.
 */
describe('leadflow serve: lead.updated after a merge', () => {
  let serve: ServeTarget;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    serve = await startServeWithKeys(BIN, { prefix: 'lead-updated', keys: { admin: { tenant: 'acme', role: 'admin' } } });
  }, 120_000);
  afterAll(async () => {
    serve?.stop();
    await receiver?.close();
  });

  const upload = async (csv: string) => {
    const res = await callRest(serve.base, serve.keys.admin, 'POST', '/v1/jobs', { form: uploadForm(csv, { supplier: 'acme' }) });
    expect(res.status, res.text).toBe(202);
    const { id } = JSON.parse(res.text) as { id: string };
    await waitUntil(`job ${id} to complete`, async () => {
      const job = JSON.parse((await callRest(serve.base, serve.keys.admin, 'GET', `/v1/jobs/${id}`)).text) as { status: string };
      return job.status === 'completed' ? true : undefined;
    }, { timeoutMs: 120_000 });
    return id;
  };

  it('sends the lead merged into, with the fields the merge changed, to the endpoint that takes lead.updated', async () => {
    const made = await callRest(serve.base, serve.keys.admin, 'POST', '/v1/webhooks', { json: { url: receiver.url, mode: 'record', events: ['lead.updated'] } });
    expect(made.status, made.text).toBe(201);
    const first = await upload('first_name,last_name,email,city\nRobert,Lee,rlee@acme.com,Austin\n');
    const second = await upload('first_name,last_name,email,phone,job_title\nRobert,Lee,rlee@acme.com,+12015550123,CTO\n');

    const updated = await waitUntil('lead.updated at the receiver', () => {
      const bodies = receiver.requests.map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> });
      return bodies.find((b) => b.type === 'lead.updated');
    }, { timeoutMs: 60_000 });
    expect(updated.data).toMatchObject({
      id: leadIdFor(first, 1), jobId: second, row: 1, first_name: 'Robert', last_name: 'Lee', email: 'rlee@acme.com', city: 'Austin',
      phone: '+12015550123', job_title: 'CTO',
    });
    // The phone and title, and what enrichment made of the phone (its type): each a field the lead now has.
    const changed = updated.data.changed as string[];
    expect(changed).toEqual(expect.arrayContaining(['job_title', 'phone']));
    for (const field of changed) expect(updated.data[field], field).toBeTruthy();
    // The endpoint takes lead.updated only: neither upload's lead.created reached it.
    expect(receiver.requests.map((r) => (JSON.parse(r.body) as { type: string }).type)).toEqual(['lead.updated']);
  });
});
