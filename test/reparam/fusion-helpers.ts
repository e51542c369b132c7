/** Shared set-up of the weight-fusion tests: model specs from .nas text, random trained-like checkpoints, the CLI. */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { build } from '../helpers/nas';
import { elaborate } from '../../src/core/semantics/evaluator';
import { describeModel, buildModel, type BuiltModel, type ModelSpec } from '../../src/core/train/model-builder';
import { saveModelWeights } from '../../src/core/train/safetensors';
import { randomImages, randomizeBatchNorms } from '../../src/core/reparam/verify';

export const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/nas.cjs');

export function nas(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 280_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `nas` in a child process, awaited: the test's event loop keeps running (vitest's worker needs it within a minute). */
export function nasAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function specOf(text: string, name: string): Promise<ModelSpec> {
  const b = await build(text);
  expect(b.errors.map((e) => e.message)).toEqual([]);
  const def = b.def(name);
  return describeModel(elaborate(def), def);
}

/**
 * A model of `spec` with random weights and random batch-norm statistics near its own
 * activations (the product's self-check draws them the same way, verify.ts), saved as
 * `nas train --save` saves: engine layouts, the spec in the metadata.
 */
export function randomCheckpoint(spec: ModelSpec, file: string, seed: number): BuiltModel {
  const model = buildModel(spec, { seed });
  const x = randomImages(model, 4, seed + 100);
  randomizeBatchNorms(model, x, seed + 200);
  x.dispose();
  saveModelWeights(model, file, { model_spec: JSON.stringify(spec) });
  return model;
}

/** Eval-mode logits of `model` on `x`, as a flat array. */
export function logits(model: BuiltModel, x: tf.Tensor4D): Float32Array {
  const y = model.forward(x, false);
  const out = Float32Array.from(y.dataSync() as Float32Array);
  y.dispose();
  return out;
}

/** Largest absolute difference over the largest magnitude of the reference. */
export function relativeDifference(ours: ArrayLike<number>, reference: ArrayLike<number>): number {
  expect(ours.length).toBe(reference.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ours.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i]! - reference[i]!));
    scale = Math.max(scale, Math.abs(reference[i]!));
  }
  return diff / scale;
}
