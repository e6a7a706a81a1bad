import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { createOutboundFetch, createOutboundRules } from '@leadflow/outbound';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type LeadBatch } from '@leadflow/proto';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import { createPostgres, migrate, sqlCancelLookupMany, type SqlClient } from '@leadflow/stores';
import { infraEnv, waitUntil } from '@leadflow/testkit';
import {
  createDispatcher, createMemoryTokenBuckets, createOutboxStage, createOutboxStore, createSqlEndpointStore, migrations, writeLeadSuppressed, type Dispatcher,
} from './index.js';

const keyring = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'LEADFLOW_SECRET_KEYS');

function batchOf(tenantId: string, rows: number, jobId: string, webhookUrl = ''): LeadBatch {
  return {
    job: { jobId, tenantId, supplier: 'acme', webhookUrl, fileName: 'leads.csv', sheet: '', review: false },
    seq: 0, header: ['email'], mapping: [], last: false, totalRows: rows, failure: undefined,
    rows: Array.from({ length: rows }, (_, i) => ({
      rowNumber: i + 1, lead: { ...emptyLead(), email: `r${i + 1}@example.com` }, disposition: Disposition.DISPOSITION_ACCEPTED,
      reasons: [], tags: [], qualityScore: 0, match: undefined, raw: [], leadId: leadIdFor(jobId, i + 1),
    })),
  };
}

