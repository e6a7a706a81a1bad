import { credentials, type ServiceError } from '@grpc/grpc-js';
import { Disposition, JobStatus, LeadflowGatewayClient, type SubmitLeadRequest, type SubmitLeadResponse } from '@leadflow/proto';
import { expect, it } from 'vitest';
import { withApiKey } from './api-keys.js';
import { csvRowsByName } from './files.js';
import { callRest, uploadForm } from './tenant-walk.js';
import { waitUntil } from './wait-until.js';

/** A running gateway (`leadflow serve` or Kafka mode) and the admin keys of two tenants. */
export interface SingleLeadScenarioContext {
  base: string;
  grpcAddress: string;
  adminA: string;
  adminB: string;
  /** How long a small job may take to complete on a loaded machine. */
  timeoutMs: number;
}

type Json = Record<string, unknown>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Long enough for one lead on a loaded machine: the tests assert the answer, not its speed (that is bench:leads). */
const WAIT = 30_000;

/**
 * Leads that arrive one at a time (issue 12, docs/single-leads.md) as a partner's web form sends
 * them, over REST and gRPC: the tests of one describe block of `leadflow serve` or of Kafka mode,
 * run in order, each building on the one before. Tenant A is `adminA`'s, tenant B `adminB`'s.
 */
export function singleLeadScenario(context: () => SingleLeadScenarioContext): void {
  const state = { annLeadId: '', annJobId: '' };
  const rest = async (key: string, method: string, path: string, json?: unknown) => {
    const answer = await callRest(context().base, key, method, path, json === undefined ? undefined : { json });
    return { ...answer, body: JSON.parse(answer.text || 'null') as Json };
  };
  const submit = (key: string, lead: unknown, query = `wait=${WAIT}`) => rest(key, 'POST', `/v1/leads?${query}`, lead);
  const a = (method: string, path: string, json?: unknown) => rest(context().adminA, method, path, json);
  const exported = async (jobId: string, kind: string) => csvRowsByName((await callRest(context().base, context().adminA, 'GET', `/v1/jobs/${jobId}/exports/${kind}.csv`)).text);
  const completed = (jobId: string) =>
    waitUntil(`job ${jobId} to complete`, async () => {
      const job = (await a('GET', `/v1/jobs/${jobId}`)).body;
      if (job.status === 'failed') throw new Error(`job ${jobId} failed: ${JSON.stringify(job.failure)}`);
      return job.status === 'completed' ? job : undefined;
    }, { timeoutMs: context().timeoutMs, intervalMs: 100 });

  it('answers a valid lead accepted with its lead id, and shows it where leads are', async () => {
    const answer = await submit(context().adminA, { first_name: 'Ann', last_name: 'Archer', email: 'ann.archer@single-lead.example', phone: '+1 (201) 555-0140' });
    expect([answer.status, answer.body]).toEqual([
      200,
      { jobId: expect.stringMatching(UUID), disposition: 'accepted', reasons: [], leadId: expect.stringMatching(UUID), match: null },
    ]);
    state.annLeadId = answer.body.leadId as string;
    state.annJobId = answer.body.jobId as string;
    const job = await completed(state.annJobId);
    expect(job).toMatchObject({ fileName: '', counts: { rows: 1, accepted: 1, invalid: 0, duplicate: 0, suppressed: 0 } });
    const leads = await exported(state.annJobId, 'leads');
    expect(leads.map((l) => [l.row, l.lead_id, l.email, l.phone])).toEqual([['1', state.annLeadId, 'ann.archer@single-lead.example', '+12015550140']]);
    expect((await a('GET', `/v1/leads/${state.annLeadId}/merges`)).body).toEqual({ merges: [] });
  });

  it('answers the same person again duplicate, naming the lead it duplicates', async () => {
    const answer = await submit(context().adminA, { first_name: 'ann', last_name: 'archer', email: 'Ann.Archer@Single-Lead.example' });
    expect([answer.status, answer.body]).toEqual([
      200,
      {
        jobId: expect.stringMatching(UUID),
        disposition: 'duplicate',
        reasons: [expect.objectContaining({ code: 'DUP_EXACT_EMAIL', field: 'email' })],
        leadId: null,
        match: { leadId: state.annLeadId, matchType: 'exact_email', score: 1 },
      },
    ]);
    const duplicates = await exported(answer.body.jobId as string, 'duplicates');
    expect(duplicates.map((d) => [d.row, d.matched_lead_id, d.match_type])).toEqual([['1', state.annLeadId, 'exact_email']]);
  });

  it('answers a lead with no contact invalid, with its reasons, and keeps it as sent', async () => {
    const answer = await submit(context().adminA, { first_name: 'Nobody', email: 'not-an-email', company: 'Nowhere Ltd' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ disposition: 'invalid', leadId: null, match: null });
    expect((answer.body.reasons as Json[]).map((r) => r.code)).toEqual(expect.arrayContaining(['INVALID_EMAIL', 'NO_CONTACT']));
    const rejected = await exported(answer.body.jobId as string, 'rejected');
    expect(rejected).toEqual([expect.objectContaining({ row: '1', first_name: 'Nobody', email: 'not-an-email', company: 'Nowhere Ltd' })]);
  });

  it("answers a lead whose number is on the tenant's Do-Not-Call list suppressed", async () => {
    expect((await a('POST', '/v1/dnc/numbers', { numbers: ['+12015550177'] })).body).toEqual({ added: 1, rejected: [] });
    const answer = await submit(context().adminA, { first_name: 'Dee', phone: '(201) 555-0177', email: 'dee@single-lead.example' });
    expect([answer.status, answer.body]).toEqual([
      200,
      { jobId: expect.any(String), disposition: 'suppressed', reasons: [expect.objectContaining({ code: 'DNC_INTERNAL', field: 'phone' })], leadId: null, match: null },
    ]);
    expect((await exported(answer.body.jobId as string, 'suppressed')).map((s) => s.email)).toEqual(['dee@single-lead.example']);
    // Tenant B's list is its own: the same number is a lead there.
    const other = await submit(context().adminB, { first_name: 'Dee', phone: '(201) 555-0177' });
    expect(other.body).toMatchObject({ disposition: 'accepted', leadId: expect.stringMatching(UUID) });
  });

  it("maps a supplier's own field names by the mapping confirmed for that supplier", async () => {
    // A file of the supplier, its mapping confirmed by a person: "Notiz" holds the company.
    const upload = await callRest(context().base, context().adminA, 'POST', '/v1/jobs', {
      form: uploadForm('Kontakt,Notiz\nfirst@formular.example,Erste GmbH\n', { supplier: 'Formular AG', review: 'true' }),
    });
    const reviewJob = (JSON.parse(upload.text) as { id: string }).id;
    await waitUntil('the review job to wait for review', async () => ((await a('GET', `/v1/jobs/${reviewJob}`)).body.status === 'awaiting_review' ? true : undefined), {
      timeoutMs: context().timeoutMs,
      intervalMs: 100,
    });
    expect((await a('POST', `/v1/jobs/${reviewJob}/mapping`, { fields: { Notiz: 'company' } })).status).toBe(200);
    const lead = { Kontakt: 'gus@formular.example', Notiz: 'Gus & Söhne KG' };
    const mapped = await submit(context().adminA, lead, `supplier=${encodeURIComponent('formular ag')}&wait=${WAIT}`);
    expect(mapped.body).toMatchObject({ disposition: 'accepted' });
    expect((await completed(mapped.body.jobId as string)).supplier).toBe('Formular AG');
    expect((await exported(mapped.body.jobId as string, 'leads')).map((l) => [l.email, l.company])).toEqual([['gus@formular.example', 'Gus & Söhne KG']]);
    // Without the supplier the same names mean nothing known: the note stays aside.
    const unmapped = await submit(context().adminA, { ...lead, Kontakt: 'hal@formular.example' });
    const [stored] = await exported(unmapped.body.jobId as string, 'leads');
    expect([stored?.email, stored?.company]).toEqual(['hal@formular.example', '']);
  });

  it('answers 202 with the job when the caller does not wait, and the job tells the rest', async () => {
    const answer = await submit(context().adminA, { email: 'ivy@single-lead.example' }, 'wait=0');
    expect([answer.status, answer.body]).toEqual([202, expect.objectContaining({ id: expect.stringMatching(UUID), fileName: '', counts: expect.any(Object) })]);
    const job = await completed(answer.body.id as string);
    expect(job.counts).toMatchObject({ rows: 1, accepted: 1 });
    expect((await exported(answer.body.id as string, 'leads')).map((l) => l.email)).toEqual(['ivy@single-lead.example']);
  });

  it('refuses a lead that is no flat JSON object, or a wait out of range, naming the problem, and files nothing', async () => {
    const before = ((await a('GET', '/v1/jobs?limit=1')).body.jobs as Json[])[0]?.id;
    const nested = await submit(context().adminA, { email: 'x@single-lead.example', address: { city: 'Austin' } });
    expect([nested.status, nested.body.code]).toEqual([400, 'INVALID_LEAD']);
    const array = await submit(context().adminA, [{ email: 'x@single-lead.example' }]);
    expect([array.status, array.body.code]).toEqual([400, 'INVALID_LEAD']);
    const empty = await submit(context().adminA, {});
    expect([empty.status, empty.body.code, empty.body.message]).toEqual([400, 'INVALID_LEAD', expect.stringContaining('no fields')]);
    const wait = await submit(context().adminA, { email: 'x@single-lead.example' }, 'wait=60000');
    expect([wait.status, wait.body.code, wait.body.message]).toEqual([400, 'INVALID_QUERY', expect.stringContaining('wait must be')]);
    expect(((await a('GET', '/v1/jobs?limit=1')).body.jobs as Json[])[0]?.id).toBe(before);
  });

  it('answers leads sent at once each with its own disposition; of two of the same person exactly one is accepted', async () => {
    const person = (n: number) => ({ first_name: `Pat${n}`, last_name: 'Parallel', email: `pat${n}.parallel@single-lead.example`, phone: `+1 (303) 555-01${10 + n}` });
    const leads = [
      person(1),
      person(2),
      { ...person(3), email: 'Pat3.Parallel@Single-Lead.example', first_name: 'PAT3' },
      person(3),
      { first_name: 'Nobody', last_name: 'Parallel', email: 'not-an-email', phone: '' },
      person(4),
      person(5),
      person(6),
    ];
    const answers = await Promise.all(leads.map((lead) => submit(context().adminA, lead)));
    expect(answers.map((a) => a.status)).toEqual(leads.map(() => 200));
    const body = (i: number) => answers[i]!.body;
    for (const i of [0, 1, 5, 6, 7]) expect(body(i)).toMatchObject({ disposition: 'accepted', reasons: [], leadId: expect.stringMatching(UUID), match: null });
    expect(body(4)).toMatchObject({ disposition: 'invalid', leadId: null, match: null });
    expect((body(4).reasons as Json[]).map((r) => r.code)).toContain('NO_CONTACT');
    // The same person twice at once: one accepted, the other a duplicate of it, whichever came first.
    const pair = [body(2), body(3)];
    const kept = pair.find((b) => b.disposition === 'accepted');
    const copy = pair.find((b) => b.disposition === 'duplicate');
    expect([kept?.disposition, copy?.disposition]).toEqual(['accepted', 'duplicate']);
    expect(copy).toMatchObject({ leadId: null, match: { leadId: kept!.leadId, matchType: 'exact_email', score: 1 } });
    expect((copy!.reasons as Json[]).map((r) => r.code)).toEqual(['DUP_EXACT_EMAIL']);
    expect(new Set(answers.map((a) => a.body.leadId).filter(Boolean)).size).toBe(6);
    // Each lead is a row of the job its answer names (leads sent together may share one): the rows add up.
    const jobIds = [...new Set(answers.map((a) => a.body.jobId as string))];
    const jobs = await Promise.all(jobIds.map((id) => completed(id)));
    expect(jobs.reduce((sum, job) => sum + ((job.counts as Json).rows as number), 0)).toBe(8);
    const stored = (await Promise.all(jobIds.map((id) => exported(id, 'leads')))).flat();
    const byLead = new Map(stored.map((l) => [l.lead_id, l.email]));
    for (const i of [0, 1, 5, 6, 7]) expect(byLead.get(body(i).leadId as string)).toBe(leads[i]!.email);
    expect(byLead.get(kept!.leadId as string)?.toLowerCase()).toBe('pat3.parallel@single-lead.example');
  });

  it('offers the same over gRPC: SubmitLead answers the result, or the job when it does not wait', async () => {
    const { grpcAddress, adminA } = context();
    const client = new LeadflowGatewayClient(grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(adminA)] });
    const send = (request: SubmitLeadRequest) =>
      new Promise<SubmitLeadResponse>((resolve, reject) => client.submitLead(request, (err: ServiceError | null, res?: SubmitLeadResponse) => (err ? reject(err) : resolve(res!))));
    try {
      const first = await send({ lead: { email: 'jo@single-lead.example', first_name: 'Jo' }, supplier: '', waitMs: WAIT });
      expect(first).toEqual({
        result: { jobId: expect.stringMatching(UUID), disposition: Disposition.DISPOSITION_ACCEPTED, reasons: [], leadId: expect.stringMatching(UUID), match: undefined },
      });
      const again = await send({ lead: { 'E-Mail': 'JO@single-lead.example' }, supplier: '', waitMs: WAIT });
      expect(again.result).toMatchObject({
        disposition: Disposition.DISPOSITION_DUPLICATE,
        leadId: '',
        match: { leadId: first.result!.leadId, matchType: 'exact_email', score: 1 },
      });
      const queued = await send({ lead: { email: 'kim@single-lead.example' }, supplier: '', waitMs: 0 });
      expect(queued.result).toBeUndefined();
      expect(queued.job).toMatchObject({ id: expect.stringMatching(UUID) });
      expect([JobStatus.JOB_STATUS_QUEUED, JobStatus.JOB_STATUS_RUNNING, JobStatus.JOB_STATUS_COMPLETED]).toContain(queued.job!.status);
      expect((await completed(queued.job!.id)).counts).toMatchObject({ accepted: 1 });
      const refused = await send({ lead: {}, supplier: '', waitMs: 10 }).catch((err: ServiceError) => err);
      expect((refused as ServiceError).details).toMatch(/^INVALID_LEAD: /);
    } finally {
      client.close();
    }
  });
}
