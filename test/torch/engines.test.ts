/**
 * `nas train --engine torch` against the tfjs engine, on the CPU with Debian's python3-torch:
 * the same network trained by both on the same Fashion-MNIST images (Xiao et al. 2017; the
 * first 4,000 training and 1,000 test images of the Debian package dataset-fashion-mnist),
 * same options and seed, reaches comparable accuracy (initial weights are drawn from the same
 * distributions, not the same draws); the events are the tfjs engine's; a checkpoint the torch
 * engine saves loads into the tfjs engine's model, which then scores the accuracy the torch
 * engine reported. Refusals of options that do not apply come before any work.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrainCommand } from '../../src/cli/commands/train-run';
import type { TrainCommandOptions } from '../../src/cli/commands/train';
import { resolveNasModel } from '../../src/cli/commands/train-model';
import { selectBackend } from '../../src/core/train/backend';
import { openTrainingData, parseDataSpec } from '../../src/core/train/data';
import { evaluateModel } from '../../src/core/train/loop';
import { buildModel } from '../../src/core/train/model-builder';
import { loadModelWeights } from '../../src/core/train/safetensors';
import type { TrainEventLine } from '../../src/protocol/train-events';
import { makeTempDir } from '../train-data/helpers';

const FMNIST = '/usr/share/datasets/fashion-mnist';
const NET = `network Small {
  input(1, 28, 28)
  conv(16, k=3, stride=2) -> bn -> relu
  conv(32, k=3, stride=2) -> bn -> relu
  gap -> fc(10)
}
`;

let tmp: { dir: string; cleanup: () => void };
let nasFile: string;
beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => undefined });
  tmp = makeTempDir('torch-engines');
  const take = (name: string, n: number, header: number, bytesPer: number) => {
    const all = gunzipSync(readFileSync(join(FMNIST, `${name}.gz`)));
    const out = Buffer.from(all.subarray(0, header + n * bytesPer));
    out.writeUInt32BE(n, 4); // the count
    writeFileSync(join(tmp.dir, name), out);
  };
  take('train-images-idx3-ubyte', 4000, 16, 784);
  take('train-labels-idx1-ubyte', 4000, 8, 1);
  take('t10k-images-idx3-ubyte', 1000, 16, 784);
  take('t10k-labels-idx1-ubyte', 1000, 8, 1);
  nasFile = join(tmp.dir, 'small.nas');
  writeFileSync(nasFile, NET);
});
afterAll(() => tmp.cleanup());

function options(extra: Partial<TrainCommandOptions>): TrainCommandOptions {
  return {
    file: nasFile,
    data: `mnist:${tmp.dir}`,
    testSplit: true,
    epochs: 3,
    batch: 32,
    lr: 0.05,
    momentum: 0.9,
    weightDecay: 5e-4,
    labelSmoothing: 0,
    warmup: 0,
    seed: 1,
    valFraction: 0.1,
    augment: false,
    images: 0,
    json: true,
    ...extra,
  };
}

async function train(extra: Partial<TrainCommandOptions>): Promise<{ code: number; events: TrainEventLine[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTrainCommand(options(extra), { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, events: out.map((l) => JSON.parse(l) as TrainEventLine), err };
}

const lastEpoch = (events: TrainEventLine[]) => events.filter((e) => e.event === 'epoch').at(-1) as Extract<TrainEventLine, { event: 'epoch' }>;

describe('the torch engine and the tfjs engine on Fashion-MNIST', () => {
  it('reach comparable accuracy with the same network, data, options and seed; the checkpoint moves to tfjs', { timeout: 600_000 }, async () => {
    const save = join(tmp.dir, 'torch.safetensors');
    const torch = await train({ engine: 'torch', python: '/usr/bin/python3', device: 'cpu', save });
    expect(torch.err.filter((l) => l.startsWith('nas train:'))).toEqual([]);
    expect(torch.code).toBe(0);
    const tfjs = await train({ engine: 'tfjs' });
    expect(tfjs.code).toBe(0);

    // Same event sequence (progress lines aside), same start fields but the backend.
    const kinds = (ev: TrainEventLine[]) => ev.map((e) => e.event).filter((t) => t !== 'progress' && t !== 'saved');
    expect(kinds(torch.events)).toEqual(kinds(tfjs.events));
    const [ts, fs] = [torch.events[0]!, tfjs.events[0]!];
    if (ts.event !== 'start' || fs.event !== 'start') throw new Error('no start event');
    expect(ts.backend).toMatch(/^torch cpu/);
    expect({ ...ts, backend: '', memory_estimate_bytes: 0 }).toEqual({ ...fs, backend: '', memory_estimate_bytes: 0 });

    const a = lastEpoch(torch.events).valAcc;
    const b = lastEpoch(tfjs.events).valAcc;
    // Chance is 10%; both learn, and land within 6 points of each other.
    expect(a).toBeGreaterThan(0.6);
    expect(b).toBeGreaterThan(0.6);
    expect(Math.abs(a - b)).toBeLessThan(0.06);

    // The torch engine's checkpoint in the tfjs engine: same names and layouts, same accuracy.
    const nas = await resolveNasModel(nasFile, {});
    const model = buildModel(nas.spec, { seed: 0 });
    const meta = loadModelWeights(model, save);
    expect(meta['engine']).toBe('torch');
    expect(meta['epoch']).toBe('3');
    const data = openTrainingData(parseDataSpec(`mnist:${tmp.dir}`), { seed: 1, valFraction: 0.1, useTestSplit: true });
    const evaluated = await evaluateModel(model, data.val, data.stats, 64);
    model.dispose();
    // 1,000 images: identical weights, float32 on two engines; at most 3 predictions may flip.
    expect(Math.abs(evaluated!.acc - a)).toBeLessThanOrEqual(0.003);
  });
});

describe('nas train --engine torch refuses options that do not apply, before any work', () => {
  it('no FILE, --backend with torch, torch options with tfjs, --device cuda without a GPU', async () => {
    const noFile = await train({ engine: 'torch', file: undefined });
    expect(noFile.code).toBe(2);
    expect(noFile.err.join('\n')).toMatch(/--engine torch trains a network of a \.nas FILE/);
    const backend = await train({ engine: 'torch', backend: 'wasm' });
    expect(backend.code).toBe(2);
    expect(backend.err.join('\n')).toMatch(/--backend chooses a backend of the tfjs engine/);
    const amp = await train({ engine: 'tfjs', amp: true });
    expect(amp.code).toBe(2);
    expect(amp.err.join('\n')).toMatch(/options of --engine torch/);
    const cuda = await train({ engine: 'torch', python: '/usr/bin/python3', device: 'cuda' });
    expect(cuda.code).toBe(2);
    expect(cuda.err.join('\n')).toMatch(/--device cuda: torch .* sees no CUDA GPU/);
    const last = cuda.events.at(-1);
    expect(last).toMatchObject({ event: 'error', exitCode: 2 });
  });
});
