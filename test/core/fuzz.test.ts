/**
 * Robustness: a few hundred mutations of the examples (test/helpers/fuzz-examples.ts) check
 * without an exception, with every diagnostic inside the document and every elaboration
 * within its limits. `fuzz.slow.test.ts` (npm run test:slow) runs thousands.
 */
import { describe, expect, it } from 'vitest';
import { checkMutatedExamples } from '../helpers/fuzz-examples.js';

describe('fuzzing the examples', () => {
  it('never throws, never reports outside the document, never elaborates past the limits', async () => {
    const { runs, largestGraph } = await checkMutatedExamples(250, 20261127);
    expect(runs).toBe(250);
    expect(largestGraph).toBeGreaterThan(0);
  });
});
