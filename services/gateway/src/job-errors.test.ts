import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { migrations as mappingMigrations } from '@leadflow/mapping';
import { createOutboundRules } from '@leadflow/outbound';
import { createSqlLeadStore, migrations as persistenceMigrations, recentRejections } from '@leadflow/persistence';
import { emptyLead, leadIdFor, reason } from '@leadflow/pipeline';
import { Disposition, type LeadBatch } from '@leadflow/proto';
import { createPglite, createSqlDncRegistry, dncListMigrations, migrate, type SqlClient } from '@leadflow/stores';
import { bearer } from '@leadflow/testkit';
import { buildRestApp, createJobService, createSqlApiKeyStore, createSqlJobStore, migrations, type UploadSink } from './index.js';

const sink: UploadSink = { open: () => ({ write: async () => {}, end: async () => {}, fail: async () => {} }), decide: async () => {} };
const JOB = '00000000-0000-4000-8000-0000000000e1';

/** Rows `from`..`from + n - 1` of the job: every third one rejected for want of a contact, with a bad email named by its column. */
function batch(seq: number, from: number, n: number): LeadBatch {
  return {
    job: { jobId: JOB, tenantId: 'acme', supplier: '', webhookUrl: '', fileName: 'f.csv', sheet: '', review: false },
    seq, header: ['Email', 'Name'], mapping: [], last: false, totalRows: 0, failure: undefined,
    rows: Array.from({ length: n }, (_, i) => {
      const rowNumber = from + i;
      const rejected = rowNumber % 3 === 0;
      return {
        rowNumber, lead: { ...emptyLead(), email: rejected ? '' : `r${rowNumber}@x.com` },
        disposition: rejected ? Disposition.DISPOSITION_INVALID : Disposition.DISPOSITION_ACCEPTED,
        reasons: rejected ? [reason('INVALID_EMAIL', 'email', 'column "Email"'), reason('NO_CONTACT')] : [],
        tags: [], qualityScore: 0, match: undefined, raw: [rejected ? `not-an-email-${rowNumber}` : `r${rowNumber}@x.com`, 'Ann Lee'], leadId: leadIdFor(JOB, rowNumber),
      };
    }),
  };
}

describe("GET /v1/jobs/{id}/errors: a job's newest rejected rows", () => {
  let db: SqlClient;
  let app: FastifyInstance;
  const key = { acme: '', other: '' };

  beforeAll(async () => {
    db = await createPglite();
    for (const m of [migrations, persistenceMigrations, mappingMigrations, dncListMigrations]) await migrate(db, m);
    const jobs = createSqlJobStore(db);
    const service = createJobService({
      jobs, exports: async function* () {}, uploads: sink, dnc: createSqlDncRegistry(db), maxUploadBytes: 1000, outbound: createOutboundRules(),
      rejections: (jobId, tenantId, limit) => recentRejections(db, jobId, tenantId, limit),
    });
    const keys = createSqlApiKeyStore(db);
    key.acme = (await keys.create({ tenant: 'acme', role: 'viewer' })).key;
    key.other = (await keys.create({ tenant: 'globex', role: 'admin' })).key;
    app = await buildRestApp({ service, logger: createLogger({ name: 'test', level: 'silent' }), maxUploadBytes: 1000, keys });
    await jobs.create({ id: JOB, tenantId: 'acme', supplier: '', fileName: 'f.csv', webhookUrl: '' });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const errorsOf = async (query = '', as = key.acme) => {
    const res = await app.inject({ method: 'GET', url: `/v1/jobs/${JOB}/errors${query}`, headers: bearer(as) });
    return { status: res.statusCode, body: res.json(), text: res.body };
  };

  it('answers the rows rejected so far while the job runs, newest first, with their reasons and not their cells', async () => {
    const store = createSqlLeadStore(db);
    await store.storeBatch(batch(0, 1, 10));
    const running = await app.inject({ method: 'GET', url: `/v1/jobs/${JOB}`, headers: bearer(key.acme) });
    expect(running.json()).toMatchObject({ status: 'running', counts: { invalid: 3 } });
    const first = await errorsOf('?limit=2');
    expect(first).toMatchObject({ status: 200 });
    expect(first.body).toEqual({
      errors: [9, 6].map((rowNumber) => ({
        rowNumber,
        file: 'f.csv',
        reasons: [{ code: 'INVALID_EMAIL', field: 'email', detail: 'column "Email"' }, { code: 'NO_CONTACT', field: '', detail: '' }],
        detail: 'email: the email address is not valid: column "Email"; no usable contact: give a valid email, a valid phone number, or a street with a city or postal code',
      })),
    });
    expect(first.text).not.toContain('not-an-email');
    expect(first.text).not.toContain('Ann Lee');

    // The next batch's rejections come first; 20 by default.
    await store.storeBatch(batch(1, 11, 60));
    expect((await errorsOf()).body.errors.map((e: { rowNumber: number }) => e.rowNumber)).toEqual(Array.from({ length: 20 }, (_, i) => 69 - 3 * i));
    expect((await errorsOf('?limit=1000')).body.errors).toHaveLength(23);
  });

  it("answers another tenant's job 404 as one that does not exist, and a limit out of range 400 naming it", async () => {
    expect(await errorsOf('', key.other)).toMatchObject({ status: 404, body: { code: 'JOB_NOT_FOUND' } });
    for (const limit of ['0', '1001', 'ten']) {
      expect(await errorsOf(`?limit=${limit}`)).toMatchObject({ status: 400, body: { code: 'INVALID_QUERY', message: 'limit must be a whole number from 1 to 1000 (default 20)' } });
    }
  });
});
