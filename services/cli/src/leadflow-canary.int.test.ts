import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeadflowGatewayClient } from '@leadflow/proto';
import {
  createKeyWithCli, fetchWithKey, freePort, infraEnv, runNode, SERVICE_NAMES, startServe, startServices, startWebhookReceiver, stateDir, tempDir, uniqueName,
  waitUntil, withApiKey, type ServeProcess, type ServicesHandle, type WebhookReceiver,
} from '@leadflow/testkit';

// Leads are personal data: no value of one may reach a log line, at any level (issue 11). Canary
// values that occur nowhere else are pushed through every route and stage of the real process,
// whose whole output at the lowest log level is then searched for each in every spelling the
// pipeline makes of it, and for the API key that every call carries.

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

const EMAIL = 'Quillon.Vexbrand+Canary@Zephyr-Leak.Example';
const PHONE = '(617) 364-8274'; // put on the Do-Not-Call list: its rows end SUPPRESSED
const PHONE_2 = '312.497.6635';
const FIRST = 'Quillon';
const LAST = 'Vexbrand';
const STREET = '4417 Zephyrgate Lane';
/** Every spelling of the canary values that the pipeline produces (as given, lower-cased, E.164, digits). */
const SPELLINGS = [
  EMAIL, EMAIL.toLowerCase(), 'quillon.vexbrand', 'zephyr-leak',
  PHONE, '+16173648274', '16173648274', '6173648274', '617-364-8274', '364-8274', '3648274',
  PHONE_2, '+13124976635', '3124976635', '4976635',
  FIRST, LAST, STREET, 'Zephyrgate',
];

/**
 * A key as it could leak: whole, and its secret, the part after the prefix (`lfk_` and 8
 * characters, which `leadflow keys list` shows and a log line may name).
 */
const keySpellings = (key: string) => [key, key.slice('lfk_12345678_'.length)];

/** The canary spellings and those of `keys` found in `output`, with the line each first appears on. */
function leaks(output: string, keys: readonly string[] = []): string[] {
  const lower = output.toLowerCase();
  return [...SPELLINGS, ...keys.flatMap(keySpellings)].filter((s) => lower.includes(s.toLowerCase())).map((s) => {
    const line = output.split('\n').find((l) => l.toLowerCase().includes(s.toLowerCase()))!;
    return `${s}: ${line.slice(0, 400)}`;
  });
}

const HEADER = 'First Name,Last Name,Email,Phone,Street,City,Zip';
/** One row of each disposition, every one carrying canary values. */
const CSV = [
  HEADER,
  `${FIRST},${LAST},${EMAIL},${PHONE_2},${STREET},Boston,02108`, // ACCEPTED
  `${FIRST},${LAST},${EMAIL.toLowerCase()},,,,`, // DUPLICATE of the first by email
  `${FIRST},${LAST},,"${PHONE}",,,`, // SUPPRESSED
  `${FIRST},${LAST},${EMAIL.replace('@', '@@')},617-364,,,`, // INVALID: no usable contact
].join('\n');

/**
 * Pushes the canary through REST routes, RPCs and every stage of a running Leadflow: one row
 * of each disposition, delivered to `receiver` (which fails once), the exports, the review path,
 * unreadable files and refused requests that carry it. Logs are read by the caller after it.
 */
