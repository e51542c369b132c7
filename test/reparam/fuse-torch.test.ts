/**
 * Fused weights against PyTorch, end to end (test/reparam/fuse-against-torch.ts): a small
 * network of all four training-time blocks (RepVGG with groups and dilation, ACNet, DBB dense,
 * depthwise and 5x5, MobileOne with three branches). Whole networks at their real definitions
 * and resolutions (RepVGG-A0 and an ACNet ResNet-18 at 224x224) are in fuse-torch.slow.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { selectBackend } from '../../src/core/train/backend';
import { makeTempDir } from '../train-data/helpers';
import { fuseAgainstTorch } from './fuse-against-torch';

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

describe('fused weights run in PyTorch give the multi-branch network outputs', () => {
  it('a network of all four training-time blocks (RepVGG grouped and dilated, ACNet 3x3 and 5x5, DBB dense, depthwise and 5x5, MobileOne)', async () => {
    const file = path.join(tmp.dir, 'all_blocks.nas');
    fs.writeFileSync(file, ALL_BLOCKS);
    await fuseAgainstTorch(tmp.dir, 'all blocks', file, 'AllBlocks', 11);
  });
});
