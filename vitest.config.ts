import { configDefaults, defineConfig } from 'vitest/config';

/**
 * `npm test`: every test but the long randomized runs (`*.slow.test.ts`, vitest.slow.config.ts,
 * `npm run test:slow`). Forks, one per file: a test that spawns the language server or the CLI
 * gets a process of its own. A test must return to its event loop within a minute even on a
 * loaded machine: the worker's messages to vitest time out after 60 s, and the run then fails
 * with `Timeout calling "onTaskUpdate"` although every test passed.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/**/*.slow.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
