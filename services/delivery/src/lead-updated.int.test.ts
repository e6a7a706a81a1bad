import { randomBytes, randomUUID } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { createSqlLeadStore, migrations as persistenceMigrations } from '@leadflow/persistence';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type Lead, type LeadBatch, type LeadRow } from '@leadflow/proto';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import { createPostgres, migrate, type SqlClient } from '@leadflow/stores';
import { infraEnv } from '@leadflow/testkit';
import { createOutboxStage, createSqlEndpointStore, envelope, eventId, eventSchema, migrations } from './index.js';

function batch(jobId: string, tenantId: string, rows: { lead: Partial<Lead>; match?: LeadRow['match'] }[]): LeadBatch {
  return {
    job: { jobId, tenantId, supplier: 'acme', webhookUrl: '', fileName: 'leads.csv', sheet: '', review: false },
    seq: 0, header: [], mapping: [], last: false, totalRows: rows.length, failure: undefined,
    rows: rows.map((r, i) => ({
      rowNumber: i + 1, lead: { ...emptyLead(), ...r.lead }, disposition: r.match ? Disposition.DISPOSITION_DUPLICATE : Disposition.DISPOSITION_ACCEPTED,
      reasons: [], tags: [], qualityScore: 0, match: r.match, raw: [], leadId: leadIdFor(jobId, i + 1),
    })),
  };
}

