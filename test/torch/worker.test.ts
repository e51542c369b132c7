/**
 * The PyTorch worker (python/nas_torch_worker.py) run on the CPU with Debian's python3-torch:
 *
 * - its batches are the training engine's: the same shuffle, crop and flip draws and the same
 *   normalisation, image for image (the worker's own functions, imported by Python, against
 *   streamBatches);
 * - the protocol: ready (versions, device), started / progress / epoch / saved / done;
 * - faults: a model that does not build, a data pack that cannot be read, a cancel, a worker
 *   killed mid-job, a job past its timeout, a Python without torch; the worker answers the next
 *   request after every failed job.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShapes10, streamBatches, type TrainingData } from '../../src/core/train/data';
import { computeChannelStats } from '../../src/core/train/data/pipeline';
import { findTorchPython, torchSlots, TorchUnavailableError, TorchWorker, TorchWorkerPool, writeDataPack } from '../../src/core/torch';
import type { TorchTrainRequest, TorchWorkerEvent } from '../../src/protocol/torch-worker';
import { makeTempDir } from '../train-data/helpers';
import { build } from '../helpers/nas';
import { elaborate } from '../../src/core/semantics/evaluator';
import { exportPytorch } from '../../src/core/export/pytorch';

const PYTHON = '/usr/bin/python3';
const ROOT = join(__dirname, '..', '..');

/** The network the jobs train, as `nas export --to pytorch` writes it (16x16 RGB, 10 classes). */
const TINY_NAS = `network Tiny {
  input(3, 16, 16)
  conv(8, k=3, stride=2) -> bn -> relu
  gap -> fc(10)
}`;
let TINY_MODEL: string;

let tmp: { dir: string; cleanup: () => void };
let data: TrainingData;
let pack: ReturnType<typeof writeDataPack>;
beforeAll(async () => {
  const built = await build(TINY_NAS);
  TINY_MODEL = exportPytorch(elaborate(built.def('Tiny')), built.def('Tiny')).code;
  tmp = makeTempDir('torch-worker');
  const train = createShapes10({ length: 96, seed: 3, size: 16 });
  const val = createShapes10({ length: 40, seed: 4, size: 16 });
  data = { train, val, stats: computeChannelStats(train) };
  pack = writeDataPack(join(tmp.dir, 'pack.safetensors'), data);
});
afterAll(() => tmp.cleanup());

function job(options: Partial<TorchTrainRequest['options']> = {}, model?: string): Omit<TorchTrainRequest, 'type' | 'id'> {
  return {
    model: { code: model ?? TINY_MODEL, name: 'tiny' },
    data: pack,
    options: {
      epochs: 2,
      batch: 16,
      lr: 0.05,
      momentum: 0.9,
      weight_decay: 5e-4,
      label_smoothing: 0,
      warmup_epochs: 0,
      seed: 1,
      device: 'cpu',
      threads: 1,
      ...options,
    },
  };
}

function runPython(code: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(PYTHON, ['-c', code], { cwd: ROOT });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (c) => (c === 0 ? resolve(out) : reject(new Error(err))));
  });
}

