import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devSecretKeys } from '@leadflow/infra';
import { createPostgres, createRedis, type Redis, type SqlClient } from '@leadflow/stores';
import {
  expectAgainDetails, expectErasureAnswers, freePort, infraEnv, runErasureScenario, scanDatabase, scanRedis, startServices, startWebhookReceiver, uniqueName, type ErasureSeen,
  type ServicesHandle, type Trace, type WebhookReceiver,
} from '@leadflow/testkit';
import { createSqlApiKeyStore } from './index.js';

/**
 * Erasure in Kafka mode (docs/erasure.md): the gateway service erases on the database the
 * services share and on Redis (dedup's claims and index). Right after the erasure, every column
 * of every table and every Redis key and value is scanned for the person: nothing holds her (she
 * is kept out by keyed hashes only). The same scenario runs in `leadflow serve`.
 */
describe('Kafka mode: POST /v1/erasure leaves no trace of the person but the hashed audit', () => {
  let services: ServicesHandle;
  let db: SqlClient;
  let redis: Redis;
  let receiver: WebhookReceiver;
  let seen: ErasureSeen;
  const traces: { db: Trace[]; redis: Trace[]; control: Trace[] } = { db: [], redis: [], control: [] };
  const tenantA = uniqueName('erase-a');
  const tenantB = uniqueName('erase-b');

  beforeAll(async () => {
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 19_400 + (process.pid % 40) * 10];
    receiver = await startWebhookReceiver();
    services = await startServices({
      env: infraEnv(), httpPort, grpcPort, metricsPortBase,
      extraEnv: { LOG_LEVEL: 'warn', LEADFLOW_SECRET_KEYS: devSecretKeys(), OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8', OUTBOUND_ALLOW_HTTP: 'true' },
    });
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    redis = createRedis({ url: infraEnv().REDIS_URL, name: 'kafka-erasure-test' });
    const keys = createSqlApiKeyStore(db);
    seen = await runErasureScenario({
      base: `http://127.0.0.1:${httpPort}`,
      grpcAddress: `127.0.0.1:${grpcPort}`,
      tenantA,
      adminA: (await keys.create({ tenant: tenantA, role: 'admin' })).key,
      viewerA: (await keys.create({ tenant: tenantA, role: 'viewer' })).key,
      tenantB,
      adminB: (await keys.create({ tenant: tenantB, role: 'admin' })).key,
      receiver,
      timeoutMs: 240_000,
      afterErasure: async (needles, except) => {
        traces.db = await scanDatabase(db, needles, except);
        traces.redis = await scanRedis(redis, needles, except);
        traces.control = await scanDatabase(db, needles, []);
      },
    });
  }, 600_000);
  afterAll(async () => {
    await services?.stop();
    redis?.disconnect();
    await db?.close();
    await receiver?.close();
  });

  it('answers what it removed, refuses bad requests, and suppresses the person when sent again; tenant B keeps its copy', () => {
    expectErasureAnswers(seen);
  });

  it('leaves her in no column of any table and no Redis key or value; she is kept out by keyed hashes only', async () => {
    expect(traces.db).toEqual([]);
    expect(traces.redis).toEqual([]);
    const { rows: erased } = await db.query<{ tenant_id: string; kind: string; erasure_id: string }>(
      'SELECT tenant_id, kind, erasure_id::text FROM erased_subjects WHERE tenant_id = ANY($1::text[]) ORDER BY kind',
      [[tenantA, tenantB]],
    );
    expect(erased).toEqual([
      { tenant_id: tenantA, kind: 'email', erasure_id: seen.answer.id },
      { tenant_id: tenantA, kind: 'phone', erasure_id: seen.answer.id },
    ]);
    const { rows: again } = await db.query<{ reasons: { code: string; field: string; detail: string }[] }>('SELECT reasons FROM suppressed_leads WHERE job_id = $1', [seen.againJob]);
    expect(again).toHaveLength(1);
    expectAgainDetails(seen, again[0]!.reasons);
    // The scan sees what is there: tenant B's copy of her (A's lead is gone, above).
    expect(traces.control.some((t) => t.table === 'leads')).toBe(true);
    const { rows: log } = await db.query<{ email: boolean; phone: boolean; counts: Record<string, number>; key_prefix: string }>(
      'SELECT email_hash IS NOT NULL AS email, phone_hash IS NOT NULL AS phone, counts, key_prefix FROM erasure_log WHERE tenant_id = $1 ORDER BY id',
      [tenantA],
    );
    expect(log.map((l) => [l.email, l.phone, l.counts.leads, l.key_prefix.length > 0])).toEqual([[true, true, 1, true], [true, true, 0, true]]);
  });
});
