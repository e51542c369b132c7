/**
 * Training engine vs PyTorch, in alternating pairs: for each reference network (built by the
 * model builder from .nas text on our side, by torch.nn in bench/peers/torch_train_peer.py on
 * the other), run the engine and the peer one right after the other, each in a fresh process,
 * the order swapped from pair to pair (so a machine that slows down or speeds up over a pair
 * does not favour one side), at least three pairs per network. Prints each pair's images/s
 * and peak resident memory on both sides with their ratios, then the medians. A script that
 * prints figures, not a timed test: these machines are shared and noisy.
 *
 *   node --import tsx bench/train-bench.ts [--nets small,nb201,mbconv] [--pairs 3] [--batch 64]
 *        [--steps N] [--backend wasm] [--json]
 *
 * The peer needs Debian's python3-torch (`apt-get install -y python3-torch`) and runs as
 * /usr/bin/python3 with one thread, as the engine (tfjs-wasm in Node is single-threaded).
 *
 * Both sides are measured in wall-clock images/s (what the peer prints) and in images per
 * CPU-second of the timed steps: on a shared machine (load averages of 10 on 2 cores are
 * common here) wall-clock throughput swings with the neighbours, CPU time much less. The
 * engine reads its own CPU time; the peer runs inside a small Python wrapper that records the
 * process CPU time at each of the peer's two `time.perf_counter()` calls (start and end of the
 * timed steps), and reads the peak RSS. Peak memory: each side's whole process.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBackendName, REFERENCE_NET_NAMES, isReferenceNetName, type BackendName, type ReferenceNetName } from '../src/core/train/names';
import type { TrainBenchMeasurement } from '../src/core/train/benchmark';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PEER = path.join(ROOT, 'bench', 'peers', 'torch_train_peer.py');
const ENGINE = path.join(ROOT, 'bench', 'train-engine-run.ts');
const PYTHON = '/usr/bin/python3';
/** The target: the engine at least half of PyTorch's images/s. */
export const TARGET_RATIO = 0.5;
/** Timed steps per run by default: nb201 takes ~4 s a step at batch 64. */
const DEFAULT_STEPS: Record<ReferenceNetName, number> = { small: 30, nb201: 8, mbconv: 20 };

export interface Side {
  images_per_s: number;
  cpu_images_per_s: number;
  max_rss_mb: number;
  params: number;
  engine: string;
}
export interface Pair {
  net: ReferenceNetName;
  engineFirst: boolean;
  engine: Side;
  peer: Side;
  speedRatio: number;
  cpuRatio: number;
  memoryRatio: number;
}

/** Runs the peer (argv[1:]) in this process; reports the CPU seconds of its timed steps and the peak RSS (kB). */
const PEER_WRAPPER = [
  'import resource, runpy, sys, time',
  'cpu, wall = [], time.perf_counter',
  'def timed():',
  '    cpu.append(time.process_time())',
  '    return wall()',
  'time.perf_counter = timed',
  'sys.argv = sys.argv[1:]',
  "runpy.run_path(sys.argv[0], run_name='__main__')",
  'print("cpu_seconds", cpu[-1] - cpu[-2], "max_rss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)',
].join('\n');

