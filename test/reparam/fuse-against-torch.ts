/**
 * Fused weights against PyTorch, end to end (fuse-torch.test.ts, fuse-torch.slow.test.ts): a
 * training-time network with random weights and random BN statistics is saved as a checkpoint,
 * `nas fuse --weights --out-weights --verify` (the bundled CLI) fuses it, and PyTorch builds both
 * networks from their specs with torch.nn (test/train/torch_from_spec.py), loads the two
 * checkpoints and runs them in eval mode in float64 (test/reparam/torch_fused.py). PyTorch's
 * deployment network from the exported weights must give PyTorch's multi-branch outputs and the
 * engine's: independent evidence that the exported weights are the fusion, not only that the
 * engine agrees with itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensorsFile, toFloat32, writeSafetensorsFile } from '../../src/core/train/safetensors';
import type { FuseJson } from '../../src/cli/json-types';
import { logits, nasAsync, randomCheckpoint, relativeDifference, specOf } from './fusion-helpers';

/** Fuses `network` of `file` (with `expectedBlocks` training-time blocks) in a fresh folder under `tmp`, and checks it in PyTorch. */
export async function fuseAgainstTorch(tmp: string, name: string, file: string, network: string, expectedBlocks: number): Promise<void> {
  const dir = path.join(tmp, network);
  fs.mkdirSync(dir);
  const spec = await specOf(fs.readFileSync(file, 'utf8'), network);
  const train = path.join(dir, 'train.safetensors');
  const model = randomCheckpoint(spec, train, 11);
  const [c, h, w] = spec.input;
  const x = tf.randomNormal([2, h, w, c], 0, 1, 'float32', 5) as tf.Tensor4D;
  try {
    const ours = logits(model, x);
    writeSafetensorsFile(path.join(dir, 'x.safetensors'), new Map([['x', { dtype: 'F32', shape: [2, h, w, c], data: Float32Array.from(x.dataSync()) }]]));
    const r = await nasAsync([
      'fuse',
      file,
      '--network',
      network,
      '--weights',
      train,
      '--out',
      path.join(dir, 'deploy.nas'),
      '--out-weights',
      path.join(dir, 'deploy.safetensors'),
      '--verify',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as FuseJson;
    expect(j.blocks).toHaveLength(expectedBlocks);
    expect(j.verify?.ok).toBe(true);
    for (const b of j.blocks!) expect(b.maxRelDiff, b.name).toBeLessThan(1e-5);
    expect(j.network!.maxRelDiff).toBeLessThan(1e-4);
    const py = spawnSync('/usr/bin/python3', [path.join(__dirname, 'torch_fused.py'), dir], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const out = readSafetensorsFile(path.join(dir, 'torch.safetensors')).tensors;
    const torchTrain = toFloat32(out.get('train')!);
    const torchDeploy = toFloat32(out.get('deploy')!);
    // PyTorch's deployment network from our weights = PyTorch's multi-branch network (float32 weights, float64 arithmetic).
    expect(relativeDifference(torchDeploy, torchTrain), `${name}: PyTorch deploy vs PyTorch multi-branch`).toBeLessThan(1e-5);
    // ... = the engine's multi-branch network (float32 arithmetic).
    expect(relativeDifference(torchDeploy, ours), `${name}: PyTorch deploy vs engine multi-branch`).toBeLessThan(1e-4);
  } finally {
    x.dispose();
    model.dispose();
  }
}
