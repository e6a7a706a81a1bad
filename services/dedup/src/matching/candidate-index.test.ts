import { describe } from 'vitest';
import { createMemoryCandidateIndex } from './candidate-index.js';
import { candidateIndexContract } from './candidate-index.contract.js';

describe('in-memory candidate index', () => candidateIndexContract(createMemoryCandidateIndex));
