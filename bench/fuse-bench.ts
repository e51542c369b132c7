/**
 * Fusion speed: inference of RepVGG-A0 (examples/repvgg_a0.nas, 224x224) in its multi-branch
 * training form against its fused deployment form, at batch 1 and 8, on the engine's fastest
 * backend (the backend ladder's pick), both forms alternately in one process: `nas bench fuse`
 * (src/core/reparam/inference-bench.ts) swaps their order from pair to pair and reports each
 * pair's ratio and the medians. Target (issue 17): the fused form at least 1.3x faster.
 * Prints figures; never fails on speed.
 *
 *   node --import tsx bench/fuse-bench.ts [--batches 1,8] [--pairs 7] [--file examples/repvgg_a0.nas] [--json]
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchFuseJson } from '../src/cli/json-types';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TARGET_SPEEDUP = 1.3;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const file = arg('--file', 'examples/repvgg_a0.nas');
const batches = arg('--batches', '1,8').split(',').map(Number);
const pairs = arg('--pairs', '7');
const rows: BenchFuseJson[] = [];
for (const batch of batches) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/nas.cjs'), 'bench', 'fuse', file, '--batch', String(batch), '--pairs', pairs, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    process.stderr.write(`fuse-bench: nas bench fuse exited with ${r.status}: ${r.stderr}\n`);
    process.exit(1);
  }
  rows.push(JSON.parse(r.stdout) as BenchFuseJson);
}
if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(rows) + '\n');
else {
  const f = (v: number) => v.toFixed(1).padStart(8);
  console.log(`\nFusion: ${rows[0]?.network} multi-branch vs fused (${rows[0]?.backend}), one forward pass each, alternating pairs`);
  for (const row of rows) {
    console.log(`  batch ${row.batch}:       multi-branch ms    fused ms   speedup  (CPU time)`);
    row.pairs.forEach((p, i) =>
      console.log(
        `    pair ${i + 1} ${p.unfusedFirst ? '(m-b first)' : '(fused 1st)'} ${f(p.unfusedMs)}     ${f(p.fusedMs)}   ${p.speedup.toFixed(3)}x  (${p.cpuSpeedup.toFixed(3)}x)`,
      ),
    );
    const met = row.speedup >= TARGET_SPEEDUP ? 'met' : 'NOT met';
    console.log(
      `    median              ${f(row.unfusedMs)}     ${f(row.fusedMs)}   ${row.speedup.toFixed(3)}x  (${row.cpuSpeedup.toFixed(3)}x)   target ${TARGET_SPEEDUP}x: ${met}`,
    );
  }
}
