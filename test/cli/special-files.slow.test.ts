/** The long run of test/cli/special-files.test.ts: many more combinations (same generator). */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkSpecialCase, specialCase } from '../helpers/special-files.js';

describe('special files, as the file named or as imports (long run)', () => {
  it('end in exit 0, 1 or 2 with a sentence, never a hang or a stack trace', () => {
    fc.assert(fc.property(specialCase, checkSpecialCase), { numRuns: 150, seed: 2020 });
  });
});
