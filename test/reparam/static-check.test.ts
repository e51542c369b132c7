/**
 * The static fusability check as editor diagnostics (src/core/reparam/validator.ts): blocks
 * that build but would not fuse into one convolution get a warning at their call in the
 * network; blocks that fuse (every std/blocks training-time block, hand-written DBB-style
 * branches with BN-and-pad) and sums that are not reparameterizable (residual blocks) get none;
 * sums that cannot exist are shape errors before any reparameterization.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, textAt } from '../helpers/nas.js';

const NOT_FUSABLE = 'reparam-not-fusable';

async function warnings(text: string) {
  const b = await build(text);
  return { b, found: b.diagnostics.filter((d) => d.code === NOT_FUSABLE) };
}

describe('reparameterization diagnostics', () => {
  it('the std/blocks training-time blocks fuse: none in RepVGG-A0 nor in a network of all four', async () => {
    const a0 = fs.readFileSync(path.resolve(__dirname, '../../examples/repvgg_a0.nas'), 'utf8');
    expect((await warnings(a0)).found).toEqual([]);
    const { b, found } = await warnings(`import "std/blocks"
network All {
  input(16, 32, 32)
  RepVGGBlock(16) -> RepVGGBlock(32, stride=2, groups=2) -> RepVGGBlock(32, dilation=2)
  ACBlock(32, k=5, groups=32) -> ACBlock(48, stride=2)
  DBBlock(48) -> DBBlock(48, groups=48) -> DBBlock(64, k=5, stride=2, groups=2)
  MobileOneBlock(64, groups=64, branches=4) -> MobileOneBlock(96, k=1, branches=2)
}`);
    expect(b.errors).toEqual([]);
    expect(found).toEqual([]);
  });

  it('every example elaborates without a fusability warning (residual and inverted-residual sums are not candidates)', async () => {
    const dir = path.resolve(__dirname, '../../examples');
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.nas'))) {
      const { found } = await warnings(fs.readFileSync(path.join(dir, f), 'utf8'));
      expect(found, f).toEqual([]);
    }
  });

  it('a BN followed by a zero-padded conv in a branch: warns at the block call', async () => {
    const text = `block NaiveDBB(C: int) {
  input x
  a = x -> conv(C, k=3) -> bn
  b = x -> conv(C, k=1) -> bn -> conv(C, k=3) -> bn
  add(a, b)
}
network N {
  input(8, 16, 16)
  conv(8, k=3) -> NaiveDBB(8)
}`;
    const { found } = await warnings(text);
    expect(found).toHaveLength(1);
    expect(found[0]!.severity).toBe('warning');
    expect(textAt(text, found[0]!)).toBe('NaiveDBB');
    expect(found[0]!.message).toMatch(/padded with zeros .* after a BN.*bn\(pad=p\)/);
  });

  it('the same branch with the padding in the BN (DBB BN-and-pad) fuses: no warning', async () => {
    const { b, found } = await warnings(`block GoodDBB(C: int) {
  input x
  a = x -> conv(C, k=3) -> bn
  b = x -> conv(C, k=1) -> bn(pad=1) -> conv(C, k=3, pad=0) -> bn
  add(a, b)
}
network N {
  input(8, 16, 16)
  GoodDBB(8)
}`);
    expect(b.errors).toEqual([]);
    expect(found).toEqual([]);
  });

  it('average pooling that excludes its padding: warns', async () => {
    const { found } = await warnings(`block PoolBranch(C: int) {
  input x
  add(x -> conv(C, k=3) -> bn, x -> avgpool(k=3, stride=1, pad=1, count_include_pad=false) -> bn)
}
network N {
  input(8, 16, 16)
  PoolBranch(8)
}`);
    expect(found.map((d) => d.message)).toEqual([expect.stringMatching(/excludes the padding/)]);
  });

  it('kernel centres that agree only at this input size (MobileOneBlock with an even kernel at stride 2): warns', async () => {
    const text = `import "std/blocks"
network N {
  input(8, 16, 16)
  MobileOneBlock(8, k=2, stride=2, groups=8)
}`;
    const { found } = await warnings(text);
    expect(found).toHaveLength(1);
    expect(textAt(text, found[0]!)).toBe('MobileOneBlock');
    expect(found[0]!.message).toMatch(/kernel centres differ/);
  });

  it('an identity branch beside a strided conv on a 1x1 map (the shapes agree by accident): warns', async () => {
    const { found } = await warnings(`block Skip(C: int, stride: int) {
  input x
  add(x -> conv(C, k=3, stride=stride) -> bn, x -> conv(C, k=1, stride=stride) -> bn, x -> bn)
}
network N {
  input(8, 1, 1)
  Skip(8, 2)
}`);
    expect(found.map((d) => d.message)).toEqual([expect.stringMatching(/identity branch beside a stride-2 conv.*1×1/)]);
  });

  it('impossible sums are shape errors, not fusability warnings: identity on a widening or strided block, a 1x1 padded like the 3x3', async () => {
    for (const branch of [
      'x -> conv(16, k=3) -> bn, x -> bn',
      'x -> conv(8, k=3, stride=2) -> bn, x -> bn',
      'x -> conv(8, k=3) -> bn, x -> conv(8, k=1, pad=1) -> bn',
    ]) {
      const { b, found } = await warnings(`block B {
  input x
  add(${branch})
}
network N {
  input(8, 16, 16)
  B
}`);
      expect(found, branch).toEqual([]);
      expect(
        b.errors.map((d) => d.code),
        branch,
      ).toEqual(['shape-mismatch']);
    }
  });
});
