/**
 * The PyTorch export against PyTorch itself (Debian's python3-torch, /usr/bin/python3):
 *
 * - every network of the reference library and 200 sampled architectures of every example
 *   space: the exported file's Model has the cost model's parameter count and exactly the
 *   spec's state_dict names with PyTorch's shapes (one Python process checks them all,
 *   test/export/check_exports.py), and networks and a few samples run a forward pass;
 * - weights move both ways and outputs agree: the engine's weights (after three training-mode
 *   passes, so that batch-norm statistics are not their initial values) load into the exported file
 *   with its own load_nas_safetensors; its inference-mode output equals the engine's (max abs
 *   difference < 1e-4), its training-mode output too (within PyTorch's own float32 error where
 *   that is larger); saved back with save_nas_safetensors they are the
 *   engine's tensors bit for bit; after one SGD step in PyTorch, the engine loads the file
 *   and its inference-mode output equals PyTorch's.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/core/train/backend';
import { elaborate, type Decider } from '../../src/core/semantics/evaluator';
import { SpaceSampler } from '../../src/core/semantics/space';
import { Rng } from '../../src/core/util/random';
import { NasWorkspace } from '../../src/core/workspace';
import { exportPytorch } from '../../src/core/export/pytorch';
import { buildModel, type BuiltModel, type ModelSpec } from '../../src/core/train/model-builder';
import { loadModelWeights, readSafetensorsFile, saveModelWeights, toFloat32, writeSafetensorsFile } from '../../src/core/train/safetensors';
import { REFERENCE_NETS_SOURCE } from '../../src/core/train/reference-nets-nas';
import type { Definition, Document } from '../../src/core/language/syntax/generated/ast';
import { build } from '../helpers/nas';
import { yieldToEventLoop } from '../helpers/event-loop';
import { makeTempDir } from '../train-data/helpers';

const ROOT = join(__dirname, '..', '..');
const CHECK = join(__dirname, 'check_exports.py');
const PYTHON = '/usr/bin/python3';
const example = (file: string) => readFileSync(join(ROOT, 'examples', file), 'utf8');

let tmp: { dir: string; cleanup: () => void };
beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => undefined });
  tmp = makeTempDir('export');
});
afterAll(() => tmp.cleanup());

/** Runs check_exports.py without holding the event loop (vitest's worker must answer its messages). */
function python(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(PYTHON, [CHECK, ...args]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`check_exports.py ${args[0]} exited ${code}: ${err}`))));
  });
}

interface Report {
  file: string;
  params: number;
  missing: string[];
  unexpected: string[];
  shapes: string[];
  output?: number[];
}

/** A `check_exports.py counts` process: files go in as they are written, reports come out as lines. */
function countsChecker(): { send: (entry: object) => void; done: () => Promise<Report[]> } {
  const p = spawn(PYTHON, [CHECK, 'counts']);
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const closed = new Promise<number | null>((resolve) => p.on('close', resolve));
  return {
    send: (entry) => p.stdin.write(JSON.stringify(entry) + '\n'),
    async done() {
      p.stdin.end();
      const code = await closed;
      if (code !== 0) throw new Error(`check_exports.py counts exited ${code}: ${err}`);
      return out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Report);
    },
  };
}

describe('exported PyTorch modules have the cost model parameters and the engine tensor names', () => {
  // A guard against a hang, not a speed bound: about 1,200 modules built by PyTorch on a shared machine.
  it('on every network of the reference library and 200 sampled architectures of every example space', { timeout: 1_500_000 }, async () => {
    const ws = new NasWorkspace();
    const defs: Definition[] = [];
    for (const f of readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.nas'))) {
      const root = (await ws.addFile(join(ROOT, 'examples', f))).parseResult.value as Document;
      for (const e of root.elements) if (e.$type === 'Definition' && (e.kind === 'network' || e.kind === 'space')) defs.push(e);
    }
    expect(defs.filter((d) => d.kind === 'network').length).toBe(7);
    expect(defs.filter((d) => d.kind === 'space').length).toBe(8);
    const dir = join(tmp.dir, 'counts');
    mkdirSync(dir);
    // Two PyTorch processes (the machine's cores) check files while the next ones are written.
    const checkers = [countsChecker(), countsChecker()];
    const expected = new Map<string, { params: number; forward: boolean; outputs: number }>();
    const add = (def: Definition, r: ReturnType<typeof elaborate>, k: number, forward: boolean): void => {
      const e = exportPytorch(r, def);
      const file = join(dir, `${def.name}_${k}.py`);
      writeFileSync(file, e.code);
      const names: Record<string, number[]> = {};
      for (const n of e.spec.nodes) for (const p of n.params) names[p.name] = [...p.torchShape];
      const out = e.spec.nodes[e.spec.output]!.shape;
      expected.set(file, { params: r.graph.totals().params, forward, outputs: out[0] * out[1] * out[2] });
      checkers[expected.size % 2]!.send({ file, names, forward });
    };
    for (const def of defs) {
      if (def.kind === 'network') add(def, elaborate(def), 0, true);
      else {
        const sampler = new SpaceSampler(def);
        const rng = new Rng(7);
        for (let i = 0; i < 200; i++) {
          add(def, sampler.sample(rng).result, i, i < 2);
          if (i % 10 === 0) await yieldToEventLoop();
        }
      }
    }
    const reports = (await Promise.all(checkers.map((c) => c.done()))).flat();
    expect(reports.length).toBe(7 + 8 * 200);
    const bad: string[] = [];
    for (const r of reports) {
      const m = expected.get(r.file)!;
      const name = r.file.slice(dir.length + 1);
      if (r.params !== m.params) bad.push(`${name}: ${r.params} parameters in PyTorch, ${m.params} in the cost model`);
      if (r.missing.length || r.unexpected.length) bad.push(`${name}: state_dict names differ: missing ${r.missing}, unexpected ${r.unexpected}`);
      if (r.shapes.length) bad.push(`${name}: shapes differ: ${r.shapes}`);
      if (m.forward && JSON.stringify(r.output) !== JSON.stringify([1, m.outputs])) bad.push(`${name}: output ${JSON.stringify(r.output)}`);
    }
    expect(bad).toEqual([]);
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
    await python(['parity', dir]);
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
