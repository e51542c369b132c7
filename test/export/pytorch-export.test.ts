/**
 * The PyTorch export against PyTorch itself (Debian's python3-torch, /usr/bin/python3):
 *
 * - every network of the reference library and the first 10 sampled architectures of every
 *   example space (every op kind of the examples among them; pytorch-export.slow.test.ts checks
 *   200 of each): the exported file's Model has the cost model's parameter count and exactly the
 *   spec's state_dict names with PyTorch's shapes (one Python process checks them all,
 *   test/export/check_exports.py), and networks and a few samples run a forward pass;
 * - weights move both ways and outputs agree: the engine's weights (after three training-mode
 *   passes, so that batch-norm statistics are not their initial values) load into the exported file
 *   with its own load_nas_safetensors; its inference-mode output equals the engine's (max abs
 *   difference < 1e-4), its training-mode output too (within PyTorch's own float32 error where
 *   that is larger); saved back with save_nas_safetensors they are the
 *   engine's tensors bit for bit; after one SGD step in PyTorch, the engine loads the file
 *   and its inference-mode output equals PyTorch's (one Python process for all of them).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/core/train/backend';
import { elaborate, type Decider } from '../../src/core/semantics/evaluator';
import { exportPytorch } from '../../src/core/export/pytorch';
import { buildModel, type BuiltModel, type ModelSpec } from '../../src/core/train/model-builder';
import { loadModelWeights, readSafetensorsFile, saveModelWeights, toFloat32, writeSafetensorsFile } from '../../src/core/train/safetensors';
import { REFERENCE_NETS_SOURCE } from '../../src/core/train/reference-nets-nas';
import { build } from '../helpers/nas';
import { makeTempDir } from '../train-data/helpers';
import { CHECK_EXPORTS, EXAMPLE_OPS, PYTHON, sweepExports } from './export-sweep';

const ROOT = join(__dirname, '..', '..');
const example = (file: string) => readFileSync(join(ROOT, 'examples', file), 'utf8');

let tmp: { dir: string; cleanup: () => void };
let parityProcess: ChildProcessWithoutNullStreams | undefined;
let parityLines: AsyncIterator<string> | undefined;
let parityErrors = '';
beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => undefined });
  tmp = makeTempDir('export');
});
afterAll(() => {
  parityProcess?.stdin.end();
  tmp.cleanup();
});

/**
 * Runs `check_exports.py parity` on DIR in one Python process kept for the whole file (PyTorch
 * starts once), without holding the event loop (vitest's worker must answer its messages).
 */
async function parity(dir: string): Promise<void> {
  if (!parityProcess) {
    const p = spawn(PYTHON, [CHECK_EXPORTS, 'parity', '-']);
    p.stderr.on('data', (d: Buffer) => (parityErrors += d.toString()));
    parityProcess = p;
    parityLines = createInterface({ input: p.stdout })[Symbol.asyncIterator]();
  }
  parityProcess.stdin.write(dir + '\n');
  const line = await parityLines!.next();
  if (line.done) throw new Error(`check_exports.py parity ended before answering: ${parityErrors}`);
  const r = JSON.parse(line.value) as { dir: string; error?: string };
  expect(r.dir).toBe(dir);
  if (r.error) throw new Error(`check_exports.py parity ${dir}: ${r.error}`);
}

describe('exported PyTorch modules have the cost model parameters and the engine tensor names', () => {
  it('on every network of the reference library and 10 sampled architectures of every example space, every op kind among them', async () => {
    const r = await sweepExports(join(tmp.dir, 'counts'), 10, 1);
    expect(r.networks).toBe(7);
    expect(r.spaces).toBe(8);
    expect(r.checked).toBe(7 + 8 * 10);
    expect(r.ops).toEqual(EXAMPLE_OPS);
    expect(r.bad).toEqual([]);
  });
});

/** Takes options 0, 1, 2, ... in turn (every op of a list shows up). */
function cycling(start = 0): Decider {
  let k = start;
  return { decide: (_key, options) => k++ % options };
}

