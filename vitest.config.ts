import { configDefaults, defineConfig } from 'vitest/config';

/**
 * `npm test`: every test but the long randomized runs (`*.slow.test.ts`, vitest.slow.config.ts,
 * `npm run test:slow`). Forks: a test that spawns the language server or the CLI gets a process
 * of its own. The worker's messages to vitest time out after 60 s, and a worker that does not
 * return to its event loop for that long fails the run with `Timeout calling "onTaskUpdate"`
 * although every test passed; so every test starts by returning to it (the setup file), and a
 * long test returns to it between its steps (test/helpers/event-loop.ts).
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/**/*.slow.test.ts'],
    // A guard against a hung test, not a speed bound: generous enough for a loaded machine.
    testTimeout: 300_000,
    pool: 'forks',
    // Two test files at a time on two cores (vitest's default is one fewer than the cores): many
    // tests spend most of their time waiting on a child process (PyTorch, the CLI, the server,
    // Chromium), and the other file uses the core meanwhile.
    maxWorkers: 2,
    setupFiles: ['test/helpers/setup-event-loop.ts'],
  },
});
