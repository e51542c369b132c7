/**
 * Fused weights against PyTorch on whole networks at their real definitions and resolutions
 * (test/reparam/fuse-against-torch.ts; fuse-torch.test.ts checks a small network of every
 * training-time block in the normal tier): RepVGG-A0 (22 RepVGG blocks, 224x224) and an ACNet
 * ResNet-18 (16 ACBlocks inside residual blocks, 224x224).
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { selectBackend } from '../../src/core/train/backend';
import { makeTempDir } from '../train-data/helpers';
import { fuseAgainstTorch } from './fuse-against-torch';
import { ROOT } from './fusion-helpers';

let tmp: { dir: string; cleanup: () => void };
beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => undefined });
  tmp = makeTempDir('fuse-torch-whole');
});
afterAll(() => tmp.cleanup());

describe('fused weights run in PyTorch give the multi-branch network outputs', () => {
  it('RepVGG-A0 (examples/repvgg_a0.nas, 224x224): 22 blocks', async () => {
    await fuseAgainstTorch(tmp.dir, 'RepVGG-A0', path.join(ROOT, 'examples/repvgg_a0.nas'), 'RepVGGA0', 22);
  });

  it('ACNet ResNet-18 (examples/acnet_resnet18.nas, 224x224): 16 ACBlocks inside residual blocks', async () => {
    await fuseAgainstTorch(tmp.dir, 'ACNet ResNet-18', path.join(ROOT, 'examples/acnet_resnet18.nas'), 'ACNetResNet18', 16);
  });
});
