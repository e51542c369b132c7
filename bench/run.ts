/**
 * `npm run bench`: every benchmark script, one after another, each in its own process so that
 * one's warm-up and memory do not disturb the next. Prints figures; never fails on speed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { bundleBench } from './bundle.js';

const ROOT = path.resolve(import.meta.dirname, '..');
/** `node --import tsx bench/run.ts core` runs only the scripts whose names contain `core`. */
const only = process.argv.slice(2);
const scripts = [
  'bench/core-bench.ts',
  'bench/search-bench.ts',
  'bench/lsp-bench.ts',
  'bench/train-bench.ts',
  'bench/torch-worker-bench.ts',
  'bench/graph-bench.ts',
  'bench/dashboard-bench.ts',
  'bench/fuse-bench.ts',
  'bench/cli-start-bench.ts',
].filter((s) => fs.existsSync(path.join(ROOT, s)) && (only.length === 0 || only.some((o) => s.includes(o))));
/** Run as bundles: they time core code in their own process (bench/bundle.ts says why). */
const BUNDLED = new Set(['bench/core-bench.ts', 'bench/search-bench.ts']);
let failed = 0;
for (const s of scripts) {
  const args = BUNDLED.has(s) ? [await bundleBench(s)] : ['--import', 'tsx', s];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench: ${s} exited with ${r.status}`);
  }
}
if (only.length === 0 && fs.existsSync(path.join(ROOT, 'scripts/bench-activation.mjs'))) {
  const r = spawnSync(process.execPath, ['scripts/bench-activation.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) console.error(`bench: activation benchmark exited with ${r.status} (it needs the e2e setup: scripts/setup-e2e.sh)`);
}
process.exitCode = failed ? 1 : 0;
