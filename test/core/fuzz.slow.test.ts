/**
 * The long run of test/core/fuzz.test.ts: thousands of mutations of the examples, the first
 * 250 of them those of the short run (same seed).
 */
import { describe, expect, it } from 'vitest';
import { checkMutatedExamples } from '../helpers/fuzz-examples.js';

describe('fuzzing the examples (long run)', () => {
  it('never throws, never reports outside the document, never elaborates past the limits', async () => {
    const { runs, largestGraph } = await checkMutatedExamples(3000, 20261127);
    expect(runs).toBe(3000);
    expect(largestGraph).toBeGreaterThan(0);
  });
});