async function pushCanary(base: string, grpcAddress: string, key: string, receiver: WebhookReceiver, mode: 'serve' | 'kafka'): Promise<string[]> {
  /** Every request carries the API key, which no log line may show either. */
  const api = fetchWithKey(key);
  const call = (path: string, init: RequestInit = {}) => api(`${base}${path}`, init);
  const upload = async (csv: string, fields: Record<string, string> = {}) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set('file', new Blob([csv]), 'canary.csv');
    return call(`/v1/jobs`, { method: 'POST', body: form });
  };
  const completed = (id: string, delivered = 0) =>
    waitUntil(`job ${id} to complete`, async () => {
      const j = (await (await call(`/v1/jobs/${id}`)).json()) as { status: string; counts: Record<string, number> };
      return j.status === 'completed' && j.counts.delivered! >= delivered ? j.counts : undefined;
    });

  const dnc = await call(`/v1/dnc/numbers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ numbers: [PHONE] }) });
  expect(dnc.status).toBe(200);
  // A number the list refuses: its error must not repeat it either.
  await call(`/v1/dnc/numbers`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: `${PHONE}x\n${FIRST}` });

  const created = await upload(CSV, { webhook: receiver.url, supplier: 'canary' });
  expect(created.status).toBe(202);
  const { id } = (await created.json()) as { id: string };
  expect(await completed(id, 1)).toEqual({ rows: 4, accepted: 1, invalid: 1, duplicate: 1, suppressed: 1, delivered: 1 });
  // The webhook failed once and took the lead on the retry.
  expect(receiver.requests.length).toBe(2);
  expect(receiver.requests[1]!.body).toContain(EMAIL.toLowerCase());
  for (const kind of ['leads', 'duplicates', 'rejected', 'suppressed']) {
    const res = await call(`/v1/jobs/${id}/exports/${kind}.csv`);
    expect(res.status, kind).toBe(200);
    expect((await res.text()).toLowerCase(), kind).toContain(FIRST.toLowerCase());
  }

  // Review: the preview shows the canary to the user; the log must not.
  const review = await upload(`Mail,Code\n${EMAIL},${LAST}\n`, { review: 'true' });
  const reviewId = ((await review.json()) as { id: string }).id;
  await waitUntil('the mapping to await review', async () => ((await call(`/v1/jobs/${reviewId}/mapping`)).status === 200 ? true : undefined));
  const decided = await call(`/v1/jobs/${reviewId}/mapping`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fields: { [LAST]: 'source' } }),
  });
  expect(decided.status).toBe(400); // UNKNOWN_COLUMN: a canary as a column name
  expect((await call(`/v1/jobs/${reviewId}/mapping`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"fields":{}}' })).status).toBe(200);
  await completed(reviewId);

  // Files that cannot be read, the failing line holding the canary.
  const malformed = await upload(`${HEADER}\n${FIRST},${LAST},"${EMAIL},${PHONE}\n`);
  expect(malformed.status).toBe(202); // the file is read after the answer: its job fails
  const tooWide = await upload(`${HEADER}\n${FIRST},${LAST},${EMAIL},${PHONE},${STREET},Boston,02108,${'x,'.repeat(5000)}x\n`);
  expect(tooWide.status).toBe(202);
  // A webhook refused, a bad body and a bad query, each carrying the canary.
  expect((await upload(CSV, { webhook: `https://10.0.0.1/hook?to=${encodeURIComponent(EMAIL)}` })).status).toBe(400);
  expect((await call(`/v1/dedup/policy`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ supplier: EMAIL, policy: { [PHONE]: true } }) })).status).toBe(400);
  expect((await call(`/v1/possible-duplicates?status=${encodeURIComponent(EMAIL)}`)).status).toBe(400);
  expect((await call(`/v1/jobs/${encodeURIComponent(EMAIL)}`)).status).toBe(400);

  // The same over gRPC, the key in the metadata: an upload, a refused number, an unreadable file, a bad id.
  const grpc = new LeadflowGatewayClient(grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
  try {
    const uploadOverGrpc = (csv: string) =>
      new Promise<string>((resolve) => {
        const stream = grpc.uploadFile((err, res) => resolve(err ? `error ${err.code}` : res!.job!.id));
        stream.write({ metadata: { fileName: 'canary.csv', supplier: 'canary', webhookUrl: '', sheet: '', review: false } });
        stream.write({ chunk: Buffer.from(csv) });
        stream.end();
      });
    const grpcJob = await uploadOverGrpc(CSV);
    expect(grpcJob).toMatch(/^[0-9a-f-]{36}$/);
    await uploadOverGrpc(`${HEADER}\n${FIRST},${LAST},"${EMAIL},${PHONE}\n`);
    await new Promise<void>((resolve) => grpc.addDncNumbers({ numbers: [`${PHONE}x`, FIRST] }, () => resolve()));
    const notFound = await new Promise<Error & { code?: number }>((resolve) => grpc.getJob({ id: EMAIL }, (e) => resolve(e!)));
    expect(notFound.code).toBeGreaterThan(0);
    await completed(grpcJob);
  } finally {
    grpc.close();
  }

  // Their jobs fail (in Kafka mode after the answer): wait for it, so its log lines are written.
  for (const answer of [malformed, tooWide]) {
    const json = (await answer.json()) as { id?: string; jobId?: string };
    const failing = json.jobId ?? json.id;
    if (failing) await waitUntil('an unreadable file to fail its job', async () => (((await (await call(`/v1/jobs/${failing}`)).json()) as { status: string }).status === 'failed' ? true : undefined));
  }

  // Keys made over REST (each in its answer only), used, rotated, revoked, and refused after:
  // no log line may show them either. A viewer's upload is refused (403), a revoked key's call too (401).
  const asJson = { 'content-type': 'application/json' };
  const made = await call('/v1/keys', { method: 'POST', headers: asJson, body: JSON.stringify({ role: 'viewer', name: 'canary viewer' }) });
  expect(made.status).toBe(201);
  const viewer = (await made.json()) as { key: string; prefix: string };
  expect((await fetchWithKey(viewer.key)(`${base}/v1/jobs/${id}`)).status).toBe(200);
  const rotated = await call(`/v1/keys/${viewer.prefix}/rotate`, { method: 'POST', headers: asJson, body: '{}' });
  expect(rotated.status).toBe(201);
  const next = ((await rotated.json()) as { key: string }).key;
  expect((await call(`/v1/keys/${viewer.prefix}`, { method: 'DELETE' })).status).toBe(200);
  expect((await fetchWithKey(viewer.key)(`${base}/v1/jobs/${id}`)).status).toBe(401);
  expect((await fetchWithKey(next)(`${base}/v1/dnc/numbers`, { method: 'POST', headers: asJson, body: JSON.stringify({ numbers: [PHONE] }) })).status).toBe(403);
  const revoked = new LeadflowGatewayClient(grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(viewer.key)] });
  try {
    const refused = await new Promise<Error & { code?: number }>((resolve) => revoked.getJob({ id }, (e) => resolve(e!)));
    expect(refused.code).toBe(16); // UNAUTHENTICATED
  } finally {
    revoked.close();
  }
  return [viewer.key, next];
}

