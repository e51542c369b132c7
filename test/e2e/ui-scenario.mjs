// The user's path through NAS Studio in code-server, driven like a person would: open a file,
// read the Problems panel, see inlay hints, hover a layer, open the graph from a code lens.
// Every step records a check and a screenshot; a failing step does not hide the later ones.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { runEditorSteps } from './editor-steps.mjs';
import { paletteRow, poll, runCommand } from './workbench.mjs';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Text the inlay hints and status bar add that the .nas sources never contain. */
const HINT_TEXT = /×|\bMACs?\b|\bFLOPs\b|\barchs\b/;

async function openFile(page, name) {
  // Through the Explorer, as a user would; Quick Open depends on the file search service,
  // which is slow to warm up in a fresh code-server.
  const row = page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${name}"]`).first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();
  await page.locator(`.tabs-container .tab[aria-label^="${name}"]`).first().waitFor({ timeout: 15_000 });
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().waitFor({ timeout: 15_000 });
}

/**
 * Sets a boolean setting through the Settings editor, as a user would, and checks that the
 * checkbox took the value: a click while the editor re-renders its list after the search was
 * lost once in a CI run (the hints then never came back), so the click is retried.
 */
async function setSetting(page, id, value) {
  await runCommand(page, 'Preferences: Open User Settings', 'JSON');
  const editor = page.locator('.settings-editor');
  await editor.waitFor({ timeout: 15_000 });
  // The search box has focus when the editor opens.
  await page.waitForTimeout(300);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(id);
  const checkbox = editor.locator(`.setting-item-bool[data-key="${id}"] .setting-value-checkbox, [data-key="${id}"] .setting-value-checkbox`).first();
  await checkbox.waitFor({ timeout: 15_000 });
  const wanted = String(value);
  for (let attempt = 1; attempt <= 3; attempt++) {
    if ((await checkbox.getAttribute('aria-checked')) === wanted) break;
    await checkbox.click();
    const took = await poll(async () => ({ ok: (await checkbox.getAttribute('aria-checked').catch(() => null)) === wanted }), 3_000);
    if (took.ok) break;
  }
  const state = await checkbox.getAttribute('aria-checked');
  if (state !== wanted) throw new Error(`the Settings editor shows ${id} = ${state}, not ${wanted}`);
  await page.waitForTimeout(300);
  return editor;
}

async function renderedLines(page) {
  return page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').allInnerTexts();
}

