import { expect, it } from 'vitest';
import { csvRowsByName } from './files.js';
import { generateLeadFile } from './lead-file.js';
import { callRest } from './tenant-walk.js';
import { waitUntil } from './wait-until.js';
import type { WebhookReceiver } from './webhook-receiver.js';

interface JobAnswer {
  id: string;
  status: string;
  counts: { rows: number; accepted: number; invalid: number; duplicate: number; suppressed: number; delivered: number };
}

export interface CancelScenario {
  /** The cancel's answer, and the job read again once the same file went through again. */
  cancelled: JobAnswer;
  cancelledLater: JobAnswer;
  /** Its rows filed (accepted + invalid + duplicate + suppressed), seen every poll after the cancel. */
  storedAfterCancel: number[];
  /** A second cancel's answer, and a cancel of the completed second job (status and code). */
  again: JobAnswer;
  ended: { status: number; code?: string; message: string };
  /** Webhook requests of the cancelled job received after the cancel answered. */
  requestsAfterCancel: number;
  second: JobAnswer;
  /** The second job's duplicates that name a lead no job stored (leads of rows the cancel dropped). */
  duplicatesOfNoLead: string[];
  fileRows: number;
}

const filed = (j: JobAnswer) => j.counts.accepted + j.counts.invalid + j.counts.duplicate + j.counts.suppressed;

/**
 * Issue 12's cancel as a partner system drives it, over REST with an uploader key: a generated
 * file of `rows` rows uploaded with a webhook, cancelled once some rows are stored; the job
 * watched a while; then the same file uploaded again and run to its end. Answers what a test
 * asserts on.
 */
export async function runCancelScenario(base: string, key: string, webhook: WebhookReceiver, opts: { rows: number; seed: number; timeoutMs: number }): Promise<CancelScenario> {
  const file = generateLeadFile({ seed: opts.seed, rows: opts.rows });
  const json = async <T>(method: string, path: string, body?: { form?: FormData }) => {
    // An upload is answered once its file is read whole (issue 12 makes it answer at once).
    const a = await callRest(base, key, method, path, body, opts.timeoutMs);
    if (a.status >= 300) throw new Error(`${method} ${path}: ${a.status} ${a.text.slice(0, 300)}`);
    return JSON.parse(a.text) as T;
  };
  const upload = () => {
    const form = new FormData();
    form.append('supplier', 'cancel-walk');
    form.append('webhook', webhook.url);
    form.append('file', new Blob([file.csv], { type: 'text/csv' }), 'cancel.csv');
    return json<JobAnswer>('POST', '/v1/jobs', { form });
  };
  const job = (id: string) => json<JobAnswer>('GET', `/v1/jobs/${id}`);

  const first = await upload();
  await waitUntil('some rows of the first job stored', async () => ((await job(first.id)).counts.accepted > 0 ? true : undefined), {
    timeoutMs: opts.timeoutMs,
    describe: () => job(first.id),
  });
  const cancelled = await json<JobAnswer>('POST', `/v1/jobs/${first.id}/cancel`);
  const answeredAt = webhook.requests.length;
  const storedAfterCancel: number[] = [];
  // A bounded look at the job after the cancel: ten reads over about five seconds.
  for (let i = 0; i < 10; i++) {
    storedAfterCancel.push(filed(await job(first.id)));
    await new Promise((r) => setTimeout(r, 500));
  }
  const again = await json<JobAnswer>('POST', `/v1/jobs/${first.id}/cancel`);

  const second = await upload();
  const done = await waitUntil(
    'the second job to end',
    async () => {
      const j = await job(second.id);
      return ['completed', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
    },
    { timeoutMs: opts.timeoutMs, intervalMs: 500, describe: () => job(second.id) },
  );
  const endedAnswer = await callRest(base, key, 'POST', `/v1/jobs/${second.id}/cancel`);
  const cancelledLater = await job(first.id);
  const requestsAfterCancel = webhook.requests.slice(answeredAt).filter((r) => (JSON.parse(r.body) as { data: { jobId: string } }).data.jobId === first.id).length;

  const leadIds = new Set<string>();
  for (const id of [first.id, second.id]) {
    for (const lead of csvRowsByName((await callRest(base, key, 'GET', `/v1/jobs/${id}/exports/leads.csv`)).text)) leadIds.add(lead.lead_id!);
  }
  const duplicates = csvRowsByName((await callRest(base, key, 'GET', `/v1/jobs/${second.id}/exports/duplicates.csv`)).text);
  const duplicatesOfNoLead = duplicates
    .filter((d) => !d.matched_row && d.matched_lead_id && !leadIds.has(d.matched_lead_id))
    .map((d) => `row ${d.row} names lead ${d.matched_lead_id}`);
  return {
    cancelled,
    cancelledLater,
    storedAfterCancel,
    again,
    ended: { status: endedAnswer.status, code: endedAnswer.code, message: (JSON.parse(endedAnswer.text) as { message?: string }).message ?? '' },
    requestsAfterCancel,
    second: done,
    duplicatesOfNoLead,
    fileRows: file.rows.length,
  };
}



/**
 * The outcomes a partner system checks after runCancelScenario, as tests: the same in
 * `leadflow serve` and in Kafka mode. `run` answers the scenario once the suite's set-up ran it.
 */
export function itChecksTheCancel(run: () => CancelScenario): void {
  it('answers the job cancelled with the rows it stored so far, and stores nothing more of it', () => {
    const r = run();
    expect(r.cancelled.status).toBe('cancelled');
    expect(r.cancelled.counts.accepted).toBeGreaterThan(0);
    expect(filed(r.cancelled)).toBeLessThan(r.fileRows);
    expect(r.storedAfterCancel).toEqual(r.storedAfterCancel.map(() => filed(r.cancelled)));
    expect([r.cancelledLater.status, filed(r.cancelledLater)]).toEqual(['cancelled', filed(r.cancelled)]);
  });

  it('sends no webhook request of the job after the cancel, but for those already on their way', () => {
    // The dispatcher asks before each claim: what it had claimed (at most DELIVERY_CONCURRENCY, 64) may still go.
    expect(run().requestsAfterCancel).toBeLessThanOrEqual(64);
  });

  it('answers a second cancel with the cancelled job, and a cancel of an ended job 409 JOB_ALREADY_ENDED naming its status', () => {
    const r = run();
    expect([r.again.status, filed(r.again)]).toEqual(['cancelled', filed(r.cancelled)]);
    expect(r.ended).toEqual({ status: 409, code: 'JOB_ALREADY_ENDED', message: expect.stringContaining('completed') });
  });

  it('processes the same file uploaded again fully: no row is a duplicate of a row the cancel dropped', () => {
    const r = run();
    expect([r.second.status, r.second.counts.rows]).toEqual(['completed', r.fileRows]);
    expect(r.duplicatesOfNoLead).toEqual([]);
    expect(r.second.counts.accepted).toBeGreaterThan(0);
  });
}