async function exportOf(text: string, name: string, decider?: Decider) {
  const b = await build(text);
  expect(b.errors, b.errors.map((e) => e.message).join('\n')).toEqual([]);
  const def = b.def(name);
  return exportPytorch(elaborate(def, { decider }), def);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function outputOf(model: BuiltModel, x: tf.Tensor4D, training: boolean): Float32Array {
  return tf.tidy(() => model.forward(x, training).dataSync() as Float32Array).slice();
}

async function checkParity(label: string, code: string, spec: ModelSpec, batch: number): Promise<Agreement> {
  const dir = join(tmp.dir, label);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.py'), code);
  const [c, h, w] = spec.input;
  const xData = Float32Array.from({ length: batch * h * w * c }, (_, i) => Math.sin(i * 0.37 + 1) * 1.2);
  const yData = Int32Array.from({ length: batch }, (_, i) => (i * 3) % 10);
  const x = tf.tensor4d(xData, [batch, h, w, c]);
  const y = tf.tensor1d(yData, 'int32');
  const model = buildModel(spec, { seed: 3 });
  try {
    // Batch-norm statistics away from their initial values: three training-mode passes.
    for (let k = 1; k <= 3; k++) {
      tf.tidy(() => {
        model.forward(
          tf.tensor4d(
            Float32Array.from(xData, (v, i) => v * Math.cos(i * k) + 0.1 * k),
            [batch, h, w, c],
          ),
          true,
        );
      });
    }
    saveModelWeights(model, join(dir, 'engine.safetensors'));
    writeSafetensorsFile(
      join(dir, 'x.safetensors'),
      new Map([
        ['x', { dtype: 'F32', shape: [batch, h, w, c], data: xData }],
        ['y', { dtype: 'I32', shape: [batch], data: yData }],
      ]),
    );
    const ours = { eval: outputOf(model, x, false), train: outputOf(model, x, true) };
    await parity(dir);
    const ref = readSafetensorsFile(join(dir, 'torch.safetensors')).tensors;
    // Round trip: what PyTorch saves back is the engine's file, tensor for tensor.
    const a = readSafetensorsFile(join(dir, 'engine.safetensors')).tensors;
    const b = readSafetensorsFile(join(dir, 'roundtrip.safetensors')).tensors;
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [k, t] of a) {
      expect(b.get(k)!.dtype, k).toBe(t.dtype);
      expect(b.get(k)!.shape, k).toEqual(t.shape);
      expect(Array.from(b.get(k)!.data as ArrayLike<number>), k).toEqual(Array.from(t.data as ArrayLike<number>));
    }
    // PyTorch's step, back in the engine.
    const back = buildModel(spec, { seed: 99 });
    try {
      loadModelWeights(back, join(dir, 'stepped.safetensors'));
      const stepped = outputOf(back, x, false);
      return {
        eval: maxAbsDiff(ours.eval, toFloat32(ref.get('eval')!)),
        train: maxAbsDiff(ours.train, toFloat32(ref.get('train')!)),
        trainDev32: toFloat32(ref.get('train_dev32')!)[0]!,
        stepped: maxAbsDiff(stepped, toFloat32(ref.get('stepped_eval')!)),
      };
    } finally {
      back.dispose();
    }
  } finally {
    model.dispose();
    x.dispose();
    y.dispose();
  }
}

interface Agreement {
  eval: number;
  train: number;
  /** PyTorch's own float32 error of the training-mode output (against float64). */
  trainDev32: number;
  stepped: number;
}

/**
 * Inference-mode outputs within 1e-4 (before and after PyTorch's step); training-mode ones
 * (batch statistics of a few images) within 1e-4 or ten times PyTorch's own float32 error,
 * whichever is larger: in ResNet-50 at 64 px PyTorch's float32 run is 1.2e-4 from float64.
 */
const expectClose = (d: Agreement): void => {
  expect(d.eval).toBeLessThan(1e-4);
  expect(d.stepped).toBeLessThan(1e-4);
  expect(d.train).toBeLessThan(Math.max(1e-4, 10 * d.trainDev32));
};

