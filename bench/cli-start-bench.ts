/**
 * The start of a short `nas` command (bin/nas.cjs): `nas check examples/nb201.nas` and
 * `nas --version`, each with V8's code cache of the bundle (the default once one run has stored
 * it) and without it (NAS_NO_CODE_CACHE=1), in alternating pairs, each run a fresh process.
 * Prints each pair's wall and CPU times (user + system, the child's own, reported at its exit),
 * the ratio and the medians. Run: `npm run build && node --import tsx bench/cli-start-bench.ts`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const PAIRS = Number(process.env['CLI_START_PAIRS'] ?? 7);
const CASES = [['check', 'examples/nb201.nas'], ['--version']];

// Loaded before bin/nas.cjs with `-r`: writes the process's own CPU time to fd 3 as it exits.
const reporter = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nas-cli-start-')), 'cpu.cjs');
fs.writeFileSync(reporter, "process.on('exit', () => { const u = process.cpuUsage(); require('fs').writeSync(3, String((u.user + u.system) / 1000)); });\n");

interface Run {
  wall: number;
  cpu: number;
}

function run(args: string[], cache: boolean): Run {
  const env = { ...process.env };
  if (cache) delete env['NAS_NO_CODE_CACHE'];
  else env['NAS_NO_CODE_CACHE'] = '1';
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['-r', reporter, path.join(ROOT, 'bin/nas.cjs'), ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`nas ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return { wall, cpu: Number(r.output[3]) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${x.toFixed(0)} ms`;

console.log(`nas start: code cache vs none, ${PAIRS} alternating pairs (load average ${os.loadavg()[0]!.toFixed(2)})`);
for (const args of CASES) {
  run(args, true); // stores the cache if there is none yet
  const ratios: number[] = [];
  const cached: Run[] = [];
  const plain: Run[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const first = i % 2 === 0;
    const a = first ? run(args, true) : undefined;
    const b = run(args, false);
    const c = a ?? run(args, true);
    cached.push(c);
    plain.push(b);
    ratios.push(b.cpu / c.cpu);
    console.log(
      `  nas ${args.join(' ')}  cached ${ms(c.wall)} wall ${ms(c.cpu)} CPU | none ${ms(b.wall)} wall ${ms(b.cpu)} CPU | CPU ratio ${(b.cpu / c.cpu).toFixed(2)}`,
    );
  }
  console.log(
    `nas ${args.join(' ')}: median cached ${ms(median(cached.map((r) => r.wall)))} wall ${ms(median(cached.map((r) => r.cpu)))} CPU, ` +
      `none ${ms(median(plain.map((r) => r.wall)))} wall ${ms(median(plain.map((r) => r.cpu)))} CPU, CPU ratio median ${median(ratios).toFixed(2)}`,
  );
}
console.log(`load average at the end ${os.loadavg()[0]!.toFixed(2)}`);
