/**
 * The search dashboard's bundle (dist/webview/dashboard.js, built by npm run build) in headless
 * Chromium under the page's real Content Security Policy. It is fed a run as the extension
 * host feeds it: a real `nas search` run (the bundled CLI, NB201 on the NAS-Bench-201 table)
 * read from its run directory, then its trials in live batches. The drawn front equals the
 * engine's (result.json) and a front computed here pairwise; the hypervolume equals the
 * engine's; a click on a point asks for that trial's architecture; shift-clicks compare two;
 * exports answer; a real training run's per-epoch accuracies are drawn as recorded; 10,000 trials stream in (each update's drawing time is printed, not bounded:
 * `npm run bench` reports it); screenshots in light and dark land in test-artifacts/.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../src/protocol/dashboard.js';
import type { TrialRecord } from '../../src/protocol/search-events.js';
import { readRun, type StoredRun } from '../../src/extension/search/run-store.js';
import { startDashboardHarness, type DashboardHarness, type DashboardPage } from './dashboard-harness.js';

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(ROOT, 'test-artifacts');
let harness: DashboardHarness;
let run: StoredRun;

interface Hook {
  nasDashboard: {
    position(trial: number): { x: number; y: number } | undefined;
    hypervolume(): number | undefined;
    fullDraws(): number;
    epochCurves(): Record<string, number[]>;
  };
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nas-dashboard-')), 'NB201Pareto-1');
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'bin/nas.cjs'), 'search', 'examples/nb201_search.nas', '--search', 'NB201Pareto', '--budget', '300', '--out', dir, '--quiet'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`nas search failed: ${r.stderr}`);
  run = readRun(dir);
  harness = await startDashboardHarness();
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

function info(status: RunInfo['status']): RunInfo {
  return { dir: run.dir, name: run.name, manifest: run.manifest, status };
}

/** The nondominated feasible trials by maximize y, minimize x, pairwise (the definition, O(n²)). */
function pairwiseFront(trials: readonly TrialRecord[], x: string, y: string): number[] {
  const ok = trials.filter((t) => t.status === 'ok' && t.feasible !== false);
  const dominates = (p: TrialRecord, q: TrialRecord) =>
    p.metrics[x]! <= q.metrics[x]! && p.metrics[y]! >= q.metrics[y]! && (p.metrics[x]! < q.metrics[x]! || p.metrics[y]! > q.metrics[y]!);
  const front = ok.filter((q) => !ok.some((p) => p !== q && dominates(p, q)));
  // Equal points: the first one stands for them.
  const seen = new Set<string>();
  return front
    .filter((t) => {
      const k = `${t.metrics[x]}|${t.metrics[y]}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .map((t) => t.trial)
    .sort((a, b) => a - b);
}

async function drawnFront(p: DashboardPage): Promise<number[]> {
  const text = await p.page.evaluate(() => document.body.dataset['front'] ?? '');
  return text
    .split(',')
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Feeds the run live: the start with no trials, then batches, then the end. */
async function feedLive(p: DashboardPage, batch: number): Promise<void> {
  await p.send({ type: 'run', info: info('running'), trials: [] });
  for (let i = 0; i < run.trials.length; i += batch) await p.send({ type: 'trials', trials: run.trials.slice(i, i + batch) });
  await p.send({ type: 'status', status: 'finished', done: run.done });
  // Drawn once the summary says so (the page coalesces messages into frames: no render count to wait for).
  await p.page.waitForFunction((k) => document.querySelector('.summary')?.textContent?.includes(`finished · ${k}/`), run.trials.length, { timeout: 60_000 });
}

describe('the search dashboard in Chromium', () => {
  it('draws the front of a live run: equal to the engine front and to the pairwise definition; hypervolume as the engine reports it', async () => {
    const p = await harness.open('light');
    await feedLive(p, 17);
    const front = await drawnFront(p);
    expect(front).toEqual(pairwiseFront(run.trials, 'macs', 'accuracy'));
    expect(front).toEqual(run.done!.pareto.map((a) => a.trial).sort((a, b) => a - b));
    const hv = await p.page.evaluate(() => (globalThis as unknown as Hook).nasDashboard.hypervolume());
    expect(hv).toBeCloseTo(run.done!.hypervolume!, 6);
    const summary = await p.page.locator('.summary').textContent();
    expect(summary).toContain(`NB201Pareto-1 · finished · 300/300 trials · front ${front.length}`);
    await p.page.screenshot({ path: path.join(SHOTS, 'dashboard-light.png') });
    expect(p.errors).toEqual([]);
    await p.page.close();
  });

  it('a click on a point opens that trial; shift-clicks select two to compare; the choice of axes is kept in the state', async () => {
    const p = await harness.open('dark');
    await p.send({ type: 'run', info: info('finished'), trials: run.trials, done: run.done });
    await p.rendered(1);
    const best = run.done!.best!.trial;
    const at = await p.page.evaluate((t) => (globalThis as unknown as Hook).nasDashboard.position(t), best);
    await p.page.mouse.move(at!.x, at!.y);
    await expect.poll(() => p.page.locator('.tooltip').textContent()).toContain(`trial ${best} · on the front`);
    await p.page.screenshot({ path: path.join(SHOTS, 'dashboard-dark-hover.png') });
    await p.page.mouse.click(at!.x, at!.y);
    expect((await p.posted()).filter((m) => m.type === 'open')).toEqual([{ type: 'open', trial: best }]);

    const other = run.done!.pareto.map((a) => a.trial).find((t) => t !== best)!;
    const at2 = await p.page.evaluate((t) => (globalThis as unknown as Hook).nasDashboard.position(t), other);
    await p.page.keyboard.down('Shift');
    await p.page.mouse.click(at2!.x, at2!.y);
    await p.page.keyboard.up('Shift');
    await p.page.getByRole('button', { name: 'Compare' }).click();
    expect((await p.posted()).filter((m) => m.type === 'compare')).toEqual([{ type: 'compare', trials: [best, other] }]);

    await p.page.getByLabel('X axis').selectOption('params');
    await expect.poll(() => p.state()).toMatchObject({ dir: run.dir, x: 'params' });
    await expect.poll(() => drawnFront(p)).toEqual(pairwiseFront(run.trials, 'params', 'accuracy'));
    expect(p.errors).toEqual([]);
    await p.page.close();
  });

  it('exports the plot as SVG and PNG and the table as CSV; the table sorts', async () => {
    const p = await harness.open('dark');
    await p.send({ type: 'run', info: info('finished'), trials: run.trials, done: run.done });
    await p.rendered(1);
    await p.page.getByRole('columnheader', { name: 'accuracy' }).click();
    const top = [...run.trials].filter((t) => t.status === 'ok').sort((a, b) => b.metrics['accuracy']! - a.metrics['accuracy']! || a.trial - b.trial)[0]!;
    // The page sorts in its next frame: wait for it (the poll's timeout is a hang guard, vitest.config.ts).
    await expect.poll(async () => Number(await p.page.locator('.table tbody tr').first().getAttribute('data-trial'))).toBe(top.trial);
    await p.page.screenshot({ path: path.join(SHOTS, 'dashboard-dark.png') });
    for (const format of ['svg', 'png', 'csv'] as const) await p.send({ type: 'export', format });
    const exported = (await p.posted()).filter((m) => m.type === 'exported');
    expect(exported.map((m) => m.type === 'exported' && m.format)).toEqual(['svg', 'png', 'csv']);
    const [svg, png, csv] = exported.map((m) => (m.type === 'exported' ? m.data : ''));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg!.match(/<circle /g)!.length).toBe(run.trials.filter((t) => t.status === 'ok').length + run.done!.pareto.length);
    expect(Buffer.from(png!, 'base64').subarray(1, 4).toString()).toBe('PNG');
    const lines = csv!.trim().split('\n');
    expect(lines).toHaveLength(run.trials.length + 1);
    expect(lines[1]!.split(',')[0]).toBe(String(top.trial));
    expect(p.errors).toEqual([]);
    await p.page.close();
  });

  it("trained candidates: accuracy per epoch in the history panel, one curve per trial as recorded, the clicked trial's highlighted; the hover shows the readable .nas", async () => {
    // A real `nas search` with the train evaluator (shapes10, 8 trials of 8 epochs), recorded once: fixtures/tiny-train.
    const trained = readRun(path.join(__dirname, 'fixtures/tiny-train/TinyTrain-1'));
    for (const theme of ['light', 'dark'] as const) {
      const p = await harness.open(theme);
      await p.send({
        type: 'run',
        info: { dir: trained.dir, name: trained.name, manifest: trained.manifest, status: 'finished' },
        trials: trained.trials,
        done: trained.done,
      });
      await p.rendered(1);
      await p.page.getByLabel('History').selectOption('epochs');
      const curves = () => p.page.evaluate(() => (globalThis as unknown as Hook).nasDashboard.epochCurves());
      await expect.poll(curves).toEqual(Object.fromEntries(trained.trials.map((t) => [String(t.trial), t.epochs!.map((e) => e.accuracy)])));
      expect(await p.page.locator('.epochs .history-title').textContent()).toBe('Validation accuracy per epoch (8 trained trials)');
      const best = trained.done!.best!.trial;
      const at = await p.page.evaluate((t) => (globalThis as unknown as Hook).nasDashboard.position(t), best);
      await p.page.mouse.move(at!.x, at!.y);
      // The hover: the trial's `with` block as its record writes it.
      const body = trained.trials[best - 1]!.nas!.split('\n')
        .filter((l) => l.startsWith('  '))
        .map((l) => l.slice(2));
      await expect.poll(() => p.page.locator('.tooltip pre.nas').textContent()).toBe(body.join('\n'));
      await p.page.mouse.click(at!.x, at!.y);
      await p.page.mouse.move(5, 5);
      await p.page.screenshot({ path: path.join(SHOTS, `dashboard-epochs-${theme}.png`) });
      expect(p.errors).toEqual([]);
      await p.page.close();
    }
  });

  it('takes 10,000 trials in live batches, keeping the front equal to the pairwise one', async () => {
    const p = await harness.open('light');
    // Synthetic trials over the recorded ones' ranges (a seeded generator): a cloud whose front keeps changing.
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const trials: TrialRecord[] = Array.from({ length: 10_000 }, (_, i) => {
      const macs = 1e6 + rand() * 2.2e8;
      const accuracy = 10 + 84 * (1 - Math.exp(-macs / 5e7)) * (0.8 + 0.2 * rand());
      return { ...run.trials[i % run.trials.length]!, trial: i + 1, status: 'ok', feasible: true, metrics: { macs, params: macs / 100, accuracy } };
    });
    await p.send({ type: 'run', info: { ...info('running'), manifest: { ...run.manifest, budget: { queries: 10_000 } } }, trials: [] });
    const times: number[] = [];
    for (let i = 0; i < trials.length; i += 100) {
      const before = await p.renders();
      await p.send({ type: 'trials', trials: trials.slice(i, i + 100) });
      await p.rendered(before + 1);
      times.push(Number(await p.page.evaluate(() => document.body.dataset['drawMs'])));
    }
    expect(await drawnFront(p)).toEqual(pairwiseFront(trials, 'macs', 'accuracy'));
    const fullDraws = await p.page.evaluate(() => (globalThis as unknown as Hook).nasDashboard.fullDraws());
    // Most updates draw only their new points: the cloud is redrawn when its domain grows.
    expect(fullDraws).toBeLessThan(times.length / 2);
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `dashboard: ${times.length} updates of 100 trials up to 10,000: median ${sorted[sorted.length >> 1]} ms, max ${sorted[sorted.length - 1]} ms, ${fullDraws} full redraws`,
    );
    await p.page.screenshot({ path: path.join(SHOTS, 'dashboard-10k.png') });
    expect(p.errors).toEqual([]);
    await p.page.close();
  });
});
