import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRest, generateLeadFile, startServeWithKeys, testSeed, type ServeTarget } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));
const ROWS = 6000;

interface JobAnswer { status: string; counts: { accepted: number; invalid: number; duplicate: number; suppressed: number } }
const filed = (j: JobAnswer) => j.counts.accepted + j.counts.invalid + j.counts.duplicate + j.counts.suppressed;

/**
 * `leadflow serve` runs its stages and its API in one process: a job's run must leave the API its
 * turns. It once read no request at all, not even /healthz, until a running job had ended (the
 * embedded database answers without waiting on I/O, so the run never gave the event loop back).
 */
describe('leadflow serve: the API answers while a job runs', () => {
  let serve: ServeTarget | undefined;

  beforeAll(async () => {
    serve = await startServeWithKeys(BIN, { prefix: 'leadflow-answers-', keys: { key: { tenant: 'busy', role: 'uploader' } }, env: { BATCH_SIZE: '100' } });
  }, 300_000);
  afterAll(() => serve?.stop());

  it('shows a job part-way through, more than once, while it runs', async () => {
    const { base, keys } = serve!;
    const file = generateLeadFile({ seed: testSeed(), rows: ROWS });
    const form = new FormData();
    form.append('file', new Blob([file.csv], { type: 'text/csv' }), 'busy.csv');
    const upload = await callRest(base, keys.key, 'POST', '/v1/jobs', { form }, 240_000);
    expect(upload.status).toBe(202);
    const { id } = JSON.parse(upload.text) as { id: string };

    // Bounded by count and time: a job that never ends fails the test, it does not hang it.
    const partWay = new Set<number>();
    let last: JobAnswer | undefined;
    const deadline = Date.now() + 600_000;
    for (let i = 0; i < 20_000 && Date.now() < deadline; i++) {
      const health = await callRest(base, undefined, 'GET', '/healthz', undefined, 600_000);
      expect(health.status).toBe(200);
      const answer = await callRest(base, keys.key, 'GET', `/v1/jobs/${id}`, undefined, 600_000);
      last = JSON.parse(answer.text) as JobAnswer;
      if (last.status !== 'running' && last.status !== 'queued') break;
      const n = filed(last);
      if (n > 0 && n < ROWS) partWay.add(n);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(last?.status).toBe('completed');
    expect(filed(last!)).toBe(ROWS);
    // Before, the first answer came once the job had ended: no part-way answer at all.
    expect(partWay.size, `rows filed in the answers seen while the job ran: ${[...partWay].join(', ')}`).toBeGreaterThanOrEqual(2);
  }, 900_000);
});
