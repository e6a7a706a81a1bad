import { credentials } from '@grpc/grpc-js';
import { LeadflowGatewayClient, type QualitySettings } from '@leadflow/proto';
import { expect, it } from 'vitest';
import { withApiKey } from './api-keys.js';
import { csvRowsByName } from './files.js';
import { callRest, uploadForm } from './tenant-walk.js';
import { waitUntil } from './wait-until.js';

/** A running gateway (`leadflow serve` or Kafka mode) and the admin key of a tenant of this run only. */
export interface QualityScenarioContext {
  base: string;
  grpcAddress: string;
  admin: string;
  /** How long a small job may take to complete on a loaded machine. */
  timeoutMs: number;
}

type Json = Record<string, unknown>;

const HEADER = 'first_name,last_name,email,phone,company,job_title,street,city,state,postal_code';
const ANN = 'Ann,Archer,ann@archer-quality.example,(201) 555-0161,Archer Plumbing,Owner,1 Elm St,Austin,TX,78701';
const BO = 'Bo,Ng,bo@ng-quality.example,(201) 555-0162,Ng Dental,Office Manager,9 Oak Ave,Austin,TX,78702';
/** A role email and nothing else: 20 points, less the tenant's 30 for a role email. */
const WEAK = ',,info@weak-quality.example,,,,,,,';

/**
 * A tenant's lead quality settings (docs/enrichment.md) in one mode: set over REST, read over
 * gRPC, then applied by the pipeline: a lead under the threshold rejected with LOW_QUALITY, and a
 * person another supplier delivered first marked non-exclusive, naming it. The tests of one
 * describe block, run in order, each building on the one before.
 */
export function qualityScenario(context: () => QualityScenarioContext): void {
  const rest = async (method: string, path: string, json?: unknown) => {
    const answer = await callRest(context().base, context().admin, method, path, json === undefined ? undefined : { json });
    return { status: answer.status, body: JSON.parse(answer.text || 'null') as Json };
  };
  const upload = async (supplier: string, lines: string[]) => {
    const answer = await callRest(context().base, context().admin, 'POST', '/v1/jobs', { form: uploadForm([HEADER, ...lines, ''].join('\n'), { supplier }) });
    expect(answer.status, answer.text).toBeLessThan(300);
    const jobId = (JSON.parse(answer.text) as { id: string }).id;
    return waitUntil(`job ${jobId} to complete`, async () => {
      const job = (await rest('GET', `/v1/jobs/${jobId}`)).body;
      if (job.status === 'failed') throw new Error(`job ${jobId} failed: ${JSON.stringify(job.failure)}`);
      return job.status === 'completed' ? ({ ...job, id: jobId } as Json & { id: string }) : undefined;
    }, { timeoutMs: context().timeoutMs, intervalMs: 100 });
  };
  const exported = async (jobId: string, kind: string) =>
    csvRowsByName((await callRest(context().base, context().admin, 'GET', `/v1/jobs/${jobId}/exports/${kind}.csv`)).text);

  it("shows a tenant's quality settings, changes those given, refuses a wrong one by name, and answers the same over gRPC", async () => {
    const before = await rest('GET', '/v1/settings/quality');
    expect(before.body).toMatchObject({
      threshold: 0, thresholdAction: 'warning', exclusivityDays: 90, callingWindow: { start: '08:00', end: '21:00' }, updatedAt: null,
      weights: { valid_email: 20, valid_phone: 20, role_email: -10, non_exclusive: -10 },
    });
    const wrong = await rest('PUT', '/v1/settings/quality', { weights: { phone: 10 } });
    expect([wrong.status, wrong.body.code, wrong.body.message]).toEqual([400, 'INVALID_QUALITY_SETTINGS', expect.stringMatching(/^"phone" is not a quality component/)]);
    const set = await rest('PUT', '/v1/settings/quality', { threshold: 40, thresholdAction: 'error', weights: { role_email: -30 } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ threshold: 40, thresholdAction: 'error', exclusivityDays: 90, weights: { valid_email: 20, role_email: -30 } });
    expect(set.body.updatedAt).toEqual(expect.any(String));

    const client = new LeadflowGatewayClient(context().grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(context().admin)] });
    try {
      const viaGrpc = await new Promise<QualitySettings>((resolve, reject) => client.getQualitySettings({}, (err, res) => (err ? reject(err) : resolve(res!))));
      expect(viaGrpc).toMatchObject({ threshold: 40, thresholdAction: 'error', exclusivityDays: 90, callingWindow: { start: '08:00', end: '21:00' } });
      expect(viaGrpc.weights).toEqual(set.body.weights);
    } finally {
      client.close();
    }
  });

  it("rejects a lead under the tenant's threshold with LOW_QUALITY, and marks another supplier's person non-exclusive, naming it", async () => {
    const first = await upload('acme-quality', [ANN]);
    expect(first.counts).toMatchObject({ rows: 1, accepted: 1 });
    const [ann] = await exported(first.id, 'leads');
    expect([ann!.exclusivity, ann!.exclusivity_detail]).toEqual(['exclusive', '']);
    expect(ann!.quality).toMatch(/^valid_email=20;valid_phone=20;mobile_phone=0;names=15;company=10;job_title=5;/);
    expect(Number(ann!.quality_score)).toBeGreaterThanOrEqual(80);

    const second = await upload('beta-quality', [ANN, WEAK, BO]);
    expect(second.counts).toMatchObject({ rows: 3, accepted: 1, invalid: 1, duplicate: 1 });
    const [rejected] = await exported(second.id, 'rejected');
    expect([rejected!.row, rejected!.reason, rejected!.detail]).toEqual(['2', 'LOW_QUALITY', expect.stringContaining("score 0, under the tenant's threshold of 40")]);
    const [copy] = await exported(second.id, 'duplicates');
    const today = new Date().toISOString().slice(0, 10);
    expect([copy!.row, copy!.exclusivity, copy!.exclusivity_detail]).toEqual(['1', 'non-exclusive', expect.stringMatching(new RegExp(`^acme-quality \\d{4}-\\d{2}-\\d{2}$`))]);
    expect(copy!.exclusivity_detail!.slice(-10) <= today).toBe(true);
    const [bo] = await exported(second.id, 'leads');
    expect([bo!.row, bo!.exclusivity, Number(bo!.quality_score) >= 40]).toEqual(['3', 'exclusive', true]);
  });
}
