/**
 * Returns to the event loop once. A test that keeps its worker's event loop (synchronous work,
 * or only awaited promises) for a minute fails the whole run with vitest's
 * `Timeout calling "onTaskUpdate"`, although every test passed: long loops call this between
 * their steps.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
