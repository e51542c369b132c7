import { defineConfig } from 'vitest/config';

/** `npm run test:slow`: the long randomized runs, after `npm test` in CI (.ci/run). */
export default defineConfig({
  test: {
    include: ['test/**/*.slow.test.ts'],
    testTimeout: 1_800_000,
    pool: 'forks',
    setupFiles: ['test/helpers/setup-event-loop.ts'],
  },
});