function runPeer(net: ReferenceNetName, batch: number, steps: number): Side {
  const r = spawnSync(PYTHON, ['-c', PEER_WRAPPER, PEER, '--net', net, '--batch', String(batch), '--threads', '1', '--steps', String(steps), '--json'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    const why = /No module named 'torch'/.test(r.stderr)
      ? 'PyTorch missing (apt-get install -y python3-torch)'
      : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
    throw new Error(`peer: ${why}`);
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { images_per_s: number; params: number; engine: string };
  const m = /cpu_seconds ([0-9.eE+-]+) max_rss_kb (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`peer: no CPU time or RSS reported (${r.stderr.trim().split('\n').pop()})`);
  return {
    images_per_s: out.images_per_s,
    cpu_images_per_s: (batch * steps) / Number(m[1]),
    max_rss_mb: Number(m[2]) / 1024,
    params: out.params,
    engine: out.engine,
  };
}

function runEngine(net: ReferenceNetName, batch: number, steps: number, backend: BackendName): Side {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ENGINE, net, String(batch), String(steps), backend], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`engine: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  const m = JSON.parse(r.stdout.trim().split('\n').pop()!) as TrainBenchMeasurement;
  return { images_per_s: m.images_per_s, cpu_images_per_s: m.cpu_images_per_s, max_rss_mb: m.max_rss_mb, params: m.params, engine: `${m.engine} ${m.backend}` };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function runPairs(opts: {
  nets: ReferenceNetName[];
  pairs: number;
  batch: number;
  steps?: number;
  backend: BackendName;
  log: (l: string) => void;
}): Pair[] {
  if (!fs.existsSync(PEER)) throw new Error(`peer not found at ${PEER}`);
  if (!fs.existsSync(PYTHON)) throw new Error(`${PYTHON} not found (apt-get install -y python3-torch)`);
  const out: Pair[] = [];
  for (const net of opts.nets) {
    const steps = opts.steps ?? DEFAULT_STEPS[net];
    for (let i = 0; i < opts.pairs; i++) {
      const engineFirst = i % 2 === 0;
      let engine: Side, peer: Side;
      if (engineFirst) {
        engine = runEngine(net, opts.batch, steps, opts.backend);
        peer = runPeer(net, opts.batch, steps);
      } else {
        peer = runPeer(net, opts.batch, steps);
        engine = runEngine(net, opts.batch, steps, opts.backend);
      }
      if (engine.params !== peer.params) throw new Error(`${net}: ${engine.params} parameters on the engine, ${peer.params} on the peer`);
      const pair = {
        net,
        engineFirst,
        engine,
        peer,
        speedRatio: engine.images_per_s / peer.images_per_s,
        cpuRatio: engine.cpu_images_per_s / peer.cpu_images_per_s,
        memoryRatio: engine.max_rss_mb / peer.max_rss_mb,
      };
      out.push(pair);
      opts.log(formatPair(pair, i + 1));
    }
  }
  return out;
}

function formatPair(p: Pair, k: number): string {
  const order = p.engineFirst ? 'engine first' : 'peer first';
  const side = (s: Side) => `${s.images_per_s.toFixed(1)} img/s (${s.cpu_images_per_s.toFixed(1)} per CPU-s) ${s.max_rss_mb.toFixed(0)} MB`;
  return `${p.net} pair ${k} (${order}): engine ${side(p.engine)}, pytorch ${side(p.peer)}: speed ${p.speedRatio.toFixed(2)}x (per CPU-s ${p.cpuRatio.toFixed(2)}x), memory ${p.memoryRatio.toFixed(2)}x`;
}

export function formatSummary(pairs: readonly Pair[]): string {
  const head = [
    'net',
    'pairs',
    'params',
    'speed ratios (engine/pytorch)',
    'median',
    `≥ ${TARGET_RATIO}x`,
    'per CPU-s ratios',
    'median',
    'memory ratios',
    'median',
  ];
  const nets = [...new Set(pairs.map((p) => p.net))];
  const body = nets.map((net) => {
    const ps = pairs.filter((p) => p.net === net);
    const speed = median(ps.map((p) => p.speedRatio));
    return [
      net,
      String(ps.length),
      String(ps[0]!.engine.params),
      ps.map((p) => p.speedRatio.toFixed(2)).join(' '),
      `${speed.toFixed(2)}x`,
      speed >= TARGET_RATIO ? 'yes' : 'no',
      ps.map((p) => p.cpuRatio.toFixed(2)).join(' '),
      `${median(ps.map((p) => p.cpuRatio)).toFixed(2)}x`,
      ps.map((p) => p.memoryRatio.toFixed(2)).join(' '),
      `${median(ps.map((p) => p.memoryRatio)).toFixed(2)}x`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [head, ...body].map((cols) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

function main(argv: string[]): number {
  const arg = (name: string, dflt: string | undefined): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
  };
  const nets = arg('--nets', REFERENCE_NET_NAMES.join(','))!.split(',');
  const backend = arg('--backend', 'wasm')!;
  const pairs = Number(arg('--pairs', '3'));
  const steps = arg('--steps', undefined);
  if (!nets.every(isReferenceNetName) || !isBackendName(backend) || !(Number.isInteger(pairs) && pairs >= 3)) {
    process.stderr.write(`usage: train-bench [--nets ${REFERENCE_NET_NAMES.join(',')}] [--pairs N ≥ 3] [--steps N] [--batch N] [--backend NAME] [--json]\n`);
    return 2;
  }
  const rows = runPairs({
    nets: nets as ReferenceNetName[],
    pairs,
    batch: Number(arg('--batch', '64')),
    steps: steps === undefined ? undefined : Number(steps),
    backend,
    log: (l) => process.stderr.write(l + '\n'),
  });
  process.stdout.write((argv.includes('--json') ? JSON.stringify(rows) : formatSummary(rows)) + '\n');
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`train-bench: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
