/** Readable architectures parse back to the same graph: 200 samples of every example space (round-trip-suite.ts; the normal tier checks the first 20). */
import { describe } from 'vitest';
import { roundTripTests } from './round-trip-suite.js';

describe('readable architectures parse back to the same graph', () => roundTripTests(200));
