import { Webhook } from 'standardwebhooks';
import { callRest, uploadForm } from './tenant-walk.js';
import type { WebhookReceiver } from './webhook-receiver.js';
import { waitUntil } from './wait-until.js';

type Body = { type: string; data: { id: string; jobId?: string; row?: number; reasons?: { code: string; detail?: string }[] } };

export interface RescreenScenarioOptions {
  base: string;
  /** An admin key of a tenant in DNC_OPERATOR_TENANTS (it adds a number to the national list). */
  adminKey: string;
  receiver: WebhookReceiver;
  /** Two numbers no other test lists: the first is listed later (internal), the second is national with consent. */
  numbers: readonly [string, string];
  timeoutMs: number;
  /** The id of a job's row's lead (@leadflow/pipeline leadIdFor). */
  leadIdFor(jobId: string, row: number): string;
}

/** What a partner saw; the test asserts on it (expectRescreenSeen). */
export interface RescreenScenario {
  jobId: string;
  secret: string;
  today: string;
  numbers: readonly [string, string];
  suppressed: { body: string; headers: Record<string, string | string[] | undefined> };
  leadsAfter: string;
  suppressedRows: string;
  run: { id: string; status: string; screened: number; suppressed: number };
  firstAnswer: { status: number; run: { status: string } };
  unknownRun: number;
  bodies: Body[];
  /** Row 1's lead id. */
  listedLead: string;
}

/**
 * Issue 13's "a list change re-screens stored leads" as a partner drives it (docs/rescreen.md),
 * in serve and in Kafka mode: an endpoint taking lead.created and lead.suppressed; the second number
 * added to the national list and a consent recorded for it; two leads uploaded and delivered; the
 * first number added to the tenant's internal list by a change list; then the lead.suppressed, the
 * exports, and POST /v1/dnc/rescreen for the job and its state until completed.
 */
export async function runRescreenScenario(o: RescreenScenarioOptions): Promise<RescreenScenario> {
  const api = (method: string, path: string, body?: Parameters<typeof callRest>[4]) => callRest(o.base, o.adminKey, method, path, body);
  const ok = async (what: string, answer: Promise<{ status: number; text: string }>, status: number) => {
    const a = await answer;
    if (a.status !== status) throw new Error(`${what}: ${a.status} ${a.text.slice(0, 300)}`);
    return JSON.parse(a.text || 'null') as Record<string, unknown>;
  };
  const [later, consented] = o.numbers;
  const bodies = () => o.receiver.requests.map((r) => JSON.parse(r.body) as Body);
  const { secret } = (await ok('webhook', api('POST', '/v1/webhooks', { json: { url: o.receiver.url, mode: 'record', events: ['lead.created', 'lead.suppressed'] } }), 201)) as { secret: string };
  const today = new Date().toISOString().slice(0, 10);
  await ok('national', api('POST', '/v1/dnc/lists/national/changes', { text: `${consented},A\n` }), 200);
  await ok('consent', api('POST', '/v1/dnc/exemptions', { json: { phone: consented, kind: 'consent', date: '2026-01-01', evidence: { text: 'web form' } } }), 201);

  const { id: jobId } = (await ok('upload', api('POST', '/v1/jobs', { form: uploadForm(`first_name,email,phone\nAnn,ann@rescreen.example,${later}\nBob,bob@rescreen.example,${consented}\n`, { supplier: 'rescreen' }) }), 202)) as { id: string };
  const ours = () => bodies().filter((b) => b.data.jobId === jobId);
  await waitUntil('both leads delivered', () => (ours().filter((b) => b.type === 'lead.created').length === 2 ? true : undefined), { timeoutMs: o.timeoutMs });

  await ok('internal change', api('POST', '/v1/dnc/lists/internal/changes', { text: `${later},A\n` }), 200);
  const suppressed = await waitUntil('lead.suppressed at the receiver', () =>
    o.receiver.requests.find((r) => {
      const b = JSON.parse(r.body) as Body;
      return b.type === 'lead.suppressed' && b.data.jobId === jobId;
    }), { timeoutMs: o.timeoutMs });
  const leadsAfter = (await api('GET', `/v1/jobs/${jobId}/exports/leads.csv`)).text;
  const suppressedRows = (await api('GET', `/v1/jobs/${jobId}/exports/suppressed.csv`)).text;

  const asked = await api('POST', '/v1/dnc/rescreen', { json: { jobId } });
  const first = JSON.parse(asked.text) as { id: string; status: string };
  const run = await waitUntil('the re-screening to complete', async () => {
    const r = JSON.parse((await api('GET', `/v1/dnc/rescreen/${first.id}`)).text) as RescreenScenario['run'];
    return r.status === 'completed' || r.status === 'failed' ? r : undefined;
  }, { timeoutMs: o.timeoutMs });
  const unknownRun = (await api('GET', '/v1/dnc/rescreen/999999999')).status;
  return {
    jobId, secret, today, numbers: o.numbers, suppressed: { body: suppressed.body, headers: suppressed.headers }, leadsAfter, suppressedRows, run,
    firstAnswer: { status: asked.status, run: first }, unknownRun, bodies: ours(), listedLead: o.leadIdFor(jobId, 1),
  };
}

/** The checks of a scenario's outcome, as a partner would make them. */
export function rescreenProblems(s: RescreenScenario): string[] {
  const problems: string[] = [];
  const [later, consented] = s.numbers;
  try {
    new Webhook(s.secret).verify(s.suppressed.body, s.suppressed.headers as Record<string, string>);
  } catch (err) {
    problems.push(`lead.suppressed does not verify: ${(err as Error).message}`);
  }
  const data = (JSON.parse(s.suppressed.body) as Body).data;
  if (data.id !== s.listedLead) problems.push(`lead.suppressed names lead ${data.id}, not row 1's`);
  const reasons = data.reasons ?? [];
  if (reasons.length !== 1 || reasons[0]!.code !== 'DNC_INTERNAL' || !new RegExp(`^Internal ${s.today}, version \\d+$`).test(reasons[0]!.detail ?? '')) {
    problems.push(`lead.suppressed reasons ${JSON.stringify(reasons)}, not one DNC_INTERNAL naming the internal list of ${s.today}`);
  }
  if (!s.leadsAfter.includes(consented) || s.leadsAfter.includes(later)) problems.push(`leads.csv after: ${s.leadsAfter}`);
  if (!s.suppressedRows.includes(later) || !s.suppressedRows.includes('DNC_INTERNAL')) problems.push(`suppressed.csv after: ${s.suppressedRows}`);
  if (s.firstAnswer.status !== 202 || s.firstAnswer.run.status !== 'pending') problems.push(`POST /v1/dnc/rescreen answered ${s.firstAnswer.status} ${JSON.stringify(s.firstAnswer.run)}`);
  if (s.run.status !== 'completed' || s.run.screened !== 1 || s.run.suppressed !== 0) problems.push(`the re-screening ended ${JSON.stringify(s.run)}, not completed with 1 screened, 0 suppressed`);
  if (s.unknownRun !== 404) problems.push(`an unknown re-screening answered ${s.unknownRun}`);
  const created = s.bodies.filter((b) => b.type === 'lead.created' && b.data.id === s.listedLead).length;
  if (created !== 1) problems.push(`the suppressed lead's lead.created arrived ${created} times`);
  const told = s.bodies.filter((b) => b.type === 'lead.suppressed').length;
  if (told !== 1) problems.push(`lead.suppressed arrived ${told} times`);
  return problems;
}