/** A headless Chromium page with a step runner that records checks and screenshots. */
async function openSession({ artifacts, browserProfile }) {
  const checks = [];
  const screenshots = [];
  fs.mkdirSync(browserProfile, { recursive: true });
  const context = await chromium.launchPersistentContext(browserProfile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  const shoot = async (name) => {
    await page.screenshot({ path: path.join(artifacts, name) });
    screenshots.push(name);
  };
  const step = async (name, body) => {
    const started = Date.now();
    try {
      const detail = await body();
      checks.push({ name, ok: true, detail, ms: Date.now() - started });
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      checks.push({ name, ok: false, detail: message, ms: Date.now() - started });
      await shoot(`failure-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`).catch(() => undefined);
    }
  };
  return { context, page, shoot, step, checks, screenshots, consoleErrors };
}

async function loadWorkbench(page, url) {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.part.statusbar').waitFor({ timeout: 30_000 });
  // Let the start-up activations (git, GitHub) finish, as they would before a user opens a file.
  await page.waitForTimeout(2000);
}

export async function runUiScenario({ url, artifacts, browserProfile }) {
  const { context, page, shoot, step, checks, screenshots, consoleErrors } = await openSession({ artifacts, browserProfile });
  const timings = {};
  /** The search step's dashboard and best trial, for the compare step. */
  let searched;

  try {
    await step('workbench loads', async () => {
      await loadWorkbench(page, url);
      return 'workbench visible';
    });

    await step('the .nas file opens with NAS syntax highlighting', async () => {
      const opened = Date.now();
      await openFile(page, 'tiny.nas');
      timings.openMs = Date.now() - opened;
      // The language mode in the status bar comes from the contributed language.
      const mode = await poll(async () => {
        const text = await page
          .locator('.statusbar-item[id="status.editor.mode"]')
          .innerText()
          .catch(() => '');
        return { ok: /NAS/.test(text), text };
      }, 15_000);
      if (!mode.ok) throw new Error(`language mode is "${mode.text}", not NAS`);
      // A keyword and a built-in op get different token colours when the grammar is active.
      const highlighted = await poll(async () => {
        const classes = await page.evaluate(() => {
          const spans = [...document.querySelectorAll('.editor-group-container.active .view-line span span')];
          const find = (t) => spans.find((s) => s.textContent?.trim() === t)?.className ?? '';
          return { network: find('network'), conv: find('conv'), plain: find('Tiny') };
        });
        // Tokenization is asynchronous; until it runs the line is a single plain span.
        return { ok: Boolean(classes.network && classes.plain && classes.network !== classes.plain), classes };
      }, 15_000);
      const classes = highlighted.classes;
      if (!highlighted.ok) throw new Error(`'network' is not highlighted (classes ${JSON.stringify(classes)})`);
      return `language mode ${mode.text.trim()}; token classes ${JSON.stringify(classes)}`;
    });

    await step('diagnostics appear in the Problems panel', async () => {
      const started = Date.now();
      await page.keyboard.press('Control+Shift+M');
      const panel = page.locator('.markers-panel');
      await panel.waitFor({ timeout: 15_000 });
      const found = await poll(async () => {
        const text = await panel.innerText().catch(() => '');
        return { ok: /BasicBlok/.test(text), text };
      }, 60_000);
      timings.diagnosticsMs = Date.now() - started;
      await shoot('01-problems-panel.png');
      if (!found.ok) throw new Error(`no diagnostic about BasicBlok; the panel shows: ${found.text.slice(0, 300)}`);
      const row = found.text.split('\n').find((line) => /BasicBlok/.test(line)) ?? '';
      // Only the misspelt name is wrong; the valid network must not be reported.
      const rows = await panel.locator('.monaco-list-row').count();
      return `${rows} row(s); "${row.trim()}"`;
    });

    await step('an inlay hint is shown in the editor', async () => {
      const found = await poll(async () => {
        const lines = await renderedLines(page);
        const hinted = lines.filter((l) => HINT_TEXT.test(l));
        return { ok: hinted.length > 0, hinted, lines };
      }, 30_000);
      await shoot('02-inlay-hints.png');
      if (!found.ok) throw new Error(`no hint text in the rendered lines: ${found.lines.slice(0, 8).join(' | ')}`);
      return found.hinted
        .slice(0, 3)
        .map((l) => l.trim())
        .join(' | ');
    });

    await step('hovering a layer shows its shapes and cost', async () => {
      const conv = page.locator('.editor-group-container.active .view-line span span', { hasText: /^conv$/ }).first();
      await conv.waitFor({ timeout: 10_000 });
      const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents');
      const shown = await poll(
        async () => {
          const box = await conv.boundingBox();
          if (box) {
            await page.mouse.move(box.x + 2, box.y + box.height / 2);
            await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
          }
          const text = (await hover.allInnerTexts().catch(() => [])).join('\n');
          // The use of an op: its input and output shapes and its cost, not only its documentation.
          return { ok: /→/.test(text) && /MACs/.test(text) && /params/.test(text), text };
        },
        20_000,
        1000,
      );
      await shoot('03-hover.png');
      if (!shown.ok) throw new Error(`no hover with content over 'conv' (got "${shown.text ?? ''}")`);
      await page.mouse.move(5, 5);
      return shown.text.replace(/\s+/g, ' ').slice(0, 200);
    });

    await runEditorSteps({ page, shoot, step });

    await step('the NAS commands are listed in the command palette', async () => {
      await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
      await paletteRow(page, 'NAS:', 'NAS: Show Graph');
      await shoot('04-command-palette.png');
      const rows = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
      await page.keyboard.press('Escape');
      return rows
        .map((r) => r.replace(/\s+/g, ' ').trim())
        .join(' | ')
        .slice(0, 200);
    });

    await step('the status bar shows the active network cost (ResNet-50: 4.09G MACs, 25.6M params)', async () => {
      await openFile(page, 'resnet50.nas');
      const item = page.locator('.statusbar-item', { hasText: /MACs/ });
      const found = await poll(async () => {
        const texts = await item.allInnerTexts().catch(() => []);
        return { ok: texts.some((t) => /4\.09G MACs · 25\.6M params/.test(t)), texts };
      }, 30_000);
      await page.waitForTimeout(1000); // inlay hints and code lenses of the new file
      await shoot('06-status-bar-resnet50.png');
      if (!found.ok) throw new Error(`status bar shows ${JSON.stringify(found.texts)}`);
      return found.texts.join(' | ').trim();
    });

    await step('the graph opens from the code lens; a click on a box reveals its line in the editor', async () => {
      const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Show graph' }).first();
      await lens.waitFor({ timeout: 30_000 });
      await lens.click();
      // The webview: VS Code's outer frame, then the page's own.
      const view = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      const box = view.locator('.stage g.nas-node', { hasText: 'maxpool 3×3/2' }).first();
      await box.waitFor({ timeout: 60_000 });
      await page.waitForTimeout(500);
      await shoot('05-graph-view.png');
      const boxes = await view.locator('.stage g.nas-node').count();
      await box.click();
      // resnet50.nas line 15: `maxpool(k=3, stride=2, pad=1)`; the editor's cursor goes there.
      const cursor = page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first();
      const moved = await poll(async () => {
        const text = (await cursor.innerText().catch(() => '')).trim();
        return { ok: /Ln 15, Col/.test(text), text };
      }, 15_000);
      await shoot('05b-graph-reveal.png');
      if (!moved.ok) throw new Error(`after the click the cursor is at "${moved.text}", not on line 15`);
      return `${boxes} boxes; cursor ${moved.text}`;
    });

    await step('the status bar shows the size of a search space (NAS-Bench-201: 15,625 archs)', async () => {
      await openFile(page, 'nb201.nas');
      const item = page.locator('.statusbar-item', { hasText: /archs/ });
      const found = await poll(async () => {
        const texts = await item.allInnerTexts().catch(() => []);
        return { ok: texts.some((t) => /15,625 archs/.test(t)), texts };
      }, 30_000);
      await page.waitForTimeout(1000);
      await shoot('07-space-nb201.png');
      if (!found.ok) throw new Error(`status bar shows ${JSON.stringify(found.texts)}`);
      return found.texts.join(' | ').trim();
    });
    await step(
      'the ▶ Search code lens runs NB201Pareto: the dashboard fills, the notification finishes; a click on the best point opens its readable .nas text (imports resolved) and graph',
      async () => {
        await openFile(page, 'nb201_search.nas');
        // Bring `search NB201Pareto {` (line 45) into view, then click the lens drawn just above it.
        await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
        await page.keyboard.press('Control+G');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill(':45');
        await page.keyboard.press('Enter');
        const line = page.locator('.editor-group-container.active .view-line', { hasText: /search\s+NB201Pareto\s*\{/ }).first();
        await line.waitFor({ timeout: 15_000 });
        const lensAbove = await poll(async () => {
          const lineBox = await line.boundingBox();
          const lenses = page.locator('.editor-group-container.active .codelens-decoration a', { hasText: '▶ Search' });
          for (let i = 0; i < (await lenses.count()); i++) {
            const box = await lenses.nth(i).boundingBox();
            if (box && lineBox && box.y < lineBox.y && lineBox.y - box.y < 2.5 * lineBox.height) return { ok: true, lens: lenses.nth(i) };
          }
          return { ok: false };
        }, 30_000);
        if (!lensAbove.ok) throw new Error('no ▶ Search code lens above `search NB201Pareto`');
        await lensAbove.lens.click();
        // The dashboard's page, among the webviews' frames (the graph view may be open too).
        const dashboard = await poll(async () => {
          for (const f of page.frames()) {
            const text = await f
              .locator('.summary')
              .innerText({ timeout: 200 })
              .catch(() => '');
            if (/NB201Pareto-1/.test(text)) return { ok: /finished · 300\/300 trials/.test(text), frame: f, text };
          }
          return { ok: false, text: '' };
        }, 120_000);
        const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'NB201Pareto-1 finished' }).first();
        await toast.waitFor({ timeout: 30_000 });
        const message = await toast.innerText();
        await shoot('12-search-dashboard.png');
        if (!dashboard.ok) throw new Error(`the dashboard shows "${dashboard.text}"`);
        const best = Number(/\(trial (\d+)\)/.exec(message)?.[1]);
        if (!best) throw new Error(`no best trial in the notification "${message}"`);
        const at = await dashboard.frame.evaluate((t) => {
          const p = globalThis.nasDashboard.position(t);
          const r = document.querySelector('.scatter').getBoundingClientRect();
          return { x: p.x - r.left, y: p.y - r.top };
        }, best);
        await dashboard.frame.locator('.scatter').click({ position: at });
        const text = await poll(async () => {
          const lines = (await renderedLines(page)).join('\n');
          // Monaco renders spaces as no-break spaces.
          const plain = lines.replace(/\s+/g, ' ');
          return { ok: plain.includes(`# trial ${best} of search NB201Pareto`) && /network NB201_[0-9a-f]{8} = NB201 with \{/.test(plain), lines };
        }, 60_000);
        if (!text.ok) throw new Error(`no readable .nas text of trial ${best} in the editor: ${text.lines.replace(/\s+/g, ' ').slice(0, 200)}`);
        // The unsaved editor's `import "../nb201"` resolves: the language server's hints come, and no error squiggle.
        const checked = await poll(async () => {
          const hinted = (await renderedLines(page)).some((l) => HINT_TEXT.test(l));
          const errors = await page.locator('.editor-group-container.active .squiggly-error').count();
          return { ok: hinted && errors === 0, hinted, errors };
        }, 30_000);
        if (!checked.ok) throw new Error(`the trial's text does not check clean (hints: ${checked.hinted}, error squiggles: ${checked.errors})`);
        const graph = await poll(async () => {
          for (const f of page.frames()) {
            const n = await f
              .locator('.stage g.nas-node')
              .count()
              .catch(() => 0);
            const title = await f
              .locator('.title, h1, .toolbar')
              .first()
              .innerText({ timeout: 200 })
              .catch(() => '');
            if (n > 0 && !/resnet/i.test(title)) return { ok: true, n };
          }
          return { ok: false };
        }, 60_000);
        await page.waitForTimeout(500);
        await shoot('13-search-open-best.png');
        if (!graph.ok) throw new Error("no graph view with the trial's boxes");
        searched = { frame: dashboard.frame, best };
        return `${dashboard.text}; "${message.replace(/\s+/g, ' ').slice(0, 120)}"; trial ${best} opened as .nas text and a graph of ${graph.n} boxes`;
      },
    );

    await step('shift-click a second point of the front, Compare: the architecture view draws both side by side, differences marked', async () => {
      if (!searched) throw new Error('the search step did not finish');
      const { frame, best } = searched;
      const front = (await frame.evaluate(() => document.body.dataset.front ?? '')).split(',').map(Number);
      const other = front.find((t) => t && t !== best);
      if (!other) throw new Error(`the front ${front.join(',')} has no second trial`);
      const at = await frame.evaluate((t) => {
        const p = globalThis.nasDashboard.position(t);
        const r = document.querySelector('.scatter').getBoundingClientRect();
        return { x: p.x - r.left, y: p.y - r.top };
      }, other);
      await frame.locator('.scatter').click({ position: at, modifiers: ['Shift'] });
      await frame.getByRole('button', { name: 'Compare' }).click();
      const compared = await poll(async () => {
        for (const f of page.frames()) {
          const titles = await f
            .locator('.stage g.nas-frame text.t')
            // SVG text has no innerText.
            .allTextContents()
            .catch(() => []);
          if (titles.length !== 2) continue;
          const status = await f
            .locator('.status')
            .innerText({ timeout: 200 })
            .catch(() => '');
          const ok = titles[0].includes(`trial ${best}`) && titles[1].includes(`trial ${other}`) && /[1-6] of 6 choices differ/.test(status);
          return { ok, titles, status };
        }
        return { ok: false };
      }, 60_000);
      await page.waitForTimeout(500);
      await shoot('14-search-compare.png');
      if (!compared.ok)
        throw new Error(`no side-by-side comparison of trials ${best} and ${other} (${JSON.stringify(compared.titles)} ${compared.status ?? ''})`);
      return `${compared.titles.join(' | ')}; ${compared.status}`;
    });

    await step('turning nas.inlayHints.enabled off removes the hints (the server reads the setting)', async () => {
      await openFile(page, 'tiny.nas');
      const hinted = async () => (await renderedLines(page)).filter((l) => HINT_TEXT.test(l));
      const before = await poll(async () => ({ ok: (await hinted()).length > 0 }), 20_000);
      if (!before.ok) throw new Error('no hints before the change');
      await setSetting(page, 'nas.inlayHints.enabled', false);
      await shoot('08-settings-inlay-hints.png');
      await openFile(page, 'tiny.nas');
      const after = await poll(async () => {
        const left = await hinted();
        return { ok: left.length === 0, left };
      }, 20_000);
      await shoot('09-inlay-hints-off.png');
      await setSetting(page, 'nas.inlayHints.enabled', true);
      await openFile(page, 'tiny.nas');
      if (!after.ok) throw new Error(`hints still shown: ${after.left.slice(0, 2).join(' | ')}`);
      const back = await poll(async () => ({ ok: (await hinted()).length > 0 }), 20_000);
      if (!back.ok) throw new Error('hints did not come back when the setting was restored');
      return 'hints gone with the setting off, back with it on';
    });

    await step("VS Code's own activation time for NAS Studio is shown (Developer: Show Running Extensions)", async () => {
      const row = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'NAS Studio' }).first();
      // The palette sometimes runs Enter before its list has settled on the command (seen once
      // in a CI rehearsal): click the command's row, and try a second time if the view is slow.
      for (let attempt = 1; ; attempt++) {
        await runCommand(page, 'Developer: Show Running Extensions');
        try {
          await page.locator('.runtime-extensions-editor .monaco-list-row').first().waitFor({ timeout: 20_000 });
          break;
        } catch (e) {
          if (attempt >= 2) throw e;
          await page.keyboard.press('Escape');
        }
      }
      // The view sorts extensions by activation time and its list is virtual: rows below the
      // fold are not in the DOM. NAS Studio activates fast, so it is near the bottom, and one
      // more slow built-in extension pushed it out of view in a CI run. Scroll until it shows.
      const list = page.locator('.runtime-extensions-editor .monaco-list').first();
      const found = await poll(async () => {
        if ((await row.count()) > 0) return { ok: true };
        const box = await list.boundingBox();
        if (box) {
          await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
          await page.mouse.wheel(0, 400);
        }
        return { ok: false };
      }, 20_000);
      if (!found.ok) throw new Error('NAS Studio is not among the running extensions');
      await row.scrollIntoViewIfNeeded();
      await page.waitForTimeout(500);
      const text = (await row.innerText()).replace(/\s+/g, ' ');
      await shoot('10-running-extensions.png');
      const match = /(\d+)\s*ms/.exec(text);
      if (!match) throw new Error(`no activation time in "${text}"`);
      // Reported, not enforced: the budget is checked by `npm run bench:activation` (speed
      // belongs in benchmarks, not in timed tests). VS Code's figure is code loading, which
      // includes an await on the extension host, plus the activate call, so other extensions
      // activating at the same moment inflate it on a busy machine.
      timings.vscodeActivationMs = Number(match[1]);
      timings.vscodeActivationWithinBudget = timings.vscodeActivationMs < 200;
      return text.slice(0, 200);
    });
  } finally {
    await context.close();
  }
  return { checks, screenshots, timings, consoleErrors: consoleErrors.slice(0, 20) };
}