describe('a canary lead through leadflow serve at the lowest log level', () => {
  let serve: ServeProcess;
  let base: string;
  let grpcAddress: string;
  let receiver: WebhookReceiver;
  let key: string;
  const dir = tempDir('leadflow-canary-');

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    receiver.respondWith((_req, i) => (i === 0 ? 500 : 200));
    const [httpPort, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    base = `http://127.0.0.1:${httpPort}`;
    grpcAddress = `127.0.0.1:${grpcPort}`;
    // As an operator does before serve holds the data folder: the first admin key.
    key = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: join(dir, 'db') }, { tenant: 'canary', role: 'admin' });
    serve = await startServe(BIN, {
      HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), METRICS_PORT: String(metricsPort), LEADFLOW_DATA_DIR: join(dir, 'db'), HTTP_HOST: '', LOG_LEVEL: 'trace',
    });
  }, 300_000);
  afterAll(async () => {
    if (serve?.child.exitCode === null) serve.child.kill('SIGKILL');
    await receiver?.close();
  });

  it('logs none of its values, through every disposition, a failing webhook, review, exports and refusals', async () => {
    const made = await pushCanary(base, grpcAddress, key, receiver, 'serve');
    // Every request above is answered: the log lines for them are written (pino writes synchronously to a pipe).
    expect(serve.output()).toMatch(/"level":"(trace|debug)"/);
    expect(leaks(serve.output(), [key, ...made])).toEqual([]);
  });
});

describe('a canary lead through the eight services in Kafka mode at the lowest log level', () => {
  let services: ServicesHandle;
  let receiver: WebhookReceiver;
  let key: string;
  /** Each service appends to its log file: where each file ended before these services started. */
  const logs = SERVICE_NAMES.map((name) => stateDir('logs', `${name}.log`));
  const sizes = logs.map((f) => (existsSync(f) ? statSync(f).size : 0));

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    receiver.respondWith((_req, i) => (i === 0 ? 500 : 200));
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 20_000 + (process.pid % 4000) * 10];
    // An admin key of a tenant of its own, so no lead of an earlier run makes the canary a
    // duplicate, made as an operator of Kafka mode does: leadflow keys create on DATABASE_URL.
    key = await createKeyWithCli(BIN, { DATABASE_URL: infraEnv().DATABASE_URL }, { tenant: uniqueName('canary'), role: 'admin' });
    services = await startServices({ env: infraEnv(), httpPort, grpcPort, metricsPortBase, extraEnv: { LOG_LEVEL: 'trace' } });
  });
  afterAll(async () => {
    await services?.stop();
    await receiver?.close();
  });

  it('logs none of its values in any service, through the same routes and stages', async () => {
    const made = await pushCanary(`http://127.0.0.1:${services.httpPort}`, `127.0.0.1:${services.grpcPort}`, key, receiver, 'kafka');
    const output = logs.map((f, i) => readFileSync(f, 'utf8').slice(sizes[i])).join('\n');
    expect(output).toMatch(/"level":"(trace|debug)"/);
    expect(leaks(output, [key, ...made])).toEqual([]);
  });
});

describe('a canary lead through leadflow run at the lowest log level, with a failing webhook', () => {
  it('logs none of its values and prints none in its summary', async () => {
    const dir = tempDir('leadflow-canary-run-');
    const receiver = await startWebhookReceiver();
    receiver.respondWith(500);
    try {
      writeFileSync(join(dir, 'canary.csv'), CSV);
      writeFileSync(join(dir, 'dnc.txt'), `${PHONE}\n`);
      const res = await runNode(BIN, ['run', join(dir, 'canary.csv'), '--dnc', join(dir, 'dnc.txt'), '--webhook', receiver.url, '--out', join(dir, 'out')], {
        env: { LEADFLOW_DATA_DIR: join(dir, 'db'), HTTP_HOST: '', LOG_LEVEL: 'trace', DELIVERY_RETRY_SCHEDULE: '0,10ms' },
      });
      expect(receiver.requests.length).toBeGreaterThan(0);
      expect(res.stderr).toContain('"level":"info"'); // the lowest level was taken: run logs errors only by default
      expect(res.stdout + res.stderr).toMatch(/delivered|webhook/i);
      expect(leaks(res.stdout + res.stderr)).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});