describe('the worker trains on the batches the training engine makes', () => {
  it('shuffle, random crop, flip and normalisation equal streamBatches, image for image (epochs 1 and 2)', async () => {
    const augment = { cropPadding: 2, horizontalFlip: true };
    const batch = 16;
    const py = await runPython(`
import json, sys, torch
sys.path.insert(0, 'python')
import nas_torch_worker as w
spec = ${JSON.stringify({ path: pack.path, mean: pack.mean, std: pack.std })}
train = w.open_pack(spec, torch.device('cpu'))['train']
stats = {"scale": torch.tensor([1 / (255 * s) for s in spec["std"]], dtype=torch.float64),
         "bias": torch.tensor([-m / s for m, s in zip(spec["mean"], spec["std"])], dtype=torch.float64)}
aug = {"crop_padding": 2, "horizontal_flip": True}
out = []
for epoch in (1, 2):
    order = w.shuffled_indices(len(train), w.Mulberry32(w.mix_seed(7, epoch, 0x5AF1E)))
    steps = len(train) // ${batch}
    draws = w.epoch_draws(7, epoch, steps * ${batch}, aug)
    for b in range(steps):
        d = tuple(t[b * ${batch}:(b + 1) * ${batch}] for t in draws)
        x, y = w.make_batch(train, order, b * ${batch}, ${batch}, stats, aug, d, torch.device('cpu'), False, True)
        out.append({"x": x.permute(0, 2, 3, 1).reshape(-1).tolist(), "y": y.tolist()})
print(json.dumps(out))
`);
    const worker = JSON.parse(py) as { x: number[]; y: number[] }[];
    const ours: { x: Float32Array; y: number[] }[] = [];
    for (const epoch of [1, 2]) {
      for await (const b of streamBatches(data.train, { batchSize: batch, stats: data.stats, shuffle: true, seed: 7, epoch, augment, dropLast: true })) {
        ours.push({ x: b.x, y: [...b.labels] });
      }
    }
    expect(worker.length).toBe(ours.length);
    expect(ours.length).toBe(12);
    let maxDiff = 0;
    for (let i = 0; i < ours.length; i++) {
      expect(worker[i]!.y).toEqual(ours[i]!.y);
      expect(worker[i]!.x.length).toBe(ours[i]!.x.length);
      for (let k = 0; k < ours[i]!.x.length; k++) maxDiff = Math.max(maxDiff, Math.abs(worker[i]!.x[k]! - ours[i]!.x[k]!));
    }
    expect(maxDiff).toBeLessThan(1e-5);
  });
});

describe('the worker protocol', () => {
  let worker: TorchWorker;
  beforeAll(() => {
    worker = new TorchWorker(PYTHON);
  });
  afterAll(() => worker.close());

  it('says its versions and device, trains with events in order, and saves a checkpoint per epoch', async () => {
    const ready = await worker.hello();
    expect(ready.type).toBe('ready');
    if (ready.type !== 'ready') return;
    expect(ready.device).toBe('cpu');
    expect(ready.torch).toMatch(/^\d+\.\d+/);
    const events: TorchWorkerEvent[] = [];
    const save = join(tmp.dir, 'tiny.safetensors');
    const end = await worker.train({ ...job(), save: save }, { onEvent: (e) => events.push(e) });
    expect(end.type).toBe('done');
    const types = events.map((e) => e.type).filter((t) => t !== 'progress');
    expect(types).toEqual(['started', 'epoch', 'saved', 'epoch', 'saved', 'done']);
    const started = events[0]!;
    if (started.type !== 'started') throw new Error('no started event');
    expect(started.params).toBe(3 * 8 * 9 + 16 + 8 * 10 + 10);
    expect(started.steps_per_epoch).toBe(6);
    expect(started.device_name).toMatch(/CPU/);
    const epochs = events.filter((e) => e.type === 'epoch');
    for (const e of epochs) {
      if (e.type !== 'epoch') continue;
      expect(e.val_acc).toBeGreaterThanOrEqual(0);
      expect(e.val_acc).toBeLessThanOrEqual(1);
      expect(Number.isFinite(e.train_loss)).toBe(true);
    }
    expect(events.filter((e) => e.type === 'progress').length).toBeGreaterThanOrEqual(2);
    expect(existsSync(save)).toBe(true);
  });

  it('a model that does not build fails its job with kind build, and the worker answers the next request', async () => {
    const broken = TINY_MODEL.replace(/(class Tiny\(nn\.Module\):\n(?:.*\n)*? {4}def __init__\(self\):\n)/, '$1        raise RuntimeError("no such layer")\n');
    expect(broken).not.toBe(TINY_MODEL);
    const end = await worker.train(job({}, broken));
    expect(end).toMatchObject({ type: 'error', kind: 'build' });
    if (end.type === 'error') expect(end.message).toMatch(/no such layer/);
    expect((await worker.hello()).type).toBe('ready');
  });

  it('an unreadable data pack fails with kind data; an exploding learning rate with kind diverged', async () => {
    const missing = await worker.train({ ...job(), data: { ...pack, path: join(tmp.dir, 'nope.safetensors') } });
    expect(missing).toMatchObject({ type: 'error', kind: 'data' });
    const diverged = await worker.train(job({ lr: 1e30, epochs: 1 }));
    expect(diverged).toMatchObject({ type: 'error', kind: 'diverged' });
    expect((await worker.train(job({ epochs: 1 }))).type).toBe('done');
  });

  it('cancel stops the job between batches and reports the completed epochs', async () => {
    const ctrl = new AbortController();
    let batches = 0;
    const end = await worker.train(job({ epochs: 50, progress_interval: 0 }), {
      signal: ctrl.signal,
      onEvent(e) {
        if (e.type === 'progress' && ++batches === 3) ctrl.abort();
      },
    });
    expect(end.type).toBe('cancelled');
    if (end.type === 'cancelled') expect(end.completed_epochs).toBeLessThan(50);
    expect((await worker.hello()).type).toBe('ready');
  });
});

