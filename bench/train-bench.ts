/**
 * Training engine vs PyTorch, side by side (issue 4): for each reference network, runs the
 * PyTorch peer (shared/peers/torch_train_peer.py) and the engine with the same batch (64)
 * and one thread, one right after the other so both see the same machine load, and prints
 * both images/s and the ratio. A script that prints figures, not a timed test: these
 * machines are shared and noisy.
 *
 *   node --import tsx bench/train-bench.ts [--nets small,nb201,mbconv] [--steps 20] [--backend wasm] [--json]
 *
 * shared/ is looked up beside the repository (`../shared` from the repository root, which
 * is how CI lays out its clone) unless NAS_SHARED_DIR says otherwise. The peer needs
 * Debian's python3-torch (`apt-get install -y python3-torch`) and runs as /usr/bin/python3.
 *
 * Besides wall-clock images/s (what the peer prints), both sides are also reported in
 * images per CPU-second, which a busy shared machine disturbs far less: the engine reads
 * its own CPU time over the timed steps; the peer's per-step CPU time is the difference of
 * the CPU time of two peer runs with different --steps (children's rusage, read by a
 * three-line Python wrapper), which cancels its start-up (import torch, model build).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBackendName, type BackendName } from '../src/core/train/backend';
import { benchmarkTraining, type TrainBenchMeasurement } from '../src/core/train/benchmark';
import { REFERENCE_NET_NAMES, isReferenceNetName, type ReferenceNetName } from '../src/core/train/reference-nets';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = process.env['NAS_SHARED_DIR'] ?? path.resolve(ROOT, '..', 'shared');
const PEER = path.join(SHARED, 'peers', 'torch_train_peer.py');
const PYTHON = '/usr/bin/python3';
/** The target: the wasm path at least half of PyTorch's images/s. */
export const TARGET_RATIO = 0.5;

export interface PeerResult {
  engine: string;
  net: string;
  params: number;
  batch: number;
  threads: number;
  images_per_s: number;
}
export interface SideBySide {
  net: ReferenceNetName;
  engine: TrainBenchMeasurement;
  peer: PeerResult | null;
  peerCpuImagesPerS: number | null;
  peerError?: string;
  ratio: number | null;
  cpuRatio: number | null;
}

/** Runs a child and reports its CPU seconds (user + system, children's rusage). */
const CPU_WRAPPER =
  'import resource, subprocess, sys\nsubprocess.run(sys.argv[1:], check=True)\nr = resource.getrusage(resource.RUSAGE_CHILDREN)\nprint("cpu_seconds", r.ru_utime + r.ru_stime, file=sys.stderr)';

function peerOnce(net: ReferenceNetName, batch: number, threads: number, steps: number): { result?: PeerResult; cpu?: number; error?: string } {
  const r = spawnSync(
    PYTHON,
    ['-c', CPU_WRAPPER, PYTHON, PEER, '--net', net, '--batch', String(batch), '--threads', String(threads), '--steps', String(steps), '--json'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) {
    const why = /No module named 'torch'/.test(r.stderr)
      ? 'PyTorch missing (apt-get install -y python3-torch)'
      : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
    return { error: why };
  }
  const cpu = /cpu_seconds ([0-9.eE+-]+)/.exec(r.stderr);
  return { result: JSON.parse(r.stdout.trim().split('\n').pop()!) as PeerResult, cpu: cpu ? Number(cpu[1]) : undefined };
}

/** Runs the PyTorch peer; null with a reason when it cannot run here. */
export function runPeer(
  net: ReferenceNetName,
  batch: number,
  threads: number,
  steps: number,
): { result: PeerResult | null; cpuImagesPerS: number | null; error?: string } {
  if (!fs.existsSync(PEER)) return { result: null, cpuImagesPerS: null, error: `peer not found at ${PEER} (set NAS_SHARED_DIR)` };
  if (!fs.existsSync(PYTHON)) return { result: null, cpuImagesPerS: null, error: `${PYTHON} not found` };
  const short = Math.max(1, Math.floor(steps / 4));
  const a = peerOnce(net, batch, threads, short);
  if (!a.result) return { result: null, cpuImagesPerS: null, error: a.error };
  const b = peerOnce(net, batch, threads, steps);
  if (!b.result) return { result: null, cpuImagesPerS: null, error: b.error };
  const perStep = a.cpu !== undefined && b.cpu !== undefined && steps > short ? (b.cpu - a.cpu) / (steps - short) : NaN;
  return { result: b.result, cpuImagesPerS: perStep > 0 ? batch / perStep : null };
}

export async function runTrainBench(opts: {
  nets: ReferenceNetName[];
  batch: number;
  threads: number;
  steps: number;
  backend: BackendName;
  log?: (l: string) => void;
}): Promise<SideBySide[]> {
  const rows: SideBySide[] = [];
  for (const net of opts.nets) {
    const peer = runPeer(net, opts.batch, opts.threads, opts.steps);
    const engine = await benchmarkTraining({ net, batch: opts.batch, threads: opts.threads, steps: opts.steps, backend: opts.backend, log: opts.log });
    rows.push({
      net,
      engine,
      peer: peer.result,
      peerCpuImagesPerS: peer.cpuImagesPerS,
      peerError: peer.error,
      ratio: peer.result ? engine.images_per_s / peer.result.images_per_s : null,
      cpuRatio: peer.cpuImagesPerS ? engine.cpu_images_per_s / peer.cpuImagesPerS : null,
    });
  }
  return rows;
}

export function formatTable(rows: SideBySide[]): string {
  const head = [
    'net',
    'params (engine / torch)',
    'engine images/s',
    'pytorch images/s',
    'ratio',
    `≥ ${TARGET_RATIO}x`,
    'per CPU-s: engine',
    'pytorch',
    'ratio',
  ];
  const body = rows.map((r) => [
    r.net,
    `${r.engine.params} / ${r.peer?.params ?? '-'}`,
    `${r.engine.images_per_s.toFixed(1)} (${r.engine.backend})`,
    r.peer ? `${r.peer.images_per_s.toFixed(1)} (${r.peer.engine})` : `- (${r.peerError})`,
    r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
    r.ratio === null ? '-' : r.ratio >= TARGET_RATIO ? 'yes' : 'no',
    r.engine.cpu_images_per_s.toFixed(1),
    r.peerCpuImagesPerS === null ? '-' : r.peerCpuImagesPerS.toFixed(1),
    r.cpuRatio === null ? '-' : `${r.cpuRatio.toFixed(2)}x`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body].map((cols) => cols.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n');
}

async function main(argv: string[]): Promise<number> {
  const arg = (name: string, dflt: string): string => {
    const i = argv.indexOf(name);
    return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
  };
  const nets = arg('--nets', REFERENCE_NET_NAMES.join(',')).split(',');
  const backend = arg('--backend', 'wasm');
  if (!nets.every(isReferenceNetName) || !isBackendName(backend)) {
    process.stderr.write(`usage: train-bench [--nets ${REFERENCE_NET_NAMES.join(',')}] [--steps N] [--batch N] [--backend NAME] [--json]\n`);
    return 2;
  }
  const rows = await runTrainBench({
    nets: nets as ReferenceNetName[],
    batch: Number(arg('--batch', '64')),
    threads: 1,
    steps: Number(arg('--steps', '20')),
    backend,
    log: (l) => process.stderr.write(l + '\n'),
  });
  process.stdout.write((argv.includes('--json') ? JSON.stringify(rows) : formatTable(rows)) + '\n');
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
