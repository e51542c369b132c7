/**
 * Completion from the top-level chunk before the cursor offers what Langium's parse of the whole
 * text before it offers, at every line of every example (completion-compare.ts; the normal tier,
 * completion-chunk.test.ts, compares every fourth line).
 */
import { describe, expect, it } from 'vitest';
import { compareOverExamples } from './completion-compare.js';

describe('completion from the top-level chunk before the cursor', () => {
  it('offers what a parse of the whole text before the cursor offers, everywhere in the examples', async () => {
    const { compared, offered } = await compareOverExamples(1);
    expect(compared).toBeGreaterThan(1500);
    expect(offered).toBeGreaterThan(10 * compared);
  });
});
