import { randomInt } from 'node:crypto';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { LeadflowGatewayClient, type ErasePersonResponse } from '@leadflow/proto';
import { expect } from 'vitest';
import { withApiKey } from './api-keys.js';
import { csvRowsByName } from './files.js';
import type { Needles } from './erasure-scan.js';
import { callRest } from './tenant-walk.js';
import { waitUntil } from './wait-until.js';
import type { WebhookReceiver } from './webhook-receiver.js';

/** A running gateway (`leadflow serve` or Kafka mode), two tenants' keys, and a receiver its webhooks may reach. */
export interface ErasureScenarioContext {
  base: string;
  grpcAddress: string;
  tenantA: string;
  adminA: string;
  viewerA: string;
  tenantB: string;
  adminB: string;
  receiver: WebhookReceiver;
  timeoutMs: number;
  /** Kafka mode: scans Redis (and the database) right after the erasure, before the person is sent again. */
  afterErasure?: (needles: Needles, except: string[]) => Promise<void>;
}

export interface ErasureSeen {
  /** Her email, as tenant B keeps it. */
  email: string;
  /** What to look for in the database and Redis, and the rows to leave out (tenant B's, and the job sent after the erasure). */
  needles: Needles;
  except: string[];
  answer: { removed: Record<string, number>; suppressed: string[]; id: string; erasedAt: string };
  grpcAnswer: ErasePersonResponse;
  /** The reasons of the person's row sent again after the erasure. */
  againReasons: string;
  /** The job that sent her again (its suppressed row holds her reasons with their details: expectAgainDetails). */
  againJob: string;
  againCounts: Record<string, number>;
  /** Tenant B's copy of the person, after the erasure in tenant A. */
  tenantBLeads: Record<string, string>[];
  refusals: { status: number; code: string }[];
  /** Deliveries `GET /v1/deliveries?job=` listed for the job that delivered her lead, before and after the erasure (with their statuses). */
  deliveriesListed: { before: string[]; after: string[] };
}

/** A North American number no other run uses: an area code of New Jersey, a random exchange and line. */
function randomNumber(): { e164: string; area: string; exchange: string; line: string } {
  const area = ['201', '973', '908', '732'][randomInt(4)]!;
  let exchange = '';
  while (!exchange || exchange === '555' || exchange.endsWith('11')) exchange = String(randomInt(200, 1000));
  const line = String(randomInt(0, 10_000)).padStart(4, '0');
  return { e164: `+1${area}${exchange}${line}`, area, exchange, line };
}

/**
 * Issue 13's erasure (docs/erasure.md), the same in `leadflow serve` and Kafka mode: Erin appears
 * in tenant A as a suppressed row (her old number is on A's do-not-call list), an accepted lead
 * delivered to a local receiver (her work email and her number), a duplicate (her number again)
 * and a rejected row (her number in a note); tenant B has her too. A's admin erases her by email
 * and number (other spellings, other case); the answer counts what went; the gRPC twin finds
 * nothing left; her row sent again is SUPPRESSED, by her keyed hashes (the erasure named, never her
 * email or number). The caller then scans every table (and Redis) for her: nothing may hold her.
 */
