import { credentials, type ServiceError } from '@grpc/grpc-js';
import { LeadflowGatewayClient, type SupplierScorecard, type TagRules } from '@leadflow/proto';
import { expect, it } from 'vitest';
import { withApiKey } from './api-keys.js';
import { csvRowsByName } from './files.js';
import type { SupplierScenarioContext } from './supplier-scenario.js';
import { callRest, uploadForm } from './tenant-walk.js';
import { waitUntil } from './wait-until.js';

/** Ann (an executive in New York, a free mailbox), Bob (an engineer at a business address), Dan with no contact (invalid), Ann again (a duplicate). */
const TAGGED_CSV = [
  'first_name,last_name,email,company,job_title,state,country',
  'Ann,Archer,ann.archer.tags@gmail.com,Bluewater Plumbing,VP of Sales,NY,US',
  'Bob,Baker,bob.baker@tag-scenario.example,Acme Dental,Software Engineer,TX,US',
  'Dan,Dale,,,,,',
  'Ann,Archer,ann.archer.tags@gmail.com,Bluewater Plumbing,VP of Sales,NY,US',
  '',
].join('\n');

const RULES = [
  { tag: 'ny-exec', when: { all: [{ field: 'state', equals: 'NY' }, { field: 'seniority', in: ['c_level', 'vp'] }] } },
  { tag: 'from-tagged', when: { field: 'supplier', equals: 'Tagged Lists' } },
  { tag: 'not-free', when: { not: { field: 'tags', contains: 'email:free' } } },
];

type Json = Record<string, unknown>;

/**
 * Tag rules and a supplier scorecard (docs/tags-and-scorecards.md) as a partner system drives
 * them, in `leadflow serve` or Kafka mode, for tenant B: run before B's first job through the
 * services, so that every enrichment replica reads B's rules when it first sees the tenant.
 */
export function tagScorecardScenario(context: () => SupplierScenarioContext): void {
  const state = { supplierId: '', job: {} as Json };
  const rest = async (key: string, method: string, path: string, json?: unknown) => {
    const answer = await callRest(context().base, key, method, path, json === undefined ? undefined : { json });
    return { ...answer, body: JSON.parse(answer.text || 'null') as Json };
  };
  // Tenant B's rules and supplier, so that tenant A's suppliers stay as the supplier scenario expects them.
  const a = (method: string, path: string, json?: unknown) => rest(context().adminB, method, path, json);

  it("tags each lead by the built-in tags and the tenant's rules, in leads.csv", async () => {
    const bad = await a('PUT', '/v1/tags/rules', { rules: [{ tag: 'x', when: { field: 'state', equal: 'NY' } }] });
    expect([bad.status, bad.body.code, bad.body.message]).toEqual([400, 'INVALID_TAG_RULES', expect.stringMatching(/^rules\[0\]\.when\.equal: is not an operator/)]);
    const saved = await a('PUT', '/v1/tags/rules', { rules: RULES });
    expect([saved.status, saved.body.rules]).toEqual([200, RULES]);
    const supplier = await a('POST', '/v1/suppliers', { name: 'Tagged Lists', costPerLead: { amount: '0.50', currency: 'USD' } });
    expect(supplier.status, supplier.text).toBe(201);
    state.supplierId = supplier.body.id as string;

    const { base, adminB, timeoutMs } = context();
    const created = await callRest(base, adminB, 'POST', '/v1/jobs', { form: uploadForm(TAGGED_CSV, { supplier: 'Tagged Lists' }) });
    expect(created.status, created.text).toBe(202);
    const { id } = JSON.parse(created.text) as { id: string };
    state.job = await waitUntil(`job ${id} to complete`, async () => {
      const job = (await a('GET', `/v1/jobs/${id}`)).body;
      if (job.status === 'failed') throw new Error(`job ${id} failed: ${JSON.stringify(job.failure)}`);
      return job.status === 'completed' ? job : undefined;
    }, { timeoutMs, intervalMs: 250 });
    expect(state.job.counts).toMatchObject({ rows: 4, accepted: 2, invalid: 1, duplicate: 1, suppressed: 0 });

    const leads = csvRowsByName((await callRest(base, adminB, 'GET', `/v1/jobs/${id}/exports/leads.csv`)).text);
    expect(leads.map((l) => [l.first_name, l.tags!.split(';')])).toEqual([
      // No other supplier delivered either person: both exclusive (docs/enrichment.md, Exclusivity).
      ['Ann', ['email:free', 'tz:America/New_York', 'industry:23', 'seniority:vp', 'department:sales', 'exclusive', 'ny-exec', 'from-tagged']],
      ['Bob', ['email:business', 'tz:America/Chicago', 'industry:62', 'seniority:individual-contributor', 'department:engineering', 'exclusive', 'from-tagged', 'not-free']],
    ]);
    // Another tenant's rules are its own.
    expect((await rest(context().adminA, 'GET', '/v1/tags/rules')).body).toEqual({ rules: [], updatedAt: null });
  });

  it("answers the supplier's scorecard as the sum of its jobs, over REST and gRPC", async () => {
    const job = state.job as { counts: Record<string, number>; totalCost: Json; costPerAcceptedLead: Json };
    const { rows, accepted, invalid, duplicate, suppressed } = job.counts;
    const card = await a('GET', `/v1/suppliers/${state.supplierId}/scorecard?from=2020-01-01`);
    expect([card.status, card.body]).toEqual([200, {
      supplierId: state.supplierId, supplier: 'Tagged Lists', from: '2020-01-01T00:00:00.000Z', to: null,
      jobs: 1, rows, accepted, invalid, duplicate, suppressed, possibleDuplicates: 0, acceptedShare: 0.5, averageQuality: expect.any(Number), exclusiveShare: 1,
      costs: [{ currency: 'USD', jobs: 1, rows: 4, accepted: 2, totalCost: job.totalCost, costPerAcceptedLead: job.costPerAcceptedLead }],
    }]);
    expect(job.totalCost).toEqual({ amount: '2.00', currency: 'USD' });
    const empty = await a('GET', `/v1/suppliers/${state.supplierId}/scorecard?to=2020-01-01`);
    expect(empty.body).toMatchObject({ jobs: 0, rows: 0, costs: [] });
    const other = await rest(context().adminA, 'GET', `/v1/suppliers/${state.supplierId}/scorecard`);
    expect([other.status, other.body.code]).toEqual([404, 'SUPPLIER_NOT_FOUND']);

    const client = new LeadflowGatewayClient(context().grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(context().adminB)] });
    const unary = <Res>(send: (done: (err: ServiceError | null, res?: Res) => void) => unknown) =>
      new Promise<Res>((resolve, reject) => send((err, res) => (err ? reject(err) : resolve(res!))));
    try {
      const g = await unary<SupplierScorecard>((done) => client.getSupplierScorecard({ id: state.supplierId, from: '', to: '' }, done));
      expect(g).toMatchObject({ jobs: 1, rows: 4, accepted: 2, invalid: 1, duplicate: 1, suppressed: 0, possibleDuplicates: 0, exclusiveShare: 1, costs: [expect.objectContaining({ totalCost: job.totalCost })] });
      expect(g.averageQuality).toBe(card.body.averageQuality);
      const rules = await unary<TagRules>((done) => client.getTagRules({}, done));
      expect(rules.rules.map((r) => [r.tag, JSON.parse(r.when)])).toEqual(RULES.map((r) => [r.tag, r.when]));
    } finally {
      client.close();
    }
  });
}
