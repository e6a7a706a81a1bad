import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import {
  callRest, csvRowsByName, deliveryOnceFaults, expectRateChangeSeen, freePort, generateLeadFile, leadArrivals, runRateChangeScenario, startServe, startServeWithKeys,
  startWebhookReceiver, uploadForm, waitUntil, type ReceivedRequest, type ServeProcess, type WebhookReceiver,
} from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));
// A start makes or recovers the embedded database: tens of seconds on a loaded machine.
const START_MS = 240_000;
// Loopback receivers, as every serve test of delivery uses.
const ENV = { OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8', OUTBOUND_ALLOW_HTTP: 'true' };

const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

function signedWith(secret: string, request: ReceivedRequest): boolean {
  try {
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

async function json<T>(p: ReturnType<typeof callRest>): Promise<{ status: number; body: T }> {
  const a = await p;
  return { status: a.status, body: JSON.parse(a.text) as T };
}

async function started(): Promise<{ receiver: WebhookReceiver }> {
  const receiver = await startWebhookReceiver();
  stops.push(() => receiver.close());
  return { receiver };
}

/**
 * Issue 14's Done-when for `leadflow serve` (docs/delivery.md): delivery goes on from its outbox
 * after serve is killed mid-delivery, each lead under one webhook-id, and a job's rate turned
 * while it delivers is what the receiver sees.
 */
describe('leadflow serve: delivery across a restart and a rate change', () => {
  it('delivers every accepted lead once per webhook-id after serve is killed mid-delivery and started again', { timeout: 15 * 60_000 }, async () => {
    const { receiver } = await started();
    const serve = await startServeWithKeys(BIN, { prefix: 'leadflow-delivery-restart-', keys: { admin: { tenant: 'acme', role: 'admin' } }, env: ENV });
    stops.push(() => serve.stop());
    const key = serve.keys.admin!;
    // 50 a second: a few seconds of delivery, so that the kill finds it partway.
    const endpoint = await json<{ id: string; secret: string }>(
      callRest(serve.base, key, 'POST', '/v1/webhooks', { json: { url: receiver.url, mode: 'record', perSecond: 50, events: ['lead.created'] } }),
    );
    expect(endpoint.status).toBe(201);
    const file = generateLeadFile({ seed: 1414, rows: 400 });
    const upload = await json<{ id: string }>(callRest(serve.base, key, 'POST', '/v1/jobs', { form: uploadForm(file.csv, { supplier: 'restart' }) }, 120_000));
    expect(upload.status).toBe(202);
    const jobId = upload.body.id;

    // Killed once a tenth of the rows have arrived (the accepted are more), and before all of them.
    const before = await waitUntil('delivery to be partway', () => (leadArrivals(receiver.requests).length >= 40 ? leadArrivals(receiver.requests).length : undefined), {
      timeoutMs: START_MS, intervalMs: 20, describe: () => serve.output().slice(-2000),
    });
    const exited = new Promise((resolve) => serve.child.once('exit', resolve));
    serve.child.kill('SIGKILL');
    await exited;
    const atKill = leadArrivals(receiver.requests).length;

    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const again: ServeProcess = await startServe(BIN, {
      HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), LEADFLOW_DATA_DIR: serve.dataDir, HTTP_HOST: '', LOG_LEVEL: 'warn', ...ENV,
    }, { timeoutMs: START_MS });
    stops.push(() => again.child.exitCode === null && again.child.kill('SIGKILL'));
    const base = `http://127.0.0.1:${httpPort}`;

    await waitUntil('the job to complete', async () => ((await json<{ status: string }>(callRest(base, key, 'GET', `/v1/jobs/${jobId}`))).body.status === 'completed' ? true : undefined), {
      timeoutMs: START_MS, intervalMs: 250,
    });
    const exported = await callRest(base, key, 'GET', `/v1/jobs/${jobId}/exports/leads.csv`, undefined, 120_000);
    expect(exported.status).toBe(200);
    const accepted = csvRowsByName(exported.text).map((r) => r.lead_id!);
    expect(accepted.length).toBeGreaterThan(before);
    expect(atKill, 'the kill came before the last lead').toBeLessThan(accepted.length);

    // A lease of the killed process runs out (request timeout + 30 s) before its events go again.
    const arrived = () => new Set(leadArrivals(receiver.requests).filter((a) => a.jobId === jobId).map((a) => a.leadId));
    await waitUntil('every accepted lead to arrive', () => (accepted.every((id) => arrived().has(id)) ? true : undefined), {
      timeoutMs: 5 * 60_000, intervalMs: 250, describe: () => ({ arrived: arrived().size, accepted: accepted.length, output: again.output().slice(-2000) }),
    });

    const arrivals = leadArrivals(receiver.requests);
    expect([...arrived()].sort()).toEqual([...accepted].sort());
    expect(deliveryOnceFaults(arrivals)).toEqual({ leadsUnderSeveralIds: [], idsWithSeveralLeads: [] });
    const unsigned = receiver.requests.filter((r) => !signedWith(endpoint.body.secret, r));
    expect(unsigned.length, 'requests whose signature does not verify').toBe(0);
    console.log(`restart: ${accepted.length} accepted, ${atKill} arrived before the kill, ${arrivals.length} requests in all (${arrivals.length - accepted.length} repeats)`);
  });

  it('sends at a job rate turned from 2 to 20 a second, the new rate seen by the receiver within a second', { timeout: 10 * 60_000 }, async () => {
    const { receiver } = await started();
    const serve = await startServeWithKeys(BIN, { prefix: 'leadflow-delivery-rate-', keys: { admin: { tenant: 'acme', role: 'admin' } }, env: ENV });
    stops.push(() => serve.stop());
    const seen = await runRateChangeScenario({ base: serve.base, adminKey: serve.keys.admin!, receiver, seed: 2020, timeoutMs: START_MS });
    expectRateChangeSeen(seen);
  });
});
