import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { createOutboundFetch, createOutboundRules } from '@leadflow/outbound';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type LeadBatch } from '@leadflow/proto';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import { createPostgres, listenPostgres, migrate, type Listening, type SqlClient } from '@leadflow/stores';
import { infraEnv, startWebhookReceiver, waitUntil, type WebhookReceiver } from '@leadflow/testkit';
import { createDispatcher, createMemoryTokenBuckets, createOutboxStage, createOutboxStore, migrations, OUTBOX_CHANNEL, type Dispatcher } from './index.js';

const keyring = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'LEADFLOW_SECRET_KEYS');

function batchOf(jobId: string, webhookUrl: string): LeadBatch {
  return {
    job: { jobId, tenantId: 'notify', supplier: 'acme', webhookUrl, fileName: 'leads.csv', sheet: '', review: false },
    seq: 0, header: ['email'], mapping: [], last: false, totalRows: 1, failure: undefined,
    rows: [{
      rowNumber: 1, lead: { ...emptyLead(), email: 'r1@example.com' }, disposition: Disposition.DISPOSITION_ACCEPTED,
      reasons: [], tags: [], qualityScore: 0, match: undefined, raw: [], leadId: leadIdFor(jobId, 1),
    }],
  };
}

describe('outbox notifications (docs/delivery.md "Waking other replicas")', () => {
  const database = `leadflow_notify_${randomBytes(4).toString('hex')}`;
  let admin: SqlClient;
  let db: SqlClient;
  let url: string;
  let receiver: WebhookReceiver;
  let dispatcher: Dispatcher | undefined;
  let listening: Listening | undefined;
  const fetch = createOutboundFetch(createOutboundRules({ allowCidrs: ['127.0.0.0/8'], allowHttp: true }));
  const logger = createLogger({ name: 'notify-test', level: process.env.OUTBOX_TEST_LOG ?? 'silent' });
  const metrics = createMetrics({ defaultMetrics: false });

  beforeAll(async () => {
    admin = createPostgres({ url: infraEnv().DATABASE_URL });
    await admin.query(`CREATE DATABASE ${database}`);
    const u = new URL(infraEnv().DATABASE_URL);
    u.pathname = `/${database}`;
    url = u.toString();
    db = createPostgres({ url });
    await migrate(db, migrations);
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await listening?.close();
    await dispatcher?.stop();
    await receiver?.close();
    await fetch.close();
    await db?.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin?.close();
  });

  it("wakes a replica's dispatcher when another process writes events, long before its poll", async () => {
    // Polls every ten minutes: only a notification makes it look sooner.
    dispatcher = createDispatcher({ store: createOutboxStore(db), keyring, buckets: createMemoryTokenBuckets(), fetch, logger, metrics, schedule: [0], pollMs: 600_000 });
    await dispatcher.start();
    const d = dispatcher;
    listening = await listenPostgres({ url, channel: OUTBOX_CHANNEL, onNotify: () => d.nudge() });
    // Written by another process's consumer (no nudge of this dispatcher): the outbox writer alone.
    const write = createOutboxStage({ db, logger, metrics, endpointsForMs: 0 });
    const received = (jobId: string) => receiver.requests.filter((r) => (JSON.parse(r.body) as { data: { jobId: string } }).data.jobId === jobId).length;
    // The first may be found by the dispatcher's first look; the second comes once it sleeps.
    for (const jobId of [randomUUID(), randomUUID()]) {
      await write(batchOf(jobId, `${receiver.url}?notify`));
      await waitUntil('the event sent', async () => (received(jobId) === 1 ? true : undefined), { timeoutMs: 120_000 });
    }
    expect(receiver.requests).toHaveLength(2);
  });
});
