/**
 * The long run of test/core/fuzz.test.ts: thousands of mutations of the examples, the first
 * 250 of them those of the short run (same seed), every space also analysed within a step
 * budget (test/helpers/fuzz-examples.ts).
 */
import { describe, expect, it } from 'vitest';
import { checkMutatedExamples } from '../helpers/fuzz-examples.js';

describe('fuzzing the examples (long run)', () => {
  it('never throws, never reports outside the document, never elaborates or analyses past the limits', async () => {
    const { runs, largestGraph, largestAnalysis } = await checkMutatedExamples(3000, 20261127, { analyse: true });
    expect(runs).toBe(3000);
    expect(largestGraph).toBeGreaterThan(0);
    expect(largestAnalysis).toBeGreaterThan(0);
  });
});
