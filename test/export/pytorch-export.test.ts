/**
 * The PyTorch export against PyTorch itself (Debian's python3-torch, /usr/bin/python3):
 *
 * - every network of the reference library and the first 3 sampled architectures of every
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
 *   and its inference-mode output equals PyTorch's (one Python process for all of them;
 *   test/export/parity-check.ts). ResNet-50 at 64 px is in pytorch-export.slow.test.ts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/core/train/backend';
import { elaborate } from '../../src/core/semantics/evaluator';
import { exportPytorch } from '../../src/core/export/pytorch';
import { REFERENCE_NETS_SOURCE } from '../../src/core/train/reference-nets-nas';
import { build } from '../helpers/nas';
import { opZoo, ZOO_OPS } from '../helpers/op-zoo';
import { makeTempDir } from '../train-data/helpers';
import { EXAMPLE_OPS, sweepExports } from './export-sweep';
import { checkParity, closeParity, cycling, example, expectClose, exportOf } from './parity-check';

let tmp: { dir: string; cleanup: () => void };
beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => undefined });
  tmp = makeTempDir('export');
});
afterAll(() => {
  closeParity();
  tmp.cleanup();
});

describe('exported PyTorch modules have the cost model parameters and the engine tensor names', () => {
  it('on every network of the reference library and 3 sampled architectures of every example space, every op kind among them', async () => {
    const r = await sweepExports(join(tmp.dir, 'counts'), 3, 1);
    expect(r.networks).toBe(7);
    expect(r.spaces).toBe(8);
    expect(r.checked).toBe(7 + 8 * 3);
    expect(r.ops).toEqual(EXAMPLE_OPS);
    expect(r.bad).toEqual([]);
  });
});

describe('exported PyTorch modules compute the engine function, and weights move both ways', () => {
  it('the three reference networks of the PyTorch peer', async () => {
    const b = await build(REFERENCE_NETS_SOURCE);
    for (const name of ['small', 'nb201', 'mbconv']) {
      const def = b.def(name);
      const e = exportPytorch(elaborate(def), def);
      expectClose(await checkParity(tmp.dir, name, e.code, e.spec, 4));
    }
  });

  it('an NB201 cell net with all five edge ops and a DARTS cell net (smaller widths)', async () => {
    const nb = await exportOf(example('nb201.nas').replace('C: int = 16, N: int = 5', 'C: int = 4, N: int = 1'), 'NB201', cycling());
    for (const op of ['zero', 'identity', 'avgpool']) expect(nb.spec.nodes.map((n) => n.op)).toContain(op);
    expectClose(await checkParity(tmp.dir, 'nb201-cells', nb.code, nb.spec, 6));
    const darts = await exportOf(
      example('darts_space.nas').replace('C: int = 16, N: int = 2', 'C: int = 4, N: int = 1').replace('input(3, 32, 32)', 'input(3, 16, 16)'),
      'DARTS',
      cycling(2),
    );
    expectClose(await checkParity(tmp.dir, 'darts', darts.code, darts.spec, 4));
  });

  it('MnasNet (64 px) and RepVGG-A0 (a = 0.25); ResNet-50 in the slow tier', async () => {
    const mnas = await exportOf(
      example('mnasnet_space.nas').replace('input(3, 224, 224)', 'input(3, 64, 64)').replace('classes: int = 1000', 'classes: int = 10'),
      'MnasNetSpace',
      cycling(1),
    );
    expectClose(await checkParity(tmp.dir, 'mnasnet', mnas.code, mnas.spec, 4));
    const repvgg = await exportOf(
      example('repvgg_a0.nas')
        .replace('a: float = 0.75, b: float = 2.5', 'a: float = 0.25, b: float = 0.5')
        .replace('input(3, 224, 224)', 'input(3, 32, 32)')
        .replace('classes: int = 1000', 'classes: int = 10'),
      'RepVGGA0',
    );
    expectClose(await checkParity(tmp.dir, 'repvgg', repvgg.code, repvgg.spec, 4));
  });

  it('a net of every other op: groups, dilation, bias, GN, hard/swish, shuffle, split, upsample, flatten-fc, zero of another width', async () => {
    const zoo = await exportOf(opZoo('flatten -> fc(32) -> relu -> dropout(0.0) -> fc(classes)'), 'Zoo');
    for (const op of [...ZOO_OPS, 'dropout']) expect(zoo.spec.nodes.map((n) => n.op)).toContain(op);
    expectClose(await checkParity(tmp.dir, 'zoo', zoo.code, zoo.spec, 4));
  });
});
