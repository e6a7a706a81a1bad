import { afterAll, describe } from 'vitest';
import { createRedis } from '@leadflow/stores';
import { infraEnv } from '@leadflow/testkit';
import { candidateIndexContract } from './candidate-index.contract.js';
import { createRedisCandidateIndex } from './redis-candidate-index.js';

describe('Redis candidate index', () => {
  const redis = createRedis({ url: infraEnv().REDIS_URL });
  afterAll(() => redis.quit());
  candidateIndexContract(() => createRedisCandidateIndex(redis));
});