describe('exported PyTorch modules compute the engine function, and weights move both ways', () => {
  it('the three reference networks of the PyTorch peer', async () => {
    const b = await build(REFERENCE_NETS_SOURCE);
    for (const name of ['small', 'nb201', 'mbconv']) {
      const def = b.def(name);
      const e = exportPytorch(elaborate(def), def);
      expectClose(await checkParity(name, e.code, e.spec, 4));
    }
  });

  it('an NB201 cell net with all five edge ops and a DARTS cell net (smaller widths)', async () => {
    const nb = await exportOf(example('nb201.nas').replace('C: int = 16, N: int = 5', 'C: int = 4, N: int = 1'), 'NB201', cycling());
    for (const op of ['zero', 'identity', 'avgpool']) expect(nb.spec.nodes.map((n) => n.op)).toContain(op);
    expectClose(await checkParity('nb201-cells', nb.code, nb.spec, 6));
    const darts = await exportOf(
      example('darts_space.nas').replace('C: int = 16, N: int = 2', 'C: int = 4, N: int = 1').replace('input(3, 32, 32)', 'input(3, 16, 16)'),
      'DARTS',
      cycling(2),
    );
    expectClose(await checkParity('darts', darts.code, darts.spec, 4));
  });

  it('MnasNet (64 px), RepVGG-A0 (a = 0.25) and ResNet-50 (64 px)', async () => {
    const mnas = await exportOf(
      example('mnasnet_space.nas').replace('input(3, 224, 224)', 'input(3, 64, 64)').replace('classes: int = 1000', 'classes: int = 10'),
      'MnasNetSpace',
      cycling(1),
    );
    expectClose(await checkParity('mnasnet', mnas.code, mnas.spec, 4));
    const repvgg = await exportOf(
      example('repvgg_a0.nas')
        .replace('a: float = 0.75, b: float = 2.5', 'a: float = 0.25, b: float = 0.5')
        .replace('input(3, 224, 224)', 'input(3, 32, 32)')
        .replace('classes: int = 1000', 'classes: int = 10'),
      'RepVGGA0',
    );
    expectClose(await checkParity('repvgg', repvgg.code, repvgg.spec, 4));
    const resnet = await exportOf(example('resnet50.nas').replace('input(3, 224, 224)', 'input(3, 64, 64)'), 'ResNet50');
    expectClose(await checkParity('resnet50', resnet.code, resnet.spec, 4));
  });

  it('a net of every other op: groups, dilation, bias, GN, hard/swish, shuffle, split, upsample, flatten-fc, zero of another width', async () => {
    const zoo = await exportOf(
      `import "std/blocks"
network Zoo(classes: int = 10) {
  input(3, 12, 12)
  stem = conv(16, k=3, bias=true) -> bn -> hswish
  a = stem -> conv(16, k=3, groups=4) -> gn(groups=4) -> swish
  b = stem -> conv(16, k=3, stride=2, dilation=2) -> bn(affine=false) -> hsigmoid -> upsample(2)
  c = stem -> ACBlock(16) -> relu6
  d = stem -> dwconv(k=3, multiplier=2, stride=2, pad=1, bias=true) -> bn -> sigmoid -> upsample(2)
  e = concat(a, b, c) -> channel_shuffle(3) -> split(3, 1)
  f = add(e, stem -> zero(stride=1), a) -> maxpool(k=3, stride=2, pad=1)
  g = mul(f, f -> gap -> conv(16, k=1, bias=true) -> sigmoid) -> avgpool(k=3, stride=1, pad=1)
  h = concat(g, d -> avgpool(k=2), g -> zero(out=4)) -> ShuffleV2Block(64, stride=2) -> BasicBlock(24)
  h -> Bottleneck(8, groups=2, base_width=32) -> flatten -> fc(32) -> relu -> dropout(0.0) -> fc(classes)
}`,
      'Zoo',
    );
    for (const op of ['gn', 'hswish', 'hsigmoid', 'swish', 'channel_shuffle', 'split', 'upsample', 'flatten', 'zero', 'mul', 'dropout']) {
      expect(zoo.spec.nodes.map((n) => n.op)).toContain(op);
    }
    expectClose(await checkParity('zoo', zoo.code, zoo.spec, 4));
  });
});
