/** Readable architectures parse back to the same graph: the first 20 samples of every example space (round-trip-suite.ts; 200 in round-trip.slow.test.ts). */
import { describe } from 'vitest';
import { roundTripTests } from './round-trip-suite.js';

describe('readable architectures parse back to the same graph', () => roundTripTests(20));
