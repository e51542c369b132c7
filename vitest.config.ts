import { configDefaults, defineConfig } from 'vitest/config';

const SLOW = 'test/**/*.slow.test.ts';

/**
 * Test files that touch no process-wide state (no tfjs backend, no mocks, no environment or
 * working-directory changes): they share their worker process and its loaded modules
 * (`isolate: false`), which saves the second or so that each file otherwise spends importing
 * Langium and the language core anew. Every other file, and any new folder, runs isolated.
 */
const SHARED = ['test/*.test.ts', 'test/{cli,core,grammar,lsp,readable,views,shared,package}/**/*.test.ts'];

/**
 * `npm test`: every test but the long randomized runs and full sweeps (`*.slow.test.ts`,
 * vitest.slow.config.ts, `npm run test:slow`; docs/adr/0022-two-test-tiers.md). Forks: a test
 * that spawns the language server or the CLI gets a process of its own. The worker's messages
 * to vitest time out after 60 s, and a worker that does not return to its event loop for that
 * long fails the run with `Timeout calling "onTaskUpdate"` although every test passed; so every
 * test starts by returning to it (the setup file), and a long test returns to it between its
 * steps (test/helpers/event-loop.ts).
 */
export default defineConfig({
  test: {
    // A guard against a hung test, not a speed bound: generous enough for a loaded machine.
    testTimeout: 300_000,
    // `expect.poll` waits for a page or a server to catch up; its timeout is a hang guard too
    // (vitest's default of 1 s is exceeded on a loaded machine).
    expect: { poll: { timeout: 60_000 } },
    pool: 'forks',
    // Two test files at a time on two cores (vitest's default is one fewer than the cores): many
    // tests spend most of their time waiting on a child process (PyTorch, the CLI, the server,
    // Chromium), and the other file uses the core meanwhile.
    maxWorkers: 2,
    setupFiles: ['test/helpers/setup-event-loop.ts'],
    // Dependencies (Langium, Chevrotain, tfjs, the LSP libraries) pre-bundled once per run, so an
    // isolated file imports a few large modules instead of hundreds of small ones: about a third
    // less time collecting the files (docs/adr/0026-test-command-time.md).
    deps: { optimizer: { ssr: { enabled: true } } },
    projects: [
      { extends: true, test: { name: 'shared', include: SHARED, exclude: [...configDefaults.exclude, SLOW], isolate: false } },
      { extends: true, test: { name: 'isolated', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, SLOW, ...SHARED] } },
    ],
  },
});
