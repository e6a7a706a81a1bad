import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { createLogger } from '@leadflow/logger';
import { createOutboundRules } from '@leadflow/outbound';
import { migrations as persistenceMigrations } from '@leadflow/persistence';
import type { JobRef } from '@leadflow/proto';
import { createPglite, createSqlDncRegistry, dncListMigrations, migrate, type SqlClient } from '@leadflow/stores';
import { bearer, waitUntil } from '@leadflow/testkit';
import { ERROR_CATALOGUE } from './error-catalogue.js';
import { buildRestApp, createJobService, createSqlApiKeyStore, createSqlJobStore, createSqlSupplierStore, migrations, type UploadSink } from './index.js';

/** What the schema's refusal of a body answers: the body to send. */
const ERROR_MESSAGE = ERROR_CATALOGUE.INVALID_SUPPLIER.message;

/** The job each upload was handed on as: the last chunk's JobRef, which ingest releases the rows with. */
const handedOn: JobRef[] = [];
const sink: UploadSink = {
  decide: async () => {},
  open: () => ({ write: async () => {}, end: async (final) => void handedOn.push(final), fail: async () => {} }),
};

describe('suppliers over REST', () => {
  let db: SqlClient;
  let app: FastifyInstance;
  const keys = { admin: '', viewer: '', otherAdmin: '' };
  const call = (key: string) => (o: InjectOptions) => app.inject({ ...o, headers: { ...o.headers, ...bearer(key) } });
  const admin = (o: InjectOptions) => call(keys.admin)(o);
  const create = async (body: object) => {
    const res = await admin({ method: 'POST', url: '/v1/suppliers', payload: body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; name: string };
  };
  const upload = async (supplier: string) => {
    const boundary = 'supplier-test';
    const payload = [`--${boundary}`, 'Content-Disposition: form-data; name="supplier"', '', supplier, `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="f.csv"', 'Content-Type: text/csv', '', 'email', 'a@x.com', `--${boundary}--`, ''].join('\r\n');
    const res = await admin({ method: 'POST', url: '/v1/jobs', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(res.statusCode, res.body).toBe(202);
    const job = res.json() as { id: string; supplier: string; supplierId: string | null; costPerLead: unknown; totalCost: unknown; costPerAcceptedLead: unknown };
    // The file streams on after the answer: the job is handed on whole soon after.
    await waitUntil(`job ${job.id} handed on`, () => (handedOn.some((r) => r.jobId === job.id) ? true : undefined), { timeoutMs: 30_000, intervalMs: 10 });
    return job;
  };
  /** The job's rows as persistence counts them once all are stored. */
  const completed = (jobId: string, c: { rows: number; accepted: number; invalid?: number; duplicate?: number; suppressed?: number }) =>
    db.query(
      `INSERT INTO job_progress (job_id, tenant_id, total_rows, stored, accepted, invalid, duplicate, suppressed, completed_at)
       VALUES ($1, 't1', $2, $2, $3, $4, $5, $6, now())`,
      [jobId, c.rows, c.accepted, c.invalid ?? 0, c.duplicate ?? 0, c.suppressed ?? 0],
    );
  const getJob = async (id: string) => (await admin({ method: 'GET', url: `/v1/jobs/${id}` })).json();

  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    await migrate(db, dncListMigrations);
    await migrate(db, persistenceMigrations);
    const service = createJobService({
      jobs: createSqlJobStore(db), exports: async function* () {}, uploads: sink, dnc: createSqlDncRegistry(db), maxUploadBytes: 10_000,
      outbound: createOutboundRules(), suppliers: createSqlSupplierStore(db),
    });
    const store = createSqlApiKeyStore(db);
    keys.admin = (await store.create({ tenant: 't1', role: 'admin' })).key;
    keys.viewer = (await store.create({ tenant: 't1', role: 'viewer' })).key;
    keys.otherAdmin = (await store.create({ tenant: 't2', role: 'admin' })).key;
    app = await buildRestApp({ service, logger: createLogger({ name: 'test', level: 'silent' }), maxUploadBytes: 10_000, keys: store });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('creates a supplier with its price and phone region, shows it, and lists the tenant\'s by name, a page at a time', async () => {
    const made = await create({ name: '  Zenith   Data ', costPerLead: { amount: '0.35', currency: 'usd' }, phoneRegion: 'gb' });
    expect(made).toEqual({
      id: expect.any(String), name: 'Zenith Data', costPerLead: { amount: '0.35', currency: 'USD' }, phoneRegion: 'GB', active: true,
      createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    await create({ name: 'Alpha Lists' });
    await create({ name: 'beta leads', active: false, costPerLead: { amount: '12', currency: 'JPY' } });
    const viewer = call(keys.viewer);
    const shown = (await viewer({ method: 'GET', url: `/v1/suppliers/${made.id}` })).json();
    expect(shown).toMatchObject({ ...made, totals: { jobs: 0, rows: 0, accepted: 0, invalid: 0, duplicate: 0, suppressed: 0, costs: [] } });

    const first = (await viewer({ method: 'GET', url: '/v1/suppliers?limit=2' })).json();
    expect(first.suppliers.map((s: { name: string }) => s.name)).toEqual(['Alpha Lists', 'beta leads']);
    expect(first.suppliers[1].costPerLead).toEqual({ amount: '12', currency: 'JPY' });
    const second = (await viewer({ method: 'GET', url: `/v1/suppliers?limit=2&after=${first.next}` })).json();
    expect([second.suppliers.map((s: { name: string }) => s.name), second.next]).toEqual([['Zenith Data'], '']);
    const inactive = (await viewer({ method: 'GET', url: '/v1/suppliers?active=false' })).json();
    expect(inactive.suppliers.map((s: { name: string }) => s.name)).toEqual(['beta leads']);
  });

  it.each([
    ['no name', { costPerLead: null }, ERROR_MESSAGE],
    ['a name of spaces', { name: '   ' }, 'name must be the supplier\'s name, 1 to 200 characters, as uploads name it in their "supplier" field'],
    ['an amount as a JSON number', { name: 'n1', costPerLead: { amount: 0.35, currency: 'USD' } }, ERROR_MESSAGE],
    ['a negative amount', { name: 'n2', costPerLead: { amount: '-0.35', currency: 'USD' } }, 'costPerLead.amount must be a decimal string of at most 12 digits before the point and 6 after it, not negative, such as "0.35", not "-0.35"'],
    ['more than 6 decimal places', { name: 'n3', costPerLead: { amount: '0.0000001', currency: 'USD' } }, 'costPerLead.amount must be a decimal string of at most 12 digits before the point and 6 after it, not negative, such as "0.35", not "0.0000001"'],
    ['a currency that is no ISO 4217 code', { name: 'n4', costPerLead: { amount: '1', currency: 'XYZ' } }, 'costPerLead.currency must be an ISO 4217 currency code such as USD, EUR or GBP, not "XYZ"'],
    ['a price without its currency', { name: 'n5', costPerLead: { amount: '1' } }, ERROR_MESSAGE],
    ['a region that is no country', { name: 'n6', phoneRegion: 'ZZ' }, 'phoneRegion must be an ISO 3166-1 alpha-2 country code with a phone numbering plan, such as US, GB or DE, or null for the default; not "ZZ"'],
    ['a field it does not take', { name: 'n7', price: '1' }, ERROR_MESSAGE],
  ])('refuses %s with 400 INVALID_SUPPLIER, saying what to send, and makes nothing', async (_what, body, message) => {
    const res = await admin({ method: 'POST', url: '/v1/suppliers', payload: body });
    expect([res.statusCode, res.json()]).toEqual([400, { code: 'INVALID_SUPPLIER', message }]);
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM suppliers WHERE name LIKE 'n_'");
    expect(rows[0]!.n).toBe(0);
  });

  it('refuses a name the tenant has already, whatever its case, naming the supplier that has it; another tenant may use it', async () => {
    const acme = await create({ name: 'Acme Leads' });
    const again = await admin({ method: 'POST', url: '/v1/suppliers', payload: { name: 'ACME  leads' } });
    expect([again.statusCode, again.json().code]).toEqual([409, 'SUPPLIER_EXISTS']);
    expect(again.json().message).toBe(
      `the tenant has a supplier named "Acme Leads" already (id ${acme.id}): change it with PATCH /v1/suppliers/${acme.id}, or choose another name`,
    );
    const other = await call(keys.otherAdmin)({ method: 'POST', url: '/v1/suppliers', payload: { name: 'Acme Leads' } });
    expect(other.statusCode).toBe(201);
    const renamed = await admin({ method: 'PATCH', url: `/v1/suppliers/${(await create({ name: 'Other Co' })).id}`, payload: { name: 'acme leads' } });
    expect([renamed.statusCode, renamed.json().code]).toEqual([409, 'SUPPLIER_EXISTS']);
  });

  it('changes only the fields sent, null removing the price or region; another tenant\'s supplier is not found and stays as it was', async () => {
    const s = await create({ name: 'Patchable', costPerLead: { amount: '1.5', currency: 'EUR' }, phoneRegion: 'DE' });
    const patch = (payload: object, key = keys.admin) => call(key)({ method: 'PATCH', url: `/v1/suppliers/${s.id}`, payload });
    expect((await patch({ active: false })).json()).toMatchObject({ name: 'Patchable', costPerLead: { amount: '1.50', currency: 'EUR' }, phoneRegion: 'DE', active: false });
    expect((await patch({ costPerLead: null, phoneRegion: null, name: 'Patched' })).json()).toMatchObject({ name: 'Patched', costPerLead: null, phoneRegion: null, active: false });
    expect((await patch({})).json()).toMatchObject({ name: 'Patched', active: false });

    const other = await patch({ active: true }, keys.otherAdmin);
    expect([other.statusCode, other.json().code]).toEqual([404, 'SUPPLIER_NOT_FOUND']);
    const seen = await call(keys.otherAdmin)({ method: 'GET', url: `/v1/suppliers/${s.id}` });
    expect([seen.statusCode, seen.json().code]).toEqual([404, 'SUPPLIER_NOT_FOUND']);
    expect((await call(keys.otherAdmin)({ method: 'GET', url: '/v1/suppliers' })).body).not.toContain(s.id);
    expect((await admin({ method: 'GET', url: `/v1/suppliers/${s.id}` })).json()).toMatchObject({ name: 'Patched', active: false });
    const viewer = await call(keys.viewer)({ method: 'PATCH', url: `/v1/suppliers/${s.id}`, payload: { active: true } });
    expect([viewer.statusCode, viewer.json().code]).toEqual([403, 'FORBIDDEN']);
  });

  it('makes the supplier an upload names when the tenant has none of that name, without a price, and links the job to it', async () => {
    const job = await upload('Brand New Supplier');
    const listed = (await admin({ method: 'GET', url: '/v1/suppliers' })).json().suppliers.find((s: { name: string }) => s.name === 'Brand New Supplier');
    expect(listed).toMatchObject({ costPerLead: null, phoneRegion: null, active: true });
    expect(job).toMatchObject({ supplier: 'Brand New Supplier', supplierId: listed.id, costPerLead: null, totalCost: null, costPerAcceptedLead: null });
    const again = await upload('brand new  SUPPLIER');
    expect(again).toMatchObject({ supplier: 'Brand New Supplier', supplierId: listed.id });
    const none = await upload('');
    expect(none).toMatchObject({ supplier: '', supplierId: null, costPerLead: null });
  });

  it('refuses an upload whose supplier is longer than a name, before it makes a job', async () => {
    for (const length of [201, 4000]) {
      const boundary = 'long-supplier';
      const payload = [`--${boundary}`, 'Content-Disposition: form-data; name="supplier"', '', 's'.repeat(length), `--${boundary}`,
        'Content-Disposition: form-data; name="file"; filename="f.csv"', '', 'email', `--${boundary}--`, ''].join('\r\n');
      const res = await admin({ method: 'POST', url: '/v1/jobs', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
      expect([res.statusCode, res.json()]).toEqual([400, { code: 'INVALID_SUPPLIER', message: `supplier must be a supplier's name of at most 200 characters, not ${length}` }]);
    }
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE length(supplier) > 200');
    expect(rows[0]!.n).toBe(0);
  });

  it("hands each job on with its supplier's registered name and phone region, as they were at upload", async () => {
    const s = await create({ name: 'Britannia Data', phoneRegion: 'GB' });
    const job = await upload('BRITANNIA DATA');
    expect(handedOn.find((r) => r.jobId === job.id)).toMatchObject({ supplier: 'Britannia Data', phoneRegion: 'GB' });
    await admin({ method: 'PATCH', url: `/v1/suppliers/${s.id}`, payload: { phoneRegion: null } });
    const later = await upload('Britannia Data');
    expect(handedOn.find((r) => r.jobId === later.id)?.phoneRegion).toBeUndefined();
  });

  it('shows a job its cost at the price of its upload, and the supplier its totals over its jobs, by currency', async () => {
    const s = await create({ name: 'Costly', costPerLead: { amount: '0.35', currency: 'USD' } });
    const first = await upload('Costly');
    expect(first).toMatchObject({ costPerLead: { amount: '0.35', currency: 'USD' }, totalCost: { amount: '0.00', currency: 'USD' }, costPerAcceptedLead: null });
    await completed(first.id, { rows: 5, accepted: 3, invalid: 1, duplicate: 1 });
    // The supplier bills all 5 rows of its file: 1.75 for 3 leads that could be used.
    const cost = { costPerLead: { amount: '0.35', currency: 'USD' }, totalCost: { amount: '1.75', currency: 'USD' }, costPerAcceptedLead: { amount: '0.583333', currency: 'USD' } };
    expect(await getJob(first.id)).toMatchObject({ status: 'completed', supplierId: s.id, ...cost });

    // A new price applies to the jobs uploaded from now on; the first keeps what it cost.
    await admin({ method: 'PATCH', url: `/v1/suppliers/${s.id}`, payload: { costPerLead: { amount: '0.5', currency: 'EUR' } } });
    const second = await upload('Costly');
    await completed(second.id, { rows: 4, accepted: 2, suppressed: 2 });
    expect(await getJob(first.id)).toMatchObject(cost);
    expect(await getJob(second.id)).toMatchObject({ costPerLead: { amount: '0.50', currency: 'EUR' }, totalCost: { amount: '2.00', currency: 'EUR' }, costPerAcceptedLead: { amount: '1.00', currency: 'EUR' } });
    await admin({ method: 'PATCH', url: `/v1/suppliers/${s.id}`, payload: { costPerLead: null } });
    const third = await upload('Costly');
    await completed(third.id, { rows: 2, accepted: 0, invalid: 2 });

    expect((await call(keys.viewer)({ method: 'GET', url: `/v1/suppliers/${s.id}` })).json().totals).toEqual({
      jobs: 3, rows: 11, accepted: 5, invalid: 3, duplicate: 1, suppressed: 2,
      costs: [
        { currency: 'EUR', jobs: 1, rows: 4, accepted: 2, totalCost: { amount: '2.00', currency: 'EUR' }, costPerAcceptedLead: { amount: '1.00', currency: 'EUR' } },
        { currency: 'USD', jobs: 1, rows: 5, accepted: 3, totalCost: { amount: '1.75', currency: 'USD' }, costPerAcceptedLead: { amount: '0.583333', currency: 'USD' } },
      ],
    });
  });
});
