import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { recordStreamScenario, startServeWithKeys, type RecordStreamContext, type ServeTarget } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/**
 * Streams of records (docs/record-streams.md) in `leadflow serve`, over REST and gRPC, as a
 * partner system sends them; batches of two rows, so that a key first met in a later record
 * reaches mapping after the job's mapping was decided.
 */
describe('leadflow serve: a stream of records becomes a job', () => {
  let serve: ServeTarget | undefined;
  const context: RecordStreamContext = { base: '', grpcAddress: '', key: '', timeoutMs: 120_000 };

  beforeAll(async () => {
    serve = await startServeWithKeys(BIN, { prefix: 'leadflow-records-', keys: { key: { tenant: 'records', role: 'uploader' } }, env: { BATCH_SIZE: '2' } });
    Object.assign(context, { base: serve.base, grpcAddress: serve.grpcAddress, key: serve.keys.key });
  }, 300_000);
  afterAll(() => serve?.stop());

  recordStreamScenario(() => context);
});
