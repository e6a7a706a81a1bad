import { credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import {
  LeadflowGatewayClient, type CreateSupplierResponse, type GetJobResponse, type GetSupplierResponse, type ListSuppliersResponse, type UpdateSupplierResponse,
} from '@leadflow/proto';
import { expect, it } from 'vitest';
import { withApiKey } from './api-keys.js';
import { csvRowsByName } from './files.js';
import { callRest, uploadForm } from './tenant-walk.js';
import { waitUntil } from './wait-until.js';

/** A running gateway (`leadflow serve` or Kafka mode) and the admin keys of two tenants. */
export interface SupplierScenarioContext {
  base: string;
  grpcAddress: string;
  adminA: string;
  adminB: string;
  /** How long a small job may take to complete on a loaded machine. */
  timeoutMs: number;
}

/**
 * Five rows from a British supplier: Ann twice (a duplicate), Cara with only a phone written as
 * in Britain (a lead only where the supplier's region is read: anywhere else it is no number),
 * Dan with no contact at all (invalid). 5 rows, 3 accepted.
 */
const BRITISH_CSV = [
  'first_name,last_name,email,phone',
  'Ann,Archer,ann.archer@supplier-scenario.example,020 7946 0018',
  'Ben,Baker,ben.baker@supplier-scenario.example,',
  'Cara,Cole,,020 7946 0019',
  'Dan,Dale,,',
  'Ann,Archer,ann.archer@supplier-scenario.example,020 7946 0018',
  '',
].join('\n');

type Json = Record<string, unknown>;

/**
 * Suppliers and cost (issue 12) as a partner system drives them, over REST and gRPC: the tests of
 * one describe block of `leadflow serve` or of Kafka mode, run in order, each building on the one
 * before. Tenant A is `adminA`'s, tenant B `adminB`'s.
 */
export function supplierScenario(context: () => SupplierScenarioContext): void {
  const state = { supplierId: '', firstJob: '', secondJob: '' };
  const rest = async (key: string, method: string, path: string, json?: unknown) => {
    const { base } = context();
    const answer = await callRest(base, key, method, path, json === undefined ? undefined : { json });
    return { ...answer, body: JSON.parse(answer.text || 'null') as Json };
  };
  const a = (method: string, path: string, json?: unknown) => rest(context().adminA, method, path, json);
  /** Uploads `csv` for tenant A naming `supplier`, and answers the job once it completed. */
  const completedJob = async (csv: string, supplier: string) => {
    const { base, adminA, timeoutMs } = context();
    const created = await callRest(base, adminA, 'POST', '/v1/jobs', { form: uploadForm(csv, { supplier }) });
    expect(created.status, created.text).toBe(202);
    const { id } = JSON.parse(created.text) as { id: string };
    return waitUntil(`job ${id} to complete`, async () => {
      const job = (await a('GET', `/v1/jobs/${id}`)).body;
      if (job.status === 'failed') throw new Error(`job ${id} failed: ${JSON.stringify(job.failure)}`);
      return job.status === 'completed' ? job : undefined;
    }, { timeoutMs, intervalMs: 250 });
  };
  const usd = (amount: string) => ({ amount, currency: 'USD' });
  const eur = (amount: string) => ({ amount, currency: 'EUR' });

  it('creates a supplier with a price per lead and a phone region, lists it, and changes it (REST)', async () => {
    const created = await a('POST', '/v1/suppliers', { name: 'Acme Leads', costPerLead: { amount: '0.35', currency: 'USD' }, phoneRegion: 'gb' });
    expect([created.status, created.body]).toEqual([201, expect.objectContaining({ name: 'Acme Leads', costPerLead: usd('0.35'), phoneRegion: 'GB', active: true })]);
    state.supplierId = created.body.id as string;
    const listed = await a('GET', '/v1/suppliers');
    expect((listed.body.suppliers as Json[]).map((s) => s.name)).toContain('Acme Leads');
    const paused = await a('PATCH', `/v1/suppliers/${state.supplierId}`, { active: false });
    expect(paused.body).toMatchObject({ active: false, costPerLead: usd('0.35'), phoneRegion: 'GB' });
    expect((await a('GET', '/v1/suppliers?active=false')).body.suppliers).toEqual([expect.objectContaining({ id: state.supplierId })]);
    expect((await a('PATCH', `/v1/suppliers/${state.supplierId}`, { active: true })).body.active).toBe(true);
  });

  it("costs a completed job at its supplier's price, and reads its phones in the supplier's region", async () => {
    // Named in another case: the same supplier.
    const job = await completedJob(BRITISH_CSV, 'ACME LEADS');
    state.firstJob = job.id as string;
    expect(job).toMatchObject({
      supplier: 'Acme Leads',
      supplierId: state.supplierId,
      counts: { rows: 5, accepted: 3, invalid: 1, duplicate: 1, suppressed: 0 },
      // The supplier bills the 5 rows of its file: 1.75 for 3 leads that can be used.
      costPerLead: usd('0.35'),
      totalCost: usd('1.75'),
      costPerAcceptedLead: usd('0.583333'),
    });
    const leads = csvRowsByName((await callRest(context().base, context().adminA, 'GET', `/v1/jobs/${state.firstJob}/exports/leads.csv`)).text);
    expect(leads.map((l) => [l.first_name, l.phone])).toEqual([['Ann', '+442079460018'], ['Ben', ''], ['Cara', '+442079460019']]);
  });

  it("keeps each job's price when the supplier's changes, and totals the supplier's jobs by currency", async () => {
    await a('PATCH', `/v1/suppliers/${state.supplierId}`, { costPerLead: { amount: '0.5', currency: 'EUR' } });
    const second = await completedJob('email\neve@supplier-scenario.example\nfay@supplier-scenario.example\n', 'Acme Leads');
    state.secondJob = second.id as string;
    expect(second).toMatchObject({ counts: { rows: 2, accepted: 2 }, costPerLead: eur('0.50'), totalCost: eur('1.00'), costPerAcceptedLead: eur('0.50') });
    expect((await a('GET', `/v1/jobs/${state.firstJob}`)).body).toMatchObject({ costPerLead: usd('0.35'), totalCost: usd('1.75') });
    const supplier = await a('GET', `/v1/suppliers/${state.supplierId}`);
    expect(supplier.body).toMatchObject({ name: 'Acme Leads', costPerLead: eur('0.50') });
    expect(supplier.body.totals).toEqual({
      jobs: 2, rows: 7, accepted: 5, invalid: 1, duplicate: 1, suppressed: 0,
      costs: [
        { currency: 'EUR', jobs: 1, rows: 2, accepted: 2, totalCost: eur('1.00'), costPerAcceptedLead: eur('0.50') },
        { currency: 'USD', jobs: 1, rows: 5, accepted: 3, totalCost: usd('1.75'), costPerAcceptedLead: usd('0.583333') },
      ],
    });
  });

  it('takes a file from a supplier it does not know, and makes that supplier, with no price', async () => {
    const job = await completedJob('email\ngil@supplier-scenario.example\n', 'Brand-new Co');
    expect(job).toMatchObject({ supplier: 'Brand-new Co', counts: { accepted: 1 }, costPerLead: null, totalCost: null, costPerAcceptedLead: null });
    const made = (await a('GET', `/v1/suppliers/${job.supplierId as string}`)).body;
    expect(made).toMatchObject({ name: 'Brand-new Co', costPerLead: null, phoneRegion: null, active: true, totals: { jobs: 1, rows: 1, accepted: 1, costs: [] } });
  });

  it("shows tenant B none of tenant A's suppliers, and lets it use the same names", async () => {
    const b = (method: string, path: string, json?: unknown) => rest(context().adminB, method, path, json);
    for (const [method, body] of [['GET', undefined], ['PATCH', { active: false }]] as const) {
      const answer = await b(method, `/v1/suppliers/${state.supplierId}`, body);
      expect([answer.status, answer.body.code]).toEqual([404, 'SUPPLIER_NOT_FOUND']);
    }
    expect((await b('GET', '/v1/suppliers')).text).not.toMatch(/Acme Leads|Brand-new Co/);
    const own = await b('POST', '/v1/suppliers', { name: 'Acme Leads' });
    expect([own.status, own.body.id === state.supplierId]).toEqual([201, false]);
    expect((await a('GET', `/v1/suppliers/${state.supplierId}`)).body).toMatchObject({ active: true, costPerLead: eur('0.50') });
  });

  it('offers the same over gRPC: CreateSupplier, ListSuppliers, GetSupplier, UpdateSupplier, and the cost on GetJob', async () => {
    const { grpcAddress, adminA, adminB } = context();
    const client = (key: string) => new LeadflowGatewayClient(grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
    const [ca, cb] = [client(adminA), client(adminB)];
    const unary = <Res>(send: (done: (err: ServiceError | null, res?: Res) => void) => unknown) =>
      new Promise<Res>((resolve, reject) => send((err, res) => (err ? reject(err) : resolve(res!))));
    try {
      const made = await unary<CreateSupplierResponse>((done) => ca.createSupplier({ name: 'Grpc Co', costPerLead: { amount: '0.1', currency: 'gbp' }, phoneRegion: 'de' }, done));
      expect(made.supplier).toMatchObject({ name: 'Grpc Co', costPerLead: { amount: '0.10', currency: 'GBP' }, phoneRegion: 'DE', active: true });
      const id = made.supplier!.id;
      await expect(unary<CreateSupplierResponse>((done) => ca.createSupplier({ name: 'grpc co', costPerLead: undefined, phoneRegion: '' }, done))).rejects.toMatchObject({
        code: GrpcStatus.FAILED_PRECONDITION, details: expect.stringMatching(/^SUPPLIER_EXISTS: /),
      });
      await expect(unary<CreateSupplierResponse>((done) => ca.createSupplier({ name: 'Bad Co', costPerLead: { amount: '1', currency: 'XYZ' }, phoneRegion: '' }, done))).rejects.toMatchObject({
        code: GrpcStatus.INVALID_ARGUMENT, details: 'INVALID_SUPPLIER: costPerLead.currency must be an ISO 4217 currency code such as USD, EUR or GBP, not "XYZ"',
      });
      const page = await unary<ListSuppliersResponse>((done) => ca.listSuppliers({ limit: 0, after: '' }, done));
      expect(page.suppliers.map((s) => s.name)).toEqual(['Acme Leads', 'Brand-new Co', 'Grpc Co']);
      const cleared = await unary<UpdateSupplierResponse>((done) => ca.updateSupplier({ id, costPerLead: undefined, clearCostPerLead: true, phoneRegion: '', active: false }, done));
      expect(cleared.supplier).toMatchObject({ costPerLead: undefined, phoneRegion: '', active: false });

      const acme = await unary<GetSupplierResponse>((done) => ca.getSupplier({ id: state.supplierId }, done));
      expect(acme.totals).toMatchObject({ jobs: 2, rows: 7, accepted: 5, costs: [{ currency: 'EUR', totalCost: eur('1.00') }, { currency: 'USD', costPerAcceptedLead: usd('0.583333') }] });
      const job = await unary<GetJobResponse>((done) => ca.getJob({ id: state.firstJob }, done));
      expect(job.job).toMatchObject({ supplierId: state.supplierId, costPerLead: usd('0.35'), totalCost: usd('1.75'), costPerAcceptedLead: usd('0.583333') });
      await expect(unary<GetSupplierResponse>((done) => cb.getSupplier({ id: state.supplierId }, done))).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
    } finally {
      ca.close();
      cb.close();
    }
  });
}
