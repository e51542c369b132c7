/**
 * Fused weights against PyTorch, end to end: a training-time network with random weights and
 * random BN statistics is saved as a checkpoint, `nas fuse --weights --out-weights --verify`
 * (the bundled CLI) fuses it, and PyTorch builds both networks from their specs with torch.nn
 * (test/train/torch_from_spec.py), loads the two checkpoints and runs them in eval mode in
 * float64 (test/reparam/torch_fused.py). PyTorch's deployment network from the exported weights
 * must give PyTorch's multi-branch outputs and the engine's: independent evidence that the
 * exported weights are the fusion, not only that the engine agrees with itself.
 *
 * Whole networks at their real definitions and resolutions: RepVGG-A0 (22 RepVGG blocks,
 * 224x224) and an ACNet ResNet-18 (16 ACBlocks inside residual blocks, 224x224), and a small
 * network of all four training-time blocks (RepVGG with groups and dilation, ACNet, DBB dense,
 * depthwise and 5x5, MobileOne with three branches).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/core/train/backend';
import { readSafetensorsFile, toFloat32, writeSafetensorsFile } from '../../src/core/train/safetensors';
import type { FuseJson } from '../../src/cli/json-types';
import { makeTempDir } from '../train-data/helpers';
import { ROOT, logits, nasAsync, randomCheckpoint, relativeDifference, specOf } from './fusion-helpers';

let tmp: { dir: string; cleanup: () => void };
beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => undefined });
  tmp = makeTempDir('fuse-torch');
});
afterAll(() => tmp.cleanup());

const ALL_BLOCKS = `import "std/blocks"
network AllBlocks(classes: int = 10) {
  input(3, 24, 24)
  RepVGGBlock(16, stride=2) -> RepVGGBlock(16) -> RepVGGBlock(32, groups=4) -> RepVGGBlock(32, dilation=2)
  ACBlock(32) -> relu -> ACBlock(32, k=5, stride=2) -> relu
  DBBlock(32) -> relu -> DBBlock(32, groups=32) -> relu -> DBBlock(48, k=5, internal=16) -> relu
  MobileOneBlock(48, groups=48, branches=3) -> MobileOneBlock(64, k=1, branches=3)
  gap -> fc(classes)
}
`;

async function fuseAgainstTorch(name: string, file: string, network: string, expectedBlocks: number): Promise<void> {
  const dir = path.join(tmp.dir, network);
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

describe('fused weights run in PyTorch give the multi-branch network outputs', () => {
  it('a network of all four training-time blocks (RepVGG grouped and dilated, ACNet 3x3 and 5x5, DBB dense, depthwise and 5x5, MobileOne)', async () => {
    const file = path.join(tmp.dir, 'all_blocks.nas');
    fs.writeFileSync(file, ALL_BLOCKS);
    await fuseAgainstTorch('all blocks', file, 'AllBlocks', 11);
  });

  it('RepVGG-A0 (examples/repvgg_a0.nas, 224x224): 22 blocks', async () => {
    await fuseAgainstTorch('RepVGG-A0', path.join(ROOT, 'examples/repvgg_a0.nas'), 'RepVGGA0', 22);
  });

  it('ACNet ResNet-18 (examples/acnet_resnet18.nas, 224x224): 16 ACBlocks inside residual blocks', async () => {
    await fuseAgainstTorch('ACNet ResNet-18', path.join(ROOT, 'examples/acnet_resnet18.nas'), 'ACNetResNet18', 16);
  });
});
