import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, createStageService, topic, type Bus } from '@leadflow/bus';
import { createDncComplianceService, createSqlJobStore, migrations as gatewayMigrations } from '@leadflow/gateway';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { Disposition, Lead, LeadBatch } from '@leadflow/proto';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import { createRedis, createRedisDncRegistry, dncFileParts, dncListMigrations, migrate, type DncListKind, type Redis } from '@leadflow/stores';
import { createPrivateDatabase, infraEnv, startPrivateRedis, uniqueName, waitUntil, type PrivateDatabase, type PrivateRedis } from '@leadflow/testkit';
import { AUDIT_PHONE_PURPOSE, createDncStage, createSqlDncAudit, createSqlHeldRows, migrations, releaseHeldRows, sqlStalePolicy } from './index.js';

const keys = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'the test');
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const [holding, suppressing] = [uniqueName('hold'), uniqueName('suppress')];
const LISTED = '+19075550401';
const MOBILE = '+19075550402';

function batch(jobId: string, tenantId: string, leads: Partial<Lead>[]): LeadBatch {
  return {
    job: { jobId, tenantId, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0, header: [], mapping: [], last: true, totalRows: leads.length, failure: undefined,
    rows: leads.map((l, i) => ({
      rowNumber: i + 1, lead: Lead.fromPartial(l), disposition: Disposition.DISPOSITION_ACCEPTED, reasons: [], tags: [], qualityScore: 0,
      match: undefined, raw: [], leadId: `${jobId}-${i + 1}`,
    })),
  };
}
const outcome = (b: LeadBatch) => b.rows.map((r) => [r.rowNumber, r.disposition, r.reasons.map((x) => `${x.code} ${x.detail}`)]);

/**
 * Issue 13's freshness and wireless states in Kafka mode: the dnc stage as its service runs it
 * (consumer group, topics of its own on the test broker), its lists in PostgreSQL with the Redis
 * copy, held rows passed on to its output topic once a fresh snapshot is loaded; the gateway's
 * view of the job and of the audit on the same database.
 */
describe('the dnc service in Kafka mode: stale lists, wireless states, the audit', () => {
  let redis: PrivateRedis;
  let pg: PrivateDatabase;
  let client: Redis;
  let producer: Bus;
  let reader: Bus;
  const out: LeadBatch[] = [];
  const stops: (() => Promise<void>)[] = [];
  const input = topic<LeadBatch>(uniqueName('test.enriched'), LeadBatch);
  const output = topic<LeadBatch>(uniqueName('test.screened'), LeadBatch);
  let stage: (b: LeadBatch) => Promise<LeadBatch>;
  let registry: ReturnType<typeof createRedisDncRegistry>;
  const load = (kind: DncListKind, numbers: string[], snapshotDate: string) =>
    registry.load({ kind, owner: '', mode: 'replace', source: 'test', snapshotDate, normalize: () => undefined }, dncFileParts(`${kind}.txt`, [Buffer.from(numbers.map((n) => n.slice(2)).join('\n'))]));
  const outOf = (jobId: string, n = 1) =>
    waitUntil(`${n} batch(es) of ${jobId} out of the dnc service`, () => {
      const of = out.filter((b) => b.job?.jobId === jobId);
      return of.length >= n ? of : undefined;
    }, { timeoutMs: 120_000, describe: () => out.map((b) => b.job?.jobId) });

  beforeAll(async () => {
    [redis, pg] = await Promise.all([startPrivateRedis(), createPrivateDatabase('leadflow_dnc_fresh')]);
    for (const m of [migrations, dncListMigrations, gatewayMigrations]) await migrate(pg.db, m);
    client = createRedis({ url: redis.url, name: 'dnc-fresh' });
    registry = createRedisDncRegistry(client, pg.db);
    stage = createDncStage({
      registry, audit: createSqlDncAudit(pg.db, (p) => keys.keyedHash(AUDIT_PHONE_PURPOSE, p)),
      freshness: { maxAgeDays: 31, policyOf: sqlStalePolicy(pg.db, 'hold'), held: createSqlHeldRows(pg.db) },
    });
    const brokers = infraEnv().KAFKA_BROKERS.split(',');
    const logger = createLogger({ name: 'dnc-fresh', level: 'silent' });
    const service = createStageService({
      name: uniqueName('dnc'), bus: createBus({ brokers, clientId: 'dnc-under-test', logger }), input, output, stage,
      jobIdOf: (b) => b.job?.jobId ?? '', logger, metrics: createMetrics({ defaultMetrics: false }),
    });
    await service.start();
    stops.push(() => service.stop());
    producer = createBus({ brokers, clientId: 'test-producer', logger });
    stops.push(() => producer.stop());
    reader = createBus({ brokers, clientId: 'test-reader', logger });
    stops.push(() => reader.stop());
    await reader.consume({ groupId: uniqueName('reader'), topic: output, handle: async (m) => void out.push(m.value), onUndecodable: async () => {} });
  }, 300_000);
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await client?.quit().catch(() => {});
    await redis?.stop();
    await pg?.drop();
  });

  it('holds rows with phones while the national list is stale (the job waiting_for_dnc_list), suppresses them by policy, and passes them on after a fresh import', async () => {
    const old = daysAgo(40);
    await load('national', [LISTED], old);
    await pg.db.query(`INSERT INTO dnc_policies (tenant_id, stale_list) VALUES ($1, 'suppress')`, [suppressing]);
    const [heldJob, suppressedJob] = [uniqueName('job'), uniqueName('job')];
    await pg.db.query('INSERT INTO jobs (id, tenant_id) VALUES ($1, $2), ($3, $4)', [heldJob, holding, suppressedJob, suppressing]);
    await producer.send(input, [
      { key: heldJob, value: batch(heldJob, holding, [{ phone: LISTED }, { phone: '+19075550499' }, { email: 'no-phone@x.test' }]) },
      { key: suppressedJob, value: batch(suppressedJob, suppressing, [{ phone: '+19075550498' }, { email: 'no-phone@y.test' }]) },
    ]);
    const [held] = await outOf(heldJob);
    expect(outcome(held!)).toEqual([[3, Disposition.DISPOSITION_ACCEPTED, []]]);
    const [suppressed] = await outOf(suppressedJob);
    expect(outcome(suppressed!)).toEqual([
      [1, Disposition.DISPOSITION_SUPPRESSED, [`DNC_LIST_STALE National (USA) ${old}: older than 31 days`]],
      [2, Disposition.DISPOSITION_ACCEPTED, []],
    ]);
    const jobs = createSqlJobStore(pg.db);
    expect(await jobs.get(heldJob, holding)).toMatchObject({ status: 'waiting_for_dnc_list', waitingForDncList: `National (USA) ${old}` });

    const emit = (b: LeadBatch) => producer.send(output, [{ key: b.job!.jobId, value: b }]);
    expect(await releaseHeldRows({ db: pg.db, screen: stage, emit, maxAgeDays: 31 })).toBe(0);
    const fresh = daysAgo(1);
    const loaded = await load('national', [LISTED], fresh);
    expect(await releaseHeldRows({ db: pg.db, screen: stage, emit, maxAgeDays: 31 })).toBe(2);
    const [, released] = await outOf(heldJob, 2);
    expect(outcome(released!)).toEqual([
      [1, Disposition.DISPOSITION_SUPPRESSED, [`DNC_NATIONAL National (USA) ${fresh}, version ${loaded.head.version}`]],
      [2, Disposition.DISPOSITION_ACCEPTED, []],
    ]);
    expect((await jobs.get(heldJob, holding))?.status).not.toBe('waiting_for_dnc_list');

    // The audit, as the gateway answers it: each tenant its own checks, by the number's keyed hash.
    const compliance = createDncComplianceService(pg.db, (p) => keys.keyedHashes(AUDIT_PHONE_PURPOSE, p).map((h) => h.hash));
    const audit = await compliance.getDncAudit(holding, '(907) 555-0401', undefined);
    expect(audit.checks).toEqual([
      expect.objectContaining({ jobId: heldJob, rowNumber: 1, list: 'national', listVersion: loaded.head.version, snapshotDate: fresh, listed: true, result: 'listed' }),
    ]);
    expect((await compliance.getDncAudit(suppressing, '(907) 555-0401', undefined)).checks).toEqual([]);
    expect((await compliance.getDncAudit(suppressing, '907-555-0498', undefined)).checks).toEqual([
      expect.objectContaining({ jobId: suppressedJob, list: 'national', snapshotDate: old, listed: false, result: 'stale' }),
    ]);
  }, 300_000);

  it('suppresses a number on the wireless list whose lead is in a state that forbids calls to mobiles', async () => {
    const snap = daysAgo(3);
    const wireless = await load('wireless', [MOBILE], snap);
    const jobId = uniqueName('job');
    await producer.send(input, [{ key: jobId, value: batch(jobId, holding, [{ phone: MOBILE, state: 'AZ' }, { phone: MOBILE, state: 'OR' }]) }]);
    const [screened] = await outOf(jobId);
    expect(outcome(screened!)).toEqual([
      [1, Disposition.DISPOSITION_SUPPRESSED, [`DNC_WIRELESS_STATE Wireless ${snap}, version ${wireless.head.version}, lead in AZ`]],
      [2, Disposition.DISPOSITION_ACCEPTED, []],
    ]);
  }, 300_000);
});
