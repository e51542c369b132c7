// What the e2e scenarios (ui-scenario.mjs, editor-steps.mjs) drive the workbench with: waiting
// for a state by polling, and the command palette.

/** Calls `probe` until it returns `{ ok: true, ... }` or `timeoutMs` pass; returns its last answer. */
export async function poll(probe, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last.ok) return last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return last;
}

/** Opens the command palette (F1) on `>query` and returns the first listed row with `rowText` (and without `notText`). */
export async function paletteRow(page, query, rowText, notText) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${query}`);
  const row = page.locator('.quick-input-list .monaco-list-row', notText ? { hasText: rowText, hasNotText: notText } : { hasText: rowText }).first();
  await row.waitFor({ timeout: 10_000 });
  return row;
}

/** Runs the command titled `title` from the command palette, by a click on its row (not one with `notText`). */
export async function runCommand(page, title, notText) {
  await (await paletteRow(page, title, title, notText)).click();
}