describe('lead.updated after a merge, on PostgreSQL', () => {
  const database = `leadflow_updated_${randomBytes(4).toString('hex')}`;
  let admin: SqlClient;
  let db: SqlClient;
  const keyring = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'LEADFLOW_SECRET_KEYS');

  beforeAll(async () => {
    admin = createPostgres({ url: infraEnv().DATABASE_URL });
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(infraEnv().DATABASE_URL);
    url.pathname = `/${database}`;
    db = createPostgres({ url: url.toString() });
    await migrate(db, persistenceMigrations);
    await migrate(db, migrations);
  });
  afterAll(async () => {
    await db?.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin?.close();
  });

  it('writes lead.updated with the lead as it now is to the endpoints that take it, once per merged duplicate; none for a merge that changed nothing', async () => {
    const tenant = `t_${randomBytes(4).toString('hex')}`;
    const endpoints = createSqlEndpointStore(db, keyring);
    const takesUpdates = await endpoints.save({ tenantId: tenant, url: 'https://receiver.example/a', secret: `whsec_${randomBytes(24).toString('base64')}` });
    const createdOnly = await endpoints.save({ tenantId: tenant, url: 'https://receiver.example/b', secret: `whsec_${randomBytes(24).toString('base64')}` });
    await db.query("UPDATE webhook_endpoints SET events = ARRAY['lead.created'] WHERE id = $1", [createdOnly]);
    const store = createSqlLeadStore(db);
    const write = createOutboxStage({ db, logger: createLogger({ name: 'updated-test', level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }), endpointsForMs: 0 });

    const [jobA, jobB] = [randomUUID(), randomUUID()];
    const first = batch(jobA, tenant, [{ lead: { firstName: 'Robert', lastName: 'Lee', email: 'rlee@acme.com', emailKey: 'rlee@acme.com', city: 'Austin' } }]);
    await store.storeBatch(first);
    await write(first);
    const leadId = leadIdFor(jobA, 1);
    const match = { matchedJobId: jobA, matchedRow: 1, matchedLeadId: leadId, matchType: 'exact', score: 1 };
    // Row 1 adds a phone and a title (a merge that changes the lead); row 2 brings nothing new.
    const second = batch(jobB, tenant, [
      { lead: { firstName: 'Robert', lastName: 'Lee', email: 'rlee@acme.com', emailKey: 'rlee@acme.com', phone: '+12015550123', jobTitle: 'CTO' }, match },
      { lead: { firstName: 'Robert', email: 'rlee@acme.com', emailKey: 'rlee@acme.com' }, match },
    ]);
    await store.storeBatch(second);
    await write(second);
    await write(second); // consumed twice: the same event, once

    const { rows } = await db.query<{ id: string; endpoint_id: string; lead_count: number; payload: Record<string, unknown> }>(
      "SELECT id, endpoint_id, lead_count, payload FROM delivery_events WHERE job_id = $1 AND event_type = 'lead.updated'",
      [jobB],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: eventId(takesUpdates, 'lead.updated', jobB, 1), endpoint_id: takesUpdates, lead_count: 0 });
    expect(rows[0]!.payload).toEqual({
      id: leadId, jobId: jobB, row: 1, changed: expect.arrayContaining(['phone', 'job_title']),
      first_name: 'Robert', last_name: 'Lee', email: 'rlee@acme.com', phone: '+12015550123', job_title: 'CTO', city: 'Austin',
    });
    expect((rows[0]!.payload.changed as string[]).sort()).toEqual(['job_title', 'phone']);

    // The body the dispatcher sends is what the published schema says.
    const ajv = new Ajv2020({ strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(eventSchema('lead.updated')!);
    expect(validate(JSON.parse(envelope('lead.updated', new Date(), rows[0]!.payload))), JSON.stringify(validate.errors)).toBe(true);
    // No lead.created for the duplicates: the job's pending counts leads created only.
    const created = await db.query("SELECT 1 FROM delivery_events WHERE job_id = $1 AND event_type = 'lead.created'", [jobB]);
    expect(created.rows).toHaveLength(0);
  });

  it('writes lead.updated for an earlier copy merged when the row it named arrives as a duplicate (two dedup replicas raced)', async () => {
    const tenant = `t_${randomBytes(4).toString('hex')}`;
    const endpoint = await createSqlEndpointStore(db, keyring).save({ tenantId: tenant, url: 'https://receiver.example/c', secret: `whsec_${randomBytes(24).toString('base64')}` });
    const store = createSqlLeadStore(db);
    const write = createOutboxStage({ db, logger: createLogger({ name: 'updated-test', level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }), endpointsForMs: 0 });
    const [jobX, jobA, jobB] = [randomUUID(), randomUUID(), randomUUID()];
    const x = batch(jobX, tenant, [{ lead: { firstName: 'Ann', lastName: 'Lee', street: '9 Elm Road', city: 'Austin' } }]);
    await store.storeBatch(x);
    await write(x);
    const lead = leadIdFor(jobX, 1);
    // B's row was found a copy of A's row before A's row was marked a duplicate of X: B arrives first,
    // naming a row that never became a lead (nothing to merge into yet, nothing to tell).
    const copyOfCopy = batch(jobB, tenant, [{
      lead: { firstName: 'Anne', lastName: 'Lee', street: '9 Elm Rd', city: 'Austin', phone: '+15125550123' },
      match: { matchedJobId: jobA, matchedRow: 0, matchedLeadId: leadIdFor(jobA, 1), matchType: 'fuzzy', score: 0.98 },
    }]);
    await store.storeBatch(copyOfCopy);
    await write(copyOfCopy);
    const copy = batch(jobA, tenant, [{
      lead: { firstName: 'Ann', lastName: 'Lee', street: '9 Elm Rd', city: 'Austin', postalCode: '78701' },
      match: { matchedJobId: jobX, matchedRow: 0, matchedLeadId: lead, matchType: 'fuzzy', score: 0.99 },
    }]);
    await store.storeBatch(copy);
    await write(copy);
    await write(copy); // consumed twice: the same events, once

    const { rows } = await db.query<{ id: string; job_id: string; payload: Record<string, unknown> }>(
      "SELECT id, job_id, payload FROM delivery_events WHERE tenant_id = $1 AND event_type = 'lead.updated' ORDER BY job_id = $2 DESC",
      [tenant, jobA],
    );
    // A's own merge brought the postal code (with its street, an address is taken whole); B's,
    // re-filed under X as A's row arrived, the phone.
    const changed = (r: { payload: Record<string, unknown> }) => [...(r.payload.changed as string[])].sort();
    expect(rows.map((r) => ({ id: r.id, job: r.job_id, jobId: r.payload.jobId, row: r.payload.row, lead: r.payload.id, changed: changed(r) }))).toEqual([
      { id: eventId(endpoint, 'lead.updated', jobA, 1), job: jobA, jobId: jobA, row: 1, lead, changed: ['postal_code', 'street'] },
      { id: eventId(endpoint, 'lead.updated', jobB, 1), job: jobB, jobId: jobB, row: 1, lead, changed: ['phone'] },
    ]);
    // Each carries the lead as it is after both merges.
    for (const r of rows) expect(r.payload).toMatchObject({ phone: '+15125550123', postal_code: '78701' });
  });
});
