import { describe } from 'vitest';
import { createMemoryCandidateIndex } from './candidate-index.js';
import { candidateIndexContract } from './candidate-index.contract.js';

// One index for every test: two "processes" must share what they hold, as on one Redis.
const index = createMemoryCandidateIndex();
describe('in-memory candidate index', () => candidateIndexContract(() => index));
