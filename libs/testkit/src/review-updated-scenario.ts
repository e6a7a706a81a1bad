import { expect } from 'vitest';
import { callRest, uploadForm } from './tenant-walk.js';
import { waitUntil } from './wait-until.js';
import type { ReceivedRequest, WebhookReceiver } from './webhook-receiver.js';

type Event = { type: string; data: Record<string, unknown> & { changed: string[] } };

export interface ReviewUpdatedOptions {
  base: string;
  adminKey: string;
  /** A receiver of this run alone. */
  receiver: WebhookReceiver;
  /** Whether a request verifies with the secret (the caller's `standardwebhooks`). */
  verifies: (secret: string, request: ReceivedRequest) => boolean;
  timeoutMs?: number;
}

/**
 * Issue 14's "lead.updated (a merge or a review decision changed a delivered lead)", as a
 * receiver sees it (docs/delivery.md): Marek at Annette's address is a possible duplicate of her; a
 * person decides he is the same person, so his row is merged into her lead (his email becomes her
 * alternate), and the endpoint that takes lead.updated gets her lead as it now is (`cause`
 * review); the merge undone, it gets her lead again without it (`cause` revert). Two webhook-ids,
 * each request verifies. Run by serve and Kafka mode.
 */
export async function runReviewUpdatedScenario(opts: ReviewUpdatedOptions): Promise<void> {
  const { base, adminKey, receiver } = opts;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const call = async (method: string, path: string, json?: unknown) => {
    const res = await callRest(base, adminKey, method, path, json === undefined ? {} : { json });
    expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
    return JSON.parse(res.text || '{}') as Record<string, unknown>;
  };
  const updates = () =>
    receiver.requests.map((r) => ({ request: r, event: JSON.parse(r.body) as Event })).filter((e) => e.event.type === 'lead.updated');

  const { secret } = (await call('POST', '/v1/webhooks', { url: receiver.url, mode: 'record', events: ['lead.updated'] })) as { secret: string };
  const upload = await callRest(base, adminKey, 'POST', '/v1/jobs', {
    form: uploadForm(
      'first_name,last_name,email,street,city,state,postal_code\n' +
        'Annette,Kowalski,annette@x.com,44 Forbes Street,Kellerberrin,VIC,4510\n' +
        'Marek,Kowalski,marek@y.com,44 Forbes Street,Kellerberrin,VIC,4510\n',
      { supplier: 'acme' },
    ),
  });
  expect(upload.status, upload.text).toBe(202);
  const { id: jobId } = JSON.parse(upload.text) as { id: string };
  await waitUntil(`job ${jobId} to complete`, async () => ((await call('GET', `/v1/jobs/${jobId}`)).status === 'completed' ? true : undefined), { timeoutMs });
  const { possibleDuplicates } = (await call('GET', '/v1/possible-duplicates?status=open')) as {
    possibleDuplicates: { leadId: string; matchedLeadId: string; jobId: string; rowNumber: number }[];
  };
  const marek = possibleDuplicates.find((p) => p.jobId === jobId);
  expect(marek, JSON.stringify(possibleDuplicates)).toBeDefined();
  // Nothing merged yet: the endpoint takes lead.updated only, and no lead changed.
  expect(updates()).toHaveLength(0);

  await call('POST', `/v1/possible-duplicates/${marek!.leadId}`, { decision: 'duplicate' });
  const merged = await waitUntil('lead.updated after the decision', () => updates()[0], { timeoutMs });
  expect(merged.event.data).toMatchObject({
    id: marek!.matchedLeadId, jobId, row: marek!.rowNumber, cause: 'review', first_name: 'Annette', email: 'annette@x.com',
    alternates: { emails: ['marek@y.com'], phones: [] },
  });
  expect(merged.event.data.changed).toEqual(['alternates']);
  const { merges } = (await call('GET', `/v1/leads/${marek!.matchedLeadId}/merges`)) as { merges: { id: string; jobId: string; rowNumber: number }[] };
  const merge = merges.find((m) => m.jobId === jobId && m.rowNumber === marek!.rowNumber);
  expect(merged.event.data.mergeId).toBe(merge!.id);

  await call('POST', `/v1/merges/${merge!.id}/revert`);
  const reverted = await waitUntil('lead.updated after the revert', () => updates()[1], { timeoutMs });
  expect(reverted.event.data).toMatchObject({ id: marek!.matchedLeadId, jobId, row: marek!.rowNumber, cause: 'revert', mergeId: merge!.id, email: 'annette@x.com' });
  expect(reverted.event.data.changed).toEqual(['alternates']);
  expect(reverted.event.data.alternates).toBeUndefined();

  // Two events (two webhook-ids), each signed with the endpoint's secret; nothing else arrived.
  expect(new Set(updates().map((u) => u.request.headers['webhook-id'])).size).toBe(2);
  for (const { request } of updates()) expect(opts.verifies(secret, request)).toBe(true);
  expect(receiver.requests.every((r) => (JSON.parse(r.body) as Event).type === 'lead.updated')).toBe(true);
}