describe('a worker that dies, hangs or has no torch', () => {
  it('a worker killed mid-job ends the job with an error naming the exit', async () => {
    const w = new TorchWorker(PYTHON);
    const end = await w.train(job({ epochs: 50, progress_interval: 0 }), {
      onEvent(e) {
        if (e.type === 'progress') process.kill(w.pid!, 'SIGKILL');
      },
    });
    expect(end).toMatchObject({ type: 'error', kind: 'internal' });
    if (end.type === 'error') expect(end.message).toMatch(/exited \(SIGKILL\)/);
    expect((await w.hello()).type).toBe('error');
  });

  it('a job past its timeout fails and its worker is stopped', async () => {
    const w = new TorchWorker(PYTHON);
    const hang = TINY_MODEL.replace(/( {4}def forward\(self, x\):\n)/, '$1        import time; time.sleep(3600)\n');
    expect(hang).not.toBe(TINY_MODEL);
    const end = await w.train(job({ epochs: 1 }, hang), { timeoutMs: 4000 });
    expect(end).toMatchObject({ type: 'error' });
    if (end.type === 'error') expect(end.message).toMatch(/timeout/);
    expect((await w.hello()).type).toBe('error');
  });

  it('a Python without torch: findTorchPython says what to install, the worker says missing-torch', async () => {
    // python3 -S leaves out site-packages (where Debian's python3-torch lives): a Python without torch.
    const bare = join(tmp.dir, 'python-without-torch');
    writeFileSync(bare, `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`);
    chmodSync(bare, 0o755);
    expect(() => findTorchPython(bare)).toThrow(TorchUnavailableError);
    expect(() => findTorchPython(bare)).toThrow(/has no torch.*apt-get install python3-torch/);
    expect(findTorchPython(PYTHON).torch).toMatch(/^\d+\.\d+/);
    const w = new TorchWorker(bare);
    const ready = await w.hello();
    expect(ready).toMatchObject({ type: 'error', kind: 'missing-torch' });
    await w.close();
  });
});

describe('a pool of workers (several candidates at once)', () => {
  it('runs jobs two at a time on two slots; a job that kills its worker fails alone and the slot gets a fresh worker', async () => {
    expect(torchSlots([0, 1], 2).map((s) => `${s.device}:${s.cuda_index}`)).toEqual(['cuda:0', 'cuda:0', 'cuda:1', 'cuda:1']);
    const pool = new TorchWorkerPool(PYTHON, torchSlots([], 2));
    const crash = TINY_MODEL.replace(/( {4}def forward\(self, x\):\n)/, '$1        import os; os._exit(7)\n');
    let running = 0;
    let most = 0;
    const onEvent = (e: TorchWorkerEvent) => {
      if (e.type === 'started') most = Math.max(most, ++running);
      if (e.type === 'epoch' || e.type === 'error') running--;
    };
    try {
      const ends = await Promise.all([0, 1, 2, 3, 4].map((i) => pool.run(job({ epochs: 1 }, i === 1 ? crash : undefined), { onEvent })));
      expect(ends.map((e) => e.type)).toEqual(['done', 'error', 'done', 'done', 'done']);
      const crashed = ends[1]!;
      if (crashed.type === 'error') expect(crashed.message).toMatch(/exited \(status 7\)/);
      expect(most).toBeLessThanOrEqual(2);
      expect(new Set(ends.map((e) => e.slot))).toEqual(new Set([0, 1]));
    } finally {
      await pool.close();
    }
  });
});
