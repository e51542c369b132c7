/**
 * The PyTorch engine against plain PyTorch: the worker (python/nas_torch_worker.py) trains the
 * three reference networks, exported from .nas text (src/core/train/reference-nets-nas.ts) by
 * `nas export --to pytorch`'s exporter, and bench/peers/torch_train_peer.py trains the same
 * networks written by hand in torch.nn. Same batch, same thread count, same number of timed
 * steps after two untimed ones, each side in a fresh process, in alternating pairs; each
 * pair's ratio (worker / peer images per second) and the median are printed. The worker's
 * overhead is what it does beyond the peer: a real data path (a gather from the data pack,
 * normalisation, an NCHW copy), the shuffle, the learning-rate schedule, loss and accuracy
 * bookkeeping, and the module structure of the exported file. Target: ratio ≥ 0.9, judged
 * per CPU-second of the timed steps (each side's process CPU time; wall time is printed too,
 * but on a shared machine it swings with the neighbours).
 *
 *   node --import tsx bench/torch-worker-bench.ts [--pairs 3] [--batch 64] [--threads 1] [--nets small,nb201,mbconv]
 *
 * Needs a Python with torch (NAS_PYTHON, else /usr/bin/python3: Debian's python3-torch).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { URI } from 'langium';
import type { Definition, Document } from '../src/core/language/syntax/generated/ast.js';
import { NasWorkspace } from '../src/core/workspace.js';
import { elaborate } from '../src/core/semantics/evaluator/index.js';
import { exportPytorch } from '../src/core/export/pytorch/index.js';
import { TorchWorker } from '../src/core/torch/index.js';
import { REFERENCE_NETS_SOURCE } from '../src/core/train/reference-nets-nas.js';
import { writeSafetensorsFile } from '../src/core/train/safetensors.js';
import { Rng } from '../src/core/util/random.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const PEER = path.join(ROOT, 'bench', 'peers', 'torch_train_peer.py');
const PYTHON = process.env['NAS_PYTHON'] ?? '/usr/bin/python3';
const SCRIPT = path.join(ROOT, 'python', 'nas_torch_worker.py');
const STEPS: Record<string, number> = { small: 60, nb201: 10, mbconv: 30 };
const TARGET = 0.9;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const pairs = Number(arg('pairs', '3'));
const batch = Number(arg('batch', '64'));
const threads = Number(arg('threads', '1'));
const nets = arg('nets', 'small,nb201,mbconv').split(',');

async function exportedNets(): Promise<Map<string, { code: string; params: number }>> {
  const ws = new NasWorkspace();
  const doc = await ws.addText(REFERENCE_NETS_SOURCE, URI.parse('builtin:/reference-nets.nas'));
  const out = new Map<string, { code: string; params: number }>();
  for (const e of (doc.parseResult.value as Document).elements) {
    if (e.$type !== 'Definition' || e.kind !== 'network') continue;
    const def = e as Definition;
    const x = exportPytorch(elaborate(def), def);
    out.set(def.name, { code: x.code, params: x.params });
  }
  return out;
}

/** Random 32x32 RGB images and labels: the peer trains on random data too. */
function writePack(file: string, train: number): void {
  const rng = new Rng(1);
  const split = (n: number) => {
    const x = new Uint8Array(n * 32 * 32 * 3);
    for (let i = 0; i < x.length; i++) x[i] = Math.floor(rng.next() * 256);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) y[i] = Math.floor(rng.next() * 10);
    return { x, y };
  };
  const t = split(train);
  const v = split(batch);
  writeSafetensorsFile(
    file,
    new Map([
      ['train.x', { dtype: 'U8', shape: [train, 32, 32, 3], data: t.x }],
      ['train.y', { dtype: 'I32', shape: [train], data: t.y }],
      ['val.x', { dtype: 'U8', shape: [batch, 32, 32, 3], data: v.x }],
      ['val.y', { dtype: 'I32', shape: [batch], data: v.y }],
    ]),
  );
}

interface Side {
  ips: number;
  /** Images per CPU-second of the timed steps (the machine is shared: wall time swings with the neighbours). */
  cpu: number;
  params: number;
}

