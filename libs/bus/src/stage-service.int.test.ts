import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { failedBatch, LeadflowError } from '@leadflow/pipeline';
import { DeadLetter, Disposition, LeadBatch, type LeadBatch as LeadBatchType } from '@leadflow/proto';
import { infraEnv, throughStageService, transientError, uniqueName, waitUntil } from '@leadflow/testkit';
import { createBus, createStageService, topic, TOPICS } from './index.js';

const logger = createLogger({ name: 'stage-service-test', level: 'silent' });

describe('a stage service on a real Kafka broker', () => {
  const brokers = infraEnv().KAFKA_BROKERS.split(',');
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it('passes good batches on, and sends a poison batch to the dead-letter topic and a failure downstream', async () => {
    const jobId = uniqueName('job');
    const input = topic<LeadBatchType>(uniqueName('test.in'), LeadBatch);
    const output = topic<LeadBatchType>(uniqueName('test.out'), LeadBatch);
    const metrics = createMetrics({ defaultMetrics: false });
    const bus = createBus({ brokers, clientId: 'stage-under-test', logger });
    const service = createStageService({
      name: uniqueName('stage'),
      bus,
      input,
      output,
      stage: async (b) => {
        if (b.seq === 1) {
          // Half-way through, as a stage that marks rows in place would leave it.
          b.header.push('changed by a failed attempt');
          throw new LeadflowError('LEADFLOW_ERR_TEST', 'this batch cannot be handled', false);
        }
        return { ...b, header: [...b.header, 'seen'] };
      },
      jobIdOf: (b) => b.job!.jobId,
      poisonOutput: (b) => failedBatch(b, 'test'),
      logger,
      metrics,
      maxAttempts: 2,
    });
    await service.start();
    stops.push(() => service.stop());

    const producer = createBus({ brokers, clientId: 'test-producer', logger });
    stops.push(() => producer.stop());
    const batch = (seq: number): LeadBatchType => ({
      job: { jobId, tenantId: 't', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
      seq, header: ['email'], mapping: [], rows: [], last: seq === 2, totalRows: seq === 2 ? 3 : 0, failure: undefined,
    });
    await producer.send(input, [0, 1, 2].map((s) => ({ key: jobId, value: batch(s) })));

    const reader = createBus({ brokers, clientId: 'test-reader', logger });
    stops.push(() => reader.stop());
    const out: LeadBatchType[] = [];
    const dead: DeadLetter[] = [];
    await reader.consume({ groupId: uniqueName('r'), topic: output, handle: async (m) => void out.push(m.value), onUndecodable: async () => {} });
    const dlqReader = createBus({ brokers, clientId: 'test-dlq-reader', logger });
    stops.push(() => dlqReader.stop());
    await dlqReader.consume({
      groupId: uniqueName('d'),
      topic: TOPICS.dlq,
      handle: async (m) => void (m.value.jobId === jobId && dead.push(m.value)),
      onUndecodable: async () => {},
    });

    await waitUntil('three batches out and one dead letter', () => (out.length === 3 && dead.length === 1 ? true : undefined), {
      timeoutMs: 60_000,
      describe: () => ({ out: out.length, dead: dead.length }),
    });
    expect(out.map((b) => [b.seq, b.header.at(-1), b.failure?.code ?? ''])).toEqual([
      [0, 'seen', ''],
      [1, 'email', 'INTERNAL'],
      [2, 'seen', ''],
    ]);
    expect(dead[0]).toMatchObject({ sourceTopic: input.name, errorCode: 'LEADFLOW_ERR_TEST', errorMessage: 'this batch cannot be handled', offset: '1' });
    // The dead letter holds the batch as it arrived, not as the failed attempts left it.
    expect(LeadBatch.decode(dead[0]!.payload)).toMatchObject({ seq: 1, header: ['email'] });
    expect(await metrics.registry.getSingleMetricAsString('leadflow_stage_batches_total')).toMatch(/result="dead_letter"} 1/);
  });

  it('starts every attempt of a batch from the batch as it arrived, whatever a failed attempt changed', async () => {
    const jobId = uniqueName('job');
    const sent: LeadBatchType = {
      job: { jobId, tenantId: 't', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
      seq: 0, header: ['email'], mapping: [], last: true, totalRows: 2, failure: undefined,
      rows: [1, 2].map((rowNumber) => ({
        rowNumber, lead: undefined, disposition: Disposition.DISPOSITION_ACCEPTED, reasons: [], tags: [], qualityScore: 0, match: undefined, raw: [`r${rowNumber}@x.test`], leadId: '',
      })),
    };
    const seen: LeadBatchType[] = [];
    // Marks every row, then loses its connection after the first row's write: the retry must not find row 1 marked already.
    const stage = async (b: LeadBatchType) => {
      seen.push(LeadBatch.fromPartial(b));
      for (const row of b.rows) {
        if (row.disposition !== Disposition.DISPOSITION_ACCEPTED) continue;
        row.disposition = Disposition.DISPOSITION_SUPPRESSED;
        row.reasons.push({ code: 'DNC_NATIONAL', field: 'phone', detail: '' });
        row.tags.push('screened');
        if (seen.length === 1) throw transientError('the registry');
      }
      return b;
    };
    const [out] = await throughStageService(stage, [sent]);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[1]!.rows.map((r) => [r.disposition, r.reasons, r.tags])).toEqual([
      [Disposition.DISPOSITION_ACCEPTED, [], []],
      [Disposition.DISPOSITION_ACCEPTED, [], []],
    ]);
    expect(out!.rows.map((r) => [r.disposition, r.reasons.map((x) => x.code), r.tags])).toEqual([
      [Disposition.DISPOSITION_SUPPRESSED, ['DNC_NATIONAL'], ['screened']],
      [Disposition.DISPOSITION_SUPPRESSED, ['DNC_NATIONAL'], ['screened']],
    ]);
  });
});
