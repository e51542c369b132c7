/**
 * The supernet's training time on the two engines: `nas search examples/fashion_search.nas
 * --search FashionSPOS --budget 1` (SPOS on FashionLayers: 2 epochs of 54,000 Fashion-MNIST
 * images, one path per batch of 64, 1,686 steps) with `--engine tfjs` and with `--engine torch
 * --gpus cpu`, each in a fresh process and a fresh cache folder, in alternating pairs. Prints
 * each run's training seconds (the `setup` event of phase `trained`), each pair's ratio
 * (torch / tfjs) and the median, with the load average beside each pair.
 *
 *   node --import tsx bench/supernet-engines-bench.ts [--pairs 3]
 *
 * Needs `npm run build` (it runs bin/nas.cjs), Fashion-MNIST (dataset-fashion-mnist) and a Python
 * with torch (NAS_PYTHON, else /usr/bin/python3).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const PYTHON = process.env['NAS_PYTHON'] ?? '/usr/bin/python3';
const i = process.argv.indexOf('--pairs');
const PAIRS = i > 0 ? Number(process.argv[i + 1]) : 3;

function trainSeconds(engine: 'tfjs' | 'torch'): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `nas-supernet-bench-${engine}-`));
  try {
    const args = ['bin/nas.cjs', 'search', 'examples/fashion_search.nas', '--search', 'FashionSPOS', '--budget', '1', '--engine', engine];
    if (engine === 'torch') args.push('--gpus', 'cpu', '--python', PYTHON);
    args.push('--out', path.join(dir, 'run'), '--json', '--quiet');
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') } });
    if (r.status !== 0) throw new Error(`${engine}: exit ${r.status}: ${r.stderr.slice(-500)}`);
    for (const line of r.stdout.split('\n')) {
      if (!line.startsWith('{"event":"setup"')) continue;
      const e = JSON.parse(line) as { phase: string; seconds: number };
      if (e.phase === 'trained') return e.seconds;
    }
    throw new Error(`${engine}: no setup event of phase trained`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const ratios: number[] = [];
for (let p = 1; p <= PAIRS; p++) {
  // Alternate which engine goes first, so neither always meets the same neighbours.
  const order: ('tfjs' | 'torch')[] = p % 2 ? ['tfjs', 'torch'] : ['torch', 'tfjs'];
  const s: Record<string, number> = {};
  for (const e of order) s[e] = trainSeconds(e);
  const ratio = s['torch']! / s['tfjs']!;
  ratios.push(ratio);
  console.log(
    `supernet training, pair ${p}: tfjs ${s['tfjs']!.toFixed(1)} s, torch ${s['torch']!.toFixed(1)} s, torch/tfjs ${ratio.toFixed(2)} (load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')})`,
  );
}
ratios.sort((a, b) => a - b);
console.log(`supernet training, torch/tfjs time: median ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)} over ${PAIRS} pairs`);
