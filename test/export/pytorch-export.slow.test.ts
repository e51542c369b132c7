/**
 * The PyTorch export's full sweep (the normal tier, pytorch-export.test.ts, checks the first 3
 * samples of each space): every network of the reference library and 200 sampled architectures
 * of every example space, checked by PyTorch (test/export/export-sweep.ts): the cost model's
 * parameter count, exactly the spec's state_dict names with PyTorch's shapes, and a forward
 * pass of the networks and the first two samples of each space; and the parity check
 * (test/export/parity-check.ts) on ResNet-50 at 64 px, whose float32 training-mode output is
 * 1.2e-4 from float64 in PyTorch itself.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/core/train/backend';
import { makeTempDir } from '../train-data/helpers';
import { EXAMPLE_OPS, sweepExports } from './export-sweep';
import { checkParity, closeParity, example, expectClose, exportOf } from './parity-check';

let tmp: { dir: string; cleanup: () => void };
beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => undefined });
  tmp = makeTempDir('export-sweep');
});
afterAll(() => {
  closeParity();
  tmp.cleanup();
});

describe('exported PyTorch modules have the cost model parameters and the engine tensor names', () => {
  it('on every network of the reference library and 200 sampled architectures of every example space', async () => {
    // Two PyTorch processes (the machine's cores) check files while the next ones are written.
    const r = await sweepExports(join(tmp.dir, 'counts'), 200, 2);
    expect(r.networks).toBe(7);
    expect(r.spaces).toBe(8);
    expect(r.checked).toBe(7 + 8 * 200);
    // No op kind that the normal tier's samples might miss.
    expect(r.ops).toEqual(EXAMPLE_OPS);
    expect(r.bad).toEqual([]);
  });
});

describe('exported PyTorch modules compute the engine function, and weights move both ways', () => {
  it('ResNet-50 (64 px)', async () => {
    const resnet = await exportOf(example('resnet50.nas').replace('input(3, 224, 224)', 'input(3, 64, 64)'), 'ResNet50');
    expectClose(await checkParity(tmp.dir, 'resnet50', resnet.code, resnet.spec, 4));
  });
});
