/**
 * Special files given to the CLI or imported (test/helpers/special-files.ts): FIFOs, devices,
 * directories, oversized files and dangling links, in random combinations with the commands
 * that read .nas files. `special-files.slow.test.ts` runs many more.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkSpecialCase, specialCase } from '../helpers/special-files.js';

describe('special files, as the file named or as imports', () => {
  it('end in exit 0, 1 or 2 with a sentence, never a hang or a stack trace', () => {
    fc.assert(fc.property(specialCase, checkSpecialCase), { numRuns: 12, seed: 2020 });
  });
});
