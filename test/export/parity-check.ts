/**
 * The PyTorch export's parity check (pytorch-export.test.ts, pytorch-export.slow.test.ts): the
 * engine's weights load into the exported file, outputs agree in inference and training mode,
 * weights round-trip bit for bit, and PyTorch's SGD step comes back to the engine
 * (test/export/check_exports.py `parity`, one Python process per test file).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { elaborate, type Decider } from '../../src/core/semantics/evaluator';
import { exportPytorch } from '../../src/core/export/pytorch';
import { buildModel, type BuiltModel, type ModelSpec } from '../../src/core/train/model-builder';
import { loadModelWeights, readSafetensorsFile, saveModelWeights, toFloat32, writeSafetensorsFile } from '../../src/core/train/safetensors';
import { build } from '../helpers/nas';
import { CHECK_EXPORTS, PYTHON } from './export-sweep';

const ROOT = join(__dirname, '..', '..');
export const example = (file: string) => readFileSync(join(ROOT, 'examples', file), 'utf8');

let parityProcess: ChildProcessWithoutNullStreams | undefined;
let parityLines: AsyncIterator<string> | undefined;
let parityErrors = '';

/** Ends the Python process (after a file's last test). */
export function closeParity(): void {
  parityProcess?.stdin.end();
  parityProcess = undefined;
}

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

/** Takes options 0, 1, 2, ... in turn (every op of a list shows up). */
export function cycling(start = 0): Decider {
  let k = start;
  return { decide: (_key, options) => k++ % options };
}

export async function exportOf(text: string, name: string, decider?: Decider) {
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

export async function checkParity(root: string, label: string, code: string, spec: ModelSpec, batch: number): Promise<Agreement> {
  const dir = join(root, label);
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
export const expectClose = (d: Agreement): void => {
  expect(d.eval).toBeLessThan(1e-4);
  expect(d.stepped).toBeLessThan(1e-4);
  expect(d.train).toBeLessThan(Math.max(1e-4, 10 * d.trainDev32));
};