export async function runErasureScenario(ctx: ErasureScenarioContext): Promise<ErasureSeen> {
  const tag = `${Date.now().toString(36)}${randomInt(1_000_000).toString(36)}`;
  const email = `erin.q.${tag}@example.org`;
  const workEmail = `equill.${tag}@work.example`;
  const p = randomNumber();
  const old = randomNumber();
  const spelled = {
    paren: `(${p.area}) ${p.exchange}-${p.line}`,
    spaced: `+1 ${p.area} ${p.exchange} ${p.line}`,
    dotted: `${p.area}.${p.exchange}.${p.line}`,
    dashed: `${p.area}-${p.exchange}-${p.line}`,
  };
  const a = (method: string, path: string, body?: { json?: unknown; form?: FormData }) => callRest(ctx.base, ctx.adminA, method, path, body);
  const completed = async (key: string, id: string) =>
    waitUntil(`job ${id} to complete`, async () => {
      const job = JSON.parse((await callRest(ctx.base, key, 'GET', `/v1/jobs/${id}`)).text) as { status: string; counts: Record<string, number>; failure?: unknown };
      if (job.status === 'failed') throw new Error(`job ${id} failed: ${JSON.stringify(job.failure)}`);
      return job.status === 'completed' ? job : undefined;
    }, { timeoutMs: ctx.timeoutMs, intervalMs: 200 });
  const upload = async (key: string, csv: string, name: string, webhook?: string) => {
    const form = new FormData();
    if (webhook) form.append('webhook', webhook);
    form.append('file', new Blob([csv], { type: 'text/csv' }), name);
    const answer = await callRest(ctx.base, key, 'POST', '/v1/jobs', { form });
    expect(answer.status, answer.text).toBe(202);
    const { id } = JSON.parse(answer.text) as { id: string };
    return { id, job: await completed(key, id) };
  };

  // Her old number is on A's own do-not-call list: her first row is suppressed.
  expect((await a('POST', '/v1/dnc/numbers', { json: { numbers: [old.e164] } })).status).toBe(200);
  const first = await upload(ctx.adminA, `first_name,last_name,email,phone\nErin,Quill,Erin.Q.${tag}@Example.org,${old.e164}\nAnn,Other,ann.${tag}@other.example,\n`, 'first.csv');
  expect(first.job.counts).toMatchObject({ rows: 2, accepted: 1, suppressed: 1 });
  // Her work email and her number: a lead, delivered.
  const second = await upload(ctx.adminA, `first_name,last_name,email,phone\nErin,Quill,${workEmail},${spelled.paren}\n`, 'second.csv', ctx.receiver.url);
  expect(second.job.counts).toMatchObject({ rows: 1, accepted: 1 });
  await waitUntil('her lead to reach the receiver', () => (ctx.receiver.requests.some((r) => r.body.includes(workEmail)) ? true : undefined), { timeoutMs: ctx.timeoutMs });
  // Her number again (a duplicate), and a row with no contact whose note names her number (rejected).
  const third = await upload(
    ctx.adminA,
    `first_name,last_name,email,phone,notes\nE.,Quill,,${spelled.spaced},\nNo,Contact,not-an-email,,reach her on ${spelled.dotted}\n`,
    'third.csv',
  );
  expect(third.job.counts).toMatchObject({ rows: 2, duplicate: 1, invalid: 1 });
  // Tenant B has her too.
  const theirs = await upload(ctx.adminB, `first_name,last_name,email,phone\nErin,Quill,${email},${spelled.paren}\n`, 'theirs.csv');
  expect(theirs.job.counts).toMatchObject({ rows: 1, accepted: 1 });

  // Refused: a viewer, no person, a person that is none.
  const refusals = [];
  for (const [key, json] of [[ctx.viewerA, { email }], [ctx.adminA, {}], [ctx.adminA, { phone: '12' }], [ctx.adminA, { email: 'not an address' }], [ctx.adminA, { email, name: 'x' }]] as const) {
    const r = await callRest(ctx.base, key, 'POST', '/v1/erasure', { json });
    refusals.push({ status: r.status, code: (JSON.parse(r.text) as { code: string }).code });
  }

  const listed = async () => {
    const r = await a('GET', `/v1/deliveries?job=${second.id}`);
    expect(r.status, r.text).toBe(200);
    return (JSON.parse(r.text) as { deliveries: { status: string }[] }).deliveries.map((d) => d.status);
  };
  const deliveriesBefore = await listed();
  const erased = await a('POST', '/v1/erasure', { json: { email: `ERIN.Q.${tag}@EXAMPLE.ORG`, phone: spelled.dashed } });
  expect(erased.status, erased.text).toBe(200);
  const answer = JSON.parse(erased.text) as ErasureSeen['answer'];
  const deliveriesAfter = await listed();

  const needles: Needles = {
    emails: [email, workEmail],
    digits: [`${p.area}${p.exchange}${p.line}`],
    spellings: [p.e164, ...Object.values(spelled), `Erin.Q.${tag}@Example.org`],
  };
  const except = [ctx.tenantB, theirs.id];
  await ctx.afterErasure?.(needles, except);

  const client = new LeadflowGatewayClient(ctx.grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(ctx.adminA)] });
  let grpcAnswer: ErasePersonResponse;
  try {
    grpcAnswer = await new Promise<ErasePersonResponse>((resolve, reject) =>
      client.erasePerson({ email, phone: p.e164 }, (err: ServiceError | null, res?: ErasePersonResponse) => (err ? reject(err) : resolve(res!))),
    );
  } finally {
    client.close();
  }

  // Sent again: suppressed by her keyed hashes, not a duplicate of anything left of her.
  const again = await upload(ctx.adminA, `first_name,last_name,email,phone\nErin,Quill,${email},${spelled.spaced}\n`, 'again.csv');
  const suppressedRows = csvRowsByName((await a('GET', `/v1/jobs/${again.id}/exports/suppressed.csv`)).text);
  const tenantBLeads = csvRowsByName((await callRest(ctx.base, ctx.adminB, 'GET', `/v1/jobs/${theirs.id}/exports/leads.csv`)).text);
  return {
    email,
    needles,
    except: [...except, again.id],
    answer,
    grpcAnswer,
    againReasons: suppressedRows.map((r) => r.reason ?? '').join(' | '),
    againJob: again.id,
    againCounts: again.job.counts,
    tenantBLeads,
    refusals,
    deliveriesListed: { before: deliveriesBefore, after: deliveriesAfter },
  };
}

