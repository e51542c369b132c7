/**
 * Loaded before every test file (vitest.config.ts, `setupFiles`): each test starts by
 * returning to the event loop once, so that the answers to the worker's messages to vitest
 * are read between tests. Without it, consecutive synchronous tests that together keep the
 * worker busy for a minute fail the run with `Timeout calling "onTaskUpdate"` although every
 * test passed (test/helpers/event-loop.ts).
 */
import { beforeEach } from 'vitest';
import { yieldToEventLoop } from './event-loop.js';

beforeEach(yieldToEventLoop);
