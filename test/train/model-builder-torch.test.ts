/**
 * Whole-network parity with PyTorch: networks of the reference library (smaller widths and
 * resolution) and a net of every other op are built by the model builder and, from the same
 * spec JSON, by test/train/torch_from_spec.py with torch.nn; with the same weights and batch,
 * one training-mode forward and backward pass must give the same loss, every gradient and
 * the updated batch-norm statistics.
 *
 * Reference: PyTorch in float64, following the engine's ReLU branches: where float32
 * rounding puts an activation within ~1e-6 of ReLU's kink, the engine and float64 may fall on
 * either side, and one element of one gradient then differs by O(1) (this happened in the
 * MnasNet net: bn.bias of the head off by 1 %, its weight exact). PyTorch is told which side
 * of 0 (and of 6, for ReLU6) each element fell on in the engine's forward pass, and computes
 * everything else itself; gradients are thus compared on the same linear piece of the network.
 *
 * Tolerance: float32's own. Per tensor, the engine's relative L2 error against float64 may
 * be ten times PyTorch's float32 run's (same algorithms, other summation orders; the Winograd
 * and SIMD kernels round differently), and at least 1e-4.
 *
 * PARITY_DEBUG=1 prints every tensor's errors; NO_WINOGRAD=1 keeps 3x3 convolutions on the
 * direct kernels (to tell a Winograd rounding from anything else).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/core/train/backend';
import { buildModel, describeModel, type ModelSpec } from '../../src/core/train/model-builder';
import { computeSmoothedCrossEntropy } from '../../src/core/train/step';
import { collectModelTensors, readSafetensorsFile, toFloat32, writeSafetensorsFile } from '../../src/core/train/safetensors';
import { elaborate, type Decider } from '../../src/core/semantics/evaluator';
import { build } from '../helpers/nas';
import { opZoo, ZOO_OPS } from '../helpers/op-zoo';
import { makeTempDir } from '../train-data/helpers';

const ROOT = join(__dirname, '..', '..');
const example = (file: string) => readFileSync(join(ROOT, 'examples', file), 'utf8');

/** Takes options 0, 1, 2, ... in turn (modulo each choice's size): every op of a list shows up. */
function cycling(start = 0): Decider {
  let k = start;
  return { decide: (_key, options) => k++ % options };
}

async function specOf(text: string, name: string, decider?: Decider): Promise<ModelSpec> {
  const b = await build(text);
  expect(b.errors, b.errors.map((e) => e.message).join('\n')).toEqual([]);
  const def = b.def(name);
  return describeModel(elaborate(def, { decider }), def);
}

let tmp: { dir: string; cleanup: () => void };
beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => undefined });
  if (process.env.NO_WINOGRAD) (await import('../../src/core/train/wasm-kernels/winograd-conv')).setWinogradMode('never');
  tmp = makeTempDir('parity');
});
afterAll(() => tmp.cleanup());

interface Comparison {
  name: string;
  err: number;
  bound: number;
}