/** A receiver that holds every answer while `held` (the dispatcher's slots stay taken), then answers 200. */
async function startHoldingReceiver() {
  const bodies: string[] = [];
  const waiting: ServerResponse[] = [];
  let held = true;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      if (held) waiting.push(res);
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    release() {
      held = false;
      for (const res of waiting.splice(0)) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('a queued event ended by another hand before its slot frees (docs/delivery.md "Nothing sent once ended")', () => {
  const database = `leadflow_recheck_${randomBytes(4).toString('hex')}`;
  let admin: SqlClient;
  let db: SqlClient;
  let receiver: Awaited<ReturnType<typeof startHoldingReceiver>>;
  let dispatcher: Dispatcher | undefined;
  const fetch = createOutboundFetch(createOutboundRules({ allowCidrs: ['127.0.0.0/8'], allowHttp: true }));
  const logger = createLogger({ name: 'recheck-test', level: process.env.OUTBOX_TEST_LOG ?? 'silent' });
  const metrics = createMetrics({ defaultMetrics: false });

  beforeAll(async () => {
    admin = createPostgres({ url: infraEnv().DATABASE_URL });
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(infraEnv().DATABASE_URL);
    url.pathname = `/${database}`;
    db = createPostgres({ url: url.toString() });
    await migrate(db, migrations);
    // The gateway's cancellation mark (its jobs table), as in a database the gateway migrated.
    await db.query('CREATE TABLE jobs (id text PRIMARY KEY, cancelled_at timestamptz)');
    receiver = await startHoldingReceiver();
  });
  afterAll(async () => {
    receiver?.release();
    await dispatcher?.stop();
    await receiver?.close();
    await fetch.close();
    await db?.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin?.close();
  });

  const write = (batch: LeadBatch) => createOutboxStage({ db, logger, metrics, endpointsForMs: 0 })(batch);
  const eventOf = async (jobId: string, row?: number) => {
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM delivery_events WHERE job_id = $1 AND ($2::int IS NULL OR (payload->>'row')::int = $2) ORDER BY id`,
      [jobId, row ?? null],
    );
    expect(rows).toHaveLength(1);
    return rows[0]!.id;
  };
  const statusOf = async (id: string) => (await db.query<{ status: string }>('SELECT status FROM delivery_events WHERE id = $1', [id])).rows[0]?.status;

  it('is not sent when its job is cancelled, its lead suppressed or its person erased; a batch trimmed meanwhile is sent trimmed', async () => {
    const endpoint = await createSqlEndpointStore(db, keyring).save({ tenantId: 'rq', url: receiver.url, secret: `whsec_${randomBytes(24).toString('base64')}` });
    await db.query("UPDATE webhook_endpoints SET mode = 'record' WHERE id = $1", [endpoint]);
    // Two events that take both slots and are held there.
    const first = randomUUID();
    await write(batchOf('rq', 2, first));
    dispatcher = createDispatcher({
      store: createOutboxStore(db), keyring, buckets: createMemoryTokenBuckets(), fetch, logger, metrics, schedule: [0],
      concurrency: 2, pollMs: 20, areCancelled: sqlCancelLookupMany(db),
    });
    await dispatcher.start();
    await waitUntil('both slots taken by held requests', async () => (receiver.bodies.length === 2 ? true : undefined), { timeoutMs: 60_000 });

    // Then events claimed into the queue, behind the full slots.
    const records = randomUUID(); // rows: 1 suppressed, 2 erased, 3 sent
    const cancelled = randomUUID();
    const batch = randomUUID(); // the job's own URL: one batch event of 3 leads, the 2nd suppressed
    await write(batchOf('rq', 3, records));
    await write(batchOf('rq', 1, cancelled));
    await write(batchOf('rqb', 3, batch, `${receiver.url}?batch`));
    await db.query('INSERT INTO jobs (id) VALUES ($1), ($2), ($3)', [records, cancelled, batch]);
    dispatcher.nudge();
    const queued = await Promise.all([eventOf(records, 1), eventOf(records, 2), eventOf(records, 3), eventOf(cancelled), eventOf(batch)]);
    await waitUntil('the five claimed into the queue', async () => {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM delivery_events WHERE id = ANY($1) AND locked_by IS NOT NULL', [queued]);
      return rows[0]!.n === 5 ? true : undefined;
    }, { timeoutMs: 60_000 });
    expect(receiver.bodies).toHaveLength(2);

    // Ended by other hands while queued.
    await db.query('UPDATE jobs SET cancelled_at = now() WHERE id = $1', [cancelled]);
    const suppressedAt = new Date().toISOString();
    await db.transaction(async (tx) => {
      await writeLeadSuppressed(tx, 'rq', [{ id: leadIdFor(records, 1), tenantId: 'rq', jobId: records, rowNumber: 1, reasons: [{ code: 'DNC_LISTED' }], suppressedAt }]);
      await writeLeadSuppressed(tx, 'rqb', [{ id: leadIdFor(batch, 2), tenantId: 'rqb', jobId: batch, rowNumber: 2, reasons: [{ code: 'DNC_LISTED' }], suppressedAt }]);
    });
    await db.query('DELETE FROM delivery_events WHERE id = $1', [queued[1]]);

    receiver.release();
    await waitUntil('no event left pending', async () => {
      const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM delivery_events WHERE status = 'pending'");
      return rows[0]!.n === 0 ? true : undefined;
    }, { timeoutMs: 60_000 });
    expect(await statusOf(queued[2]!)).toBe('delivered');
    expect(await statusOf(queued[4]!)).toBe('delivered');
    await dispatcher.stop();
    dispatcher = undefined;

    const all = receiver.bodies.map((b) => JSON.parse(b) as { type: string; data: { jobId: string; id?: string; leads?: { id: string }[] } });
    // The re-screening's own lead.suppressed event goes to the endpoint (it takes every type).
    expect(all.filter((g) => g.type === 'lead.suppressed').map((g) => g.data.id)).toEqual([leadIdFor(records, 1)]);
    const got = all.filter((g) => g.type === 'lead.created');
    const ids = got.filter((g) => g.data.id).map((g) => g.data.id);
    expect(ids.sort()).toEqual([leadIdFor(first, 1), leadIdFor(first, 2), leadIdFor(records, 3)].sort());
    const batches = got.filter((g) => g.data.leads);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.data.leads!.map((l) => l.id)).toEqual([leadIdFor(batch, 1), leadIdFor(batch, 3)]);
    expect(await statusOf(queued[0]!)).toBe('cancelled');
    expect(await statusOf(queued[1]!)).toBeUndefined();
    // The gateway's mark seen at the confirm: the job's event ended cancelled, no attempt.
    expect(await statusOf(queued[3]!)).toBe('cancelled');
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM delivery_attempts WHERE event_id = ANY($1)', [[queued[0], queued[3]]]);
    expect(rows[0]!.n).toBe(0);
  });
});