async function runWorker(code: string, net: string, pack: string): Promise<Side> {
  const worker = new TorchWorker(PYTHON, (l) => process.stderr.write(`worker: ${l}\n`), SCRIPT);
  let params = 0;
  let ips = 0;
  let cpu = 0;
  try {
    const end = await worker.train(
      {
        model: { code, name: net },
        data: { path: pack, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
        options: {
          epochs: 1,
          batch,
          lr: 0.01,
          momentum: 0.9,
          weight_decay: 0,
          label_smoothing: 0,
          warmup_epochs: 0,
          seed: 0,
          device: 'cpu',
          threads,
          untimed_steps: 2,
        },
      },
      {
        onEvent(e) {
          if (e.type === 'started') params = e.params;
          if (e.type === 'epoch') {
            ips = e.images_per_s;
            cpu = e.cpu_images_per_s;
          }
        },
      },
    );
    if (end.type !== 'done') throw new Error(`worker ${net}: ${end.type === 'error' ? end.message : end.type}`);
  } finally {
    await worker.close();
  }
  return { ips, cpu, params };
}

/** Runs the peer (argv[1:]) and reports the process CPU time between its two perf_counter() calls (train-bench.ts does the same). */
const PEER_WRAPPER = [
  'import runpy, sys, time',
  'cpu, wall = [], time.perf_counter',
  'def timed():',
  '    cpu.append(time.process_time())',
  '    return wall()',
  'time.perf_counter = timed',
  'sys.argv = sys.argv[1:]',
  "runpy.run_path(sys.argv[0], run_name='__main__')",
  'print("cpu_seconds", cpu[-1] - cpu[-2], file=sys.stderr)',
].join('\n');

function runPeer(net: string, steps: number): Side {
  const r = spawnSync(
    PYTHON,
    ['-c', PEER_WRAPPER, PEER, '--net', net, '--batch', String(batch), '--threads', String(threads), '--steps', String(steps), '--json'],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`peer ${net}: ${r.stderr.trim().split('\n').pop()}`);
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { images_per_s: number; params: number };
  const m = /cpu_seconds ([0-9.eE+-]+)/.exec(r.stderr);
  if (!m) throw new Error(`peer ${net}: no CPU time reported`);
  return { ips: o.images_per_s, cpu: (batch * steps) / Number(m[1]), params: o.params };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  const exported = await exportedNets();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-torch-bench-'));
  console.log(`torch worker vs torch_train_peer.py (${PYTHON}, batch ${batch}, ${threads} thread(s), ${os.cpus().length} CPUs: ${os.cpus()[0]?.model ?? '?'})`);
  const rows: string[] = [];
  try {
    for (const net of nets) {
      const x = exported.get(net);
      if (!x) throw new Error(`no reference network ${net}`);
      const steps = STEPS[net] ?? 20;
      const pack = path.join(dir, `${net}.safetensors`);
      writePack(pack, (steps + 2) * batch);
      const ratios: number[] = [];
      const cpuRatios: number[] = [];
      for (let i = 0; i < pairs; i++) {
        const workerFirst = i % 2 === 0;
        let w, p;
        if (workerFirst) {
          w = await runWorker(x.code, net, pack);
          p = runPeer(net, steps);
        } else {
          p = runPeer(net, steps);
          w = await runWorker(x.code, net, pack);
        }
        if (w.params !== p.params) throw new Error(`${net}: ${w.params} parameters in the worker, ${p.params} in the peer`);
        ratios.push(w.ips / p.ips);
        cpuRatios.push(w.cpu / p.cpu);
        console.log(
          `${net} pair ${i + 1} (${workerFirst ? 'worker first' : 'peer first'}): worker ${w.ips.toFixed(1)} img/s (${w.cpu.toFixed(1)} per CPU-s), peer ${p.ips.toFixed(1)} img/s (${p.cpu.toFixed(1)} per CPU-s): ratio ${(w.ips / p.ips).toFixed(3)} (per CPU-s ${(w.cpu / p.cpu).toFixed(3)})`,
        );
      }
      const m = median(cpuRatios);
      rows.push(
        `| ${net} | ${x.params} | ${ratios.map((r) => r.toFixed(2)).join(' ')} | ${median(ratios).toFixed(2)} | ${cpuRatios.map((r) => r.toFixed(2)).join(' ')} | ${m.toFixed(2)} | ${m >= TARGET ? 'yes' : 'no'} |`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\n| net | params | wall ratios (worker / peer) | median | per CPU-s ratios | median | ≥ ${TARGET} (per CPU-s) |\n| --- | --- | --- | --- | --- | --- | --- |\n${rows.join('\n')}`,
  );
}

await main();
