// The editor features a user meets in the first minutes, on tiny.nas in code-server: hints that
// name their figures, an Outline of definitions and named nodes only, and completion after
// `x = ` and inside an argument list. Each step leaves a screenshot to look at.
import { poll, runCommand } from './workbench.mjs';

/** A hint label with each figure named, e.g. `→ 16×32×32 · 464 params · 442k MACs`. */
const NAMED_HINT = /→\s\d+×\d+×\d+\s·\s[\d.]+[kMG]?\sparams\s·\s[\d.]+[kMG]?\sMACs/;

/** The suggestions shown after typing `text` on a new line below the first line containing `below`. */
async function suggestionsAfterTyping(page, below, text) {
  const line = page.locator('.editor-group-container.active .view-line', { hasText: below }).first();
  await line.click();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type(text, { delay: 30 });
  await page.keyboard.press('Control+Space');
  const rows = page.locator('.editor-widget.suggest-widget.visible .monaco-list-row');
  const shown = await poll(async () => {
    const labels = (await rows.allInnerTexts().catch(() => [])).map((t) => t.split('\n')[0].trim());
    return { ok: labels.length > 0, labels };
  }, 15_000);
  return shown.labels ?? [];
}

/** Undoes the typing of `suggestionsAfterTyping` so that the file is as it was. */
async function undoTyping(page) {
  await page.keyboard.press('Escape');
  for (let i = 0; i < 6; i++) await page.keyboard.press('Control+Z');
}

export async function runEditorSteps({ page, shoot, step }) {
  await step('inlay hints name each figure (params, MACs)', async () => {
    const found = await poll(async () => {
      const lines = await page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').allInnerTexts();
      const named = lines.filter((l) => NAMED_HINT.test(l));
      return { ok: named.length > 0, named, lines };
    }, 30_000);
    await shoot('12-inlay-hint-labels.png');
    if (!found.ok) throw new Error(`no hint names its figures: ${found.lines.slice(0, 8).join(' | ')}`);
    return found.named
      .map((l) => l.trim())
      .join(' | ')
      .slice(0, 200);
  });

  await step('the Outline lists the definitions, no attributes', async () => {
    await runCommand(page, 'Explorer: Focus on Outline View');
    const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /outline/i }) });
    const rows = pane.locator('.monaco-list-row');
    const shown = await poll(async () => {
      const labels = (await rows.allInnerTexts().catch(() => [])).map((t) => t.replace(/\s+/g, ' ').trim());
      return { ok: labels.some((l) => l.startsWith('Tiny')) && labels.some((l) => l.startsWith('Broken')), labels };
    }, 20_000);
    await shoot('13-outline.png');
    if (!shown.ok) throw new Error(`the Outline shows ${JSON.stringify(shown.labels)}`);
    const attributes = shown.labels.filter((l) => /^(k|stride|pad|out|classes)\b/.test(l));
    if (attributes.length > 0) throw new Error(`the Outline lists attributes: ${attributes.join(', ')}`);
    return shown.labels.join(' | ');
  });

  await step('completion after `x = ` offers layers and names, not the word list', async () => {
    const labels = await suggestionsAfterTyping(page, 'gap -> fc(10)', 'x = ');
    await shoot('14-completion-value.png');
    await undoTyping(page);
    if (!labels.includes('conv')) throw new Error(`suggestions after \`x = \`: ${labels.join(', ')}`);
    return labels.slice(0, 10).join(', ');
  });

  await step("completion inside `conv(8, ` offers conv's attributes first", async () => {
    const labels = await suggestionsAfterTyping(page, 'gap -> fc(10)', 'x = conv(8, ');
    await shoot('15-completion-attributes.png');
    await undoTyping(page);
    if (labels[0] !== 'k =' || !labels.includes('stride =')) throw new Error(`suggestions inside \`conv(8, \`: ${labels.join(', ')}`);
    return labels.slice(0, 8).join(', ');
  });
}