/** What every mode checks of the scenario's answers (the scans are the caller's). */
export function expectErasureAnswers(seen: ErasureSeen): void {
  expect(seen.refusals).toEqual([
    { status: 403, code: 'FORBIDDEN' },
    { status: 400, code: 'INVALID_ERASURE' },
    { status: 400, code: 'INVALID_ERASURE' },
    { status: 400, code: 'INVALID_ERASURE' },
    { status: 400, code: 'INVALID_ERASURE' },
  ]);
  expect(seen.answer.removed).toMatchObject({ leads: 1, duplicates: 1, rejected: 1, suppressed: 1 });
  // Her delivery was listed before the erasure, and is not after it.
  expect(seen.deliveriesListed.before.length, `deliveries of her job before the erasure: ${JSON.stringify(seen.deliveriesListed)}`).toBeGreaterThanOrEqual(1);
  expect(seen.deliveriesListed.after).toEqual([]);
  expect(seen.answer.removed.deliveries, `deliveries listed for her job: ${JSON.stringify(seen.deliveriesListed)}`).toBeGreaterThanOrEqual(1);
  // Kept out by keyed hashes, in no suppression list.
  expect(seen.answer.suppressed).toEqual(['erased:email', 'erased:phone']);
  // Nothing left to remove the second time, over gRPC.
  expect(Object.values(seen.grpcAnswer.removed).filter((n) => n > 0 && n !== undefined)).toEqual([]);
  expect(seen.grpcAnswer.suppressed).toEqual(['erased:email', 'erased:phone']);
  expect(seen.againCounts).toMatchObject({ rows: 1, suppressed: 1, duplicate: 0 });
  expect(seen.againReasons).toContain('SUPPRESSED_EMAIL');
  expect(seen.againReasons).toContain('SUPPRESSED_PHONE');
  expect(seen.tenantBLeads.map((l) => l.email)).toEqual([seen.email]);
}

/**
 * The reasons her row sent again was filed with (suppressed_leads.reasons, read by the caller):
 * SUPPRESSED_EMAIL and SUPPRESSED_PHONE naming the erasure by its day, never her email or number.
 */
export function expectAgainDetails(seen: ErasureSeen, reasons: readonly { code: string; field: string; detail: string }[]): void {
  const day = seen.answer.erasedAt.slice(0, 10);
  expect(reasons).toEqual(expect.arrayContaining([
    { code: 'SUPPRESSED_EMAIL', field: 'email', detail: `erased on request ${day}` },
    { code: 'SUPPRESSED_PHONE', field: 'phone', detail: `erased on request ${day}` },
  ]));
  const text = JSON.stringify(reasons);
  expect(text.toLowerCase()).not.toContain(seen.email);
  expect(text.replace(/[^0-9]/g, '')).not.toContain(seen.needles.digits[0]);
}
