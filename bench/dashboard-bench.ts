/**
 * The search dashboard's speed in headless Chromium (playwright-core, /usr/bin/chromium), the
 * page under its real Content Security Policy: a real benchmark-evaluated run of 10,000 trials
 * (`nas search` NB201ParetoRandom on the NAS-Bench-201 table) is shown with 9,000 trials, then
 * its last 1,000 stream in one `trials` message each, as a live run sends them. Printed: the
 * time each update takes to draw (scatter, front, history, summary, and the table when it is
 * due), median, 95th percentile and worst, against the target of 16 ms (one frame at 60 Hz).
 * Run: `npm run build && node --import tsx bench/dashboard-bench.ts`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRun } from '../src/extension/search/run-store.js';
import { startDashboardHarness } from '../test/webview/dashboard-harness.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const TARGET_MS = 16;

const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nas-dashboard-bench-')), 'NB201ParetoRandom-1');
const r = spawnSync(
  process.execPath,
  [path.join(ROOT, 'bin/nas.cjs'), 'search', 'examples/nb201_search.nas', '--search', 'NB201ParetoRandom', '--budget', '10000', '--out', dir, '--quiet'],
  {
    cwd: ROOT,
    encoding: 'utf8',
  },
);
if (r.status !== 0) throw new Error(`nas search failed: ${r.stderr}`);
const run = readRun(dir);
const harness = await startDashboardHarness();
try {
  const p = await harness.open('dark');
  const head = run.trials.slice(0, 9_000);
  await p.send({ type: 'run', info: { dir, name: run.name, manifest: run.manifest, status: 'running' }, trials: head });
  await p.rendered(1);
  const times: number[] = [];
  for (const t of run.trials.slice(9_000)) {
    const before = await p.renders();
    await p.send({ type: 'trials', trials: [t] });
    await p.rendered(before + 1);
    times.push(
      Number(
        await p.page.evaluate(() => (globalThis as unknown as { document: { body: { dataset: Record<string, string> } } }).document.body.dataset['drawMs']),
      ),
    );
  }
  times.sort((a, b) => a - b);
  const q = (f: number) => times[Math.min(times.length - 1, Math.floor(f * times.length))]!;
  const median = q(0.5);
  console.log(
    `dashboard: ${times.length} live updates at 9,001-10,000 trials: median ${median.toFixed(2)} ms, p95 ${q(0.95).toFixed(2)} ms, max ${q(1).toFixed(2)} ms (target ${TARGET_MS} ms per update: ${median < TARGET_MS ? 'met' : 'NOT met'} at the median)`,
  );
  await p.page.close();
} finally {
  await harness.close();
}