async function compareWithTorch(spec: ModelSpec, batch: number, seed = 1): Promise<{ loss: [number, number]; rows: Comparison[]; ops: Set<string> }> {
  const dir = join(tmp.dir, spec.name);
  mkdirSync(dir, { recursive: true });
  const model = buildModel(spec, { seed });
  try {
    const [c, h, w] = spec.input;
    const xData = Float32Array.from({ length: batch * h * w * c }, (_, i) => Math.sin(i * 0.731 + seed) * 1.3);
    const yData = Int32Array.from({ length: batch }, (_, i) => (i * 7 + seed) % 10);
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    writeSafetensorsFile(join(dir, 'weights.safetensors'), collectModelTensors(model));
    writeSafetensorsFile(
      join(dir, 'batch.safetensors'),
      new Map([
        ['x', { dtype: 'F32', shape: [batch, h, w, c], data: xData }],
        ['y', { dtype: 'I32', shape: [batch], data: yData }],
      ]),
    );
    // The branch each ReLU took, from the engine's forward pass (see the file comment).
    const kinked = new Map<number, string>();
    for (const n of spec.nodes) if (n.op === 'relu' || n.op === 'relu6') kinked.set(n.id, n.op);
    const needed = new Set(spec.nodes.filter((n) => kinked.has(n.id)).map((n) => n.inputs[0]!));
    const seen = new Map<number, Float32Array | undefined>();
    const vars = [...model.trainable.values()];
    const x = tf.tensor4d(xData, [batch, h, w, c]);
    const y = tf.tensor1d(yData, 'int32');
    const observe = (id: number, v: tf.Tensor4D | undefined) => {
      if (needed.has(id)) seen.set(id, v ? Float32Array.from(v.dataSync() as Float32Array) : undefined);
    };
    const { value, grads } = tf.variableGrads(() => computeSmoothedCrossEntropy(model.forward(x, true, observe), y, 0), vars);
    const ours = {
      loss: value.dataSync()[0]!,
      grads: new Map(
        [...model.trainable].map(([k, v]) => [k, grads[v.name] ? Float32Array.from(grads[v.name]!.dataSync() as Float32Array) : new Float32Array(v.size)]),
      ),
    };
    tf.dispose([x, y, value, ...Object.values(grads)]);
    const branches = new Map<string, { dtype: 'U8'; shape: number[]; data: Uint8Array }>();
    for (const [id, op] of kinked) {
      const node = spec.nodes[id]!;
      const z = seen.get(node.inputs[0]!);
      const data = new Uint8Array(batch * node.shape[0] * node.shape[1] * node.shape[2]);
      // 0: below the kink at 0; 1: the linear piece; 2: ReLU6's clamp at 6 (a known zero input: 0).
      if (z) for (let i = 0; i < data.length; i++) data[i] = z[i]! > 0 ? (op === 'relu6' && z[i]! > 6 ? 2 : 1) : 0;
      branches.set(`branch.${id}`, { dtype: 'U8', shape: [batch, node.shape[1], node.shape[2], node.shape[0]], data });
    }
    writeSafetensorsFile(join(dir, 'branches.safetensors'), branches);
    const state = new Map([...model.state].map(([k, v]) => [k, Array.from(v.dataSync())]));
    const py = spawnSync('/usr/bin/python3', [join(__dirname, 'torch_from_spec.py'), dir], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const ref = readSafetensorsFile(join(dir, 'torch.safetensors'));
    const dev = JSON.parse(ref.metadata['float32_deviation']!) as Record<string, [number, number]>;
    const rows: Comparison[] = [];
    for (const [k, g] of ours.grads) {
      const r = toFloat32(ref.tensors.get(`grad.${k}`)!);
      expect(r.length, k).toBe(g.length);
      let err = 0;
      let scale = 0;
      let d2 = 0;
      let r2 = 0;
      for (let i = 0; i < g.length; i++) {
        err = Math.max(err, Math.abs(g[i]! - r[i]!));
        scale = Math.max(scale, Math.abs(r[i]!));
        d2 += (g[i]! - r[i]!) ** 2;
        r2 += r[i]! ** 2;
      }
      const rel = Math.sqrt(d2 / Math.max(r2, 1e-300));
      rows.push({ name: k, err: rel, bound: Math.max(10 * dev[k]![1], 1e-4) });
      if (process.env.PARITY_DEBUG)
        console.log(
          k,
          'max',
          err.toExponential(2),
          'scale',
          scale.toExponential(2),
          'dev32',
          dev[k]![0].toExponential(2),
          'rel',
          rel.toExponential(2),
          'rel32',
          dev[k]![1].toExponential(2),
        );
    }
    for (const [k, v] of state) {
      const r = toFloat32(ref.tensors.get(`state.${k}`)!);
      let err = 0;
      for (let i = 0; i < v.length; i++) err = Math.max(err, Math.abs(v[i]! - r[i]!) / Math.max(1, Math.abs(r[i]!)));
      rows.push({ name: k, err, bound: 1e-4 });
    }
    const refLoss = toFloat32(ref.tensors.get('loss')!)[0]!;
    if (process.env.PARITY_DEBUG)
      console.log('LOSS', spec.name, ours.loss, refLoss, Math.abs(ours.loss - refLoss).toExponential(2), 'torch32', dev['loss']![0].toExponential(2));
    return { loss: [ours.loss, refLoss], rows, ops: new Set(spec.nodes.map((n) => n.op)) };
  } finally {
    model.dispose();
  }
}

function expectAgreement(res: Awaited<ReturnType<typeof compareWithTorch>>): void {
  const [ours, ref] = res.loss;
  expect(Math.abs(ours - ref), `loss ${ours} vs ${ref}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref)));
  const bad = res.rows.filter((r) => !(r.err <= r.bound));
  expect(bad.map((r) => `${r.name}: error ${r.err.toExponential(2)} > ${r.bound.toExponential(2)}`)).toEqual([]);
  expect(res.rows.length).toBeGreaterThan(0);
}

describe('networks built from .nas text agree with PyTorch (loss, every gradient, BN statistics)', () => {
  it('an NB201 cell net (C = 4, N = 1) with all five edge ops', async () => {
    const text = example('nb201.nas').replace('C: int = 16, N: int = 5', 'C: int = 4, N: int = 1');
    const spec = await specOf(text, 'NB201', cycling());
    const res = await compareWithTorch(spec, 8);
    for (const op of ['zero', 'identity', 'conv', 'avgpool']) expect(res.ops).toContain(op);
    expectAgreement(res);
  });

  it('a DARTS cell net (C = 4, N = 1, 16 px): separable and dilated convs, poolings, FactorizedReduce, zero with stride', async () => {
    const text = example('darts_space.nas').replace('C: int = 16, N: int = 2', 'C: int = 4, N: int = 1').replace('input(3, 32, 32)', 'input(3, 16, 16)');
    const spec = await specOf(text, 'DARTS', cycling(2));
    const res = await compareWithTorch(spec, 6);
    for (const op of ['dwconv', 'maxpool', 'avgpool', 'zero', 'concat']) expect(res.ops).toContain(op);
    expect(spec.nodes.some((n) => n.op === 'dwconv' && n.attrs.dilation === 2)).toBe(true);
    expect(spec.nodes.some((n) => n.scope.includes('FactorizedReduce'))).toBe(true);
    expectAgreement(res);
  });

  it('an MBConv net (MnasNet space, 64 px): expand, depthwise 3x3/5x5, squeeze-and-excitation', async () => {
    const text = example('mnasnet_space.nas').replace('input(3, 224, 224)', 'input(3, 64, 64)').replace('classes: int = 1000', 'classes: int = 10');
    const spec = await specOf(text, 'MnasNetSpace', cycling(1));
    const res = await compareWithTorch(spec, 4);
    for (const op of ['mul', 'sigmoid', 'gap', 'dwconv']) expect(res.ops).toContain(op);
    expectAgreement(res);
  });

  it('a RepVGG stack (RepVGG-A0 at a = 0.25, b = 0.5, 32 px): 3x3 + 1x1 + identity-BN branches', async () => {
    const text = example('repvgg_a0.nas')
      .replace('a: float = 0.75, b: float = 2.5', 'a: float = 0.25, b: float = 0.5')
      .replace('input(3, 224, 224)', 'input(3, 32, 32)')
      .replace('classes: int = 1000', 'classes: int = 10');
    const spec = await specOf(text, 'RepVGGA0');
    const res = await compareWithTorch(spec, 4);
    expectAgreement(res);
  });

  it("Diverse Branch Blocks (dense, strided, depthwise, 5x5) and a MobileOne block: bn(pad=p) as DBB's BN-and-pad", async () => {
    const text = `import "std/blocks"
network DBBNet(classes: int = 10) {
  input(3, 12, 12)
  conv(8, k=3) -> bn -> relu
  DBBlock(8) -> relu -> DBBlock(16, stride=2) -> relu -> DBBlock(16, groups=16) -> relu -> DBBlock(16, k=5, internal=8) -> relu
  MobileOneBlock(16, branches=3)
  gap -> fc(classes)
}`;
    const spec = await specOf(text, 'DBBNet');
    const padded = spec.nodes.filter((n) => n.op === 'bn' && (n.attrs.pad as number) > 0);
    expect(padded.map((n) => n.attrs.pad)).toEqual([1, 1, 1, 1, 1, 2, 2]);
    const res = await compareWithTorch(spec, 4);
    expectAgreement(res);
  });

  it('a net of every other op: groups, dilation with stride, asymmetric kernels, bias, GN, hard/swish, shuffle, split, upsample, flatten-fc', async () => {
    const spec = await specOf(opZoo(), 'Zoo');
    const res = await compareWithTorch(spec, 6);
    for (const op of ZOO_OPS) expect(res.ops).toContain(op);
    expectAgreement(res);
  });
});