/**
 * An untrusted folder (Restricted Mode): reading and checking still work — the server runs and
 * reports — while the commands that run training code or spawn processes refuse.
 */
export async function runRestrictedModeScenario({ url, artifacts, browserProfile }) {
  const { context, page, shoot, step, checks, screenshots } = await openSession({ artifacts, browserProfile });
  try {
    await step('restricted mode: the workbench opens the folder untrusted', async () => {
      await loadWorkbench(page, url);
      const indicator = page.locator('.statusbar-item', { hasText: 'Restricted Mode' });
      await indicator.first().waitFor({ timeout: 15_000 });
      return 'Restricted Mode indicator shown';
    });

    await step('restricted mode: diagnostics and inlay hints still work', async () => {
      await openFile(page, 'tiny.nas');
      await page.keyboard.press('Control+Shift+M');
      const panel = page.locator('.markers-panel');
      const found = await poll(async () => ({ ok: /BasicBlok/.test(await panel.innerText().catch(() => '')) }), 60_000);
      if (!found.ok) throw new Error('no diagnostic in Restricted Mode');
      const hinted = await poll(async () => ({ ok: (await renderedLines(page)).some((l) => HINT_TEXT.test(l)) }), 30_000);
      if (!hinted.ok) throw new Error('no inlay hints in Restricted Mode');
      return 'BasicBlok reported; hints shown';
    });

    await step('restricted mode: NAS: Run Search is disabled (it runs training code)', async () => {
      await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('>NAS:');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'NAS: Show Graph' }).first().waitFor({ timeout: 10_000 });
      await page.waitForTimeout(300);
      await shoot('11-restricted-mode-palette.png');
      const rows = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
      await page.keyboard.press('Escape');
      const listed = rows.map((r) => r.replace(/\s+/g, ' ').trim());
      // Commands whose enablement is false are left out of the palette.
      if (listed.some((r) => r.includes('Run Search') || r.includes('Fuse for Deployment'))) {
        throw new Error(`code-running commands offered in Restricted Mode: ${listed.join(' | ')}`);
      }
      if (!listed.some((r) => r.includes('Show Graph'))) throw new Error(`Show Graph missing: ${listed.join(' | ')}`);
      return `palette offers: ${listed.join(' | ')}`;
    });
  } finally {
    await context.close();
  }
  return { checks, screenshots };
}
