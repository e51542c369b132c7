/**
 * The deployment blocks of std/blocks are what the training-time blocks fuse into: for a
 * network of every training-time block with varied arguments, each block's sum, fused by the
 * same geometry rules as the weight transforms, is exactly the conv (kernel, padding,
 * dilation, groups, stride, widths) of the deployment block that `nas fuse` puts in its place,
 * with a bias; and the network's output shape is unchanged.
 */
import { describe, expect, it } from 'vitest';
import { URI } from 'langium';
import type { ConvShape } from '../../src/core/reparam/conv.js';
import { convNodeShape, reparamSums } from '../../src/core/reparam/check-graph.js';
import { fuseSource } from '../../src/core/reparam/source-fusion.js';
import { elaborate } from '../../src/core/semantics/evaluator/index.js';
import type { Definition, Document } from '../../src/core/language/syntax/generated/ast.js';
import { build, sharedWorkspace } from '../helpers/nas.js';

const NETWORK = `import "std/blocks"
network Train {
  input(12, 20, 20)
  RepVGGBlock(12) -> RepVGGBlock(24, stride=2, groups=2) -> RepVGGBlock(24, dilation=2) -> RepVGGBlock(24, groups=24)
  ACBlock(24, k=5, groups=24) -> ACBlock(36, stride=2) -> ACBlock(36, k=3, dilation=2, groups=3) -> ACBlock(36, k=1)
  DBBlock(36) -> DBBlock(36, groups=36) -> DBBlock(48, k=5, stride=2, groups=4) -> DBBlock(48, k=1, internal=24) -> DBBlock(48, groups=48, internal=144)
  MobileOneBlock(48, groups=48, branches=4) -> MobileOneBlock(64, k=1, branches=2) -> MobileOneBlock(64, k=5, stride=2, groups=64) -> MobileOneBlock(64, k=1)
}
`;

const geometry = (s: ConvShape) => ({
  in: s.in,
  out: s.out,
  groups: s.groups,
  kernel: [s.kh, s.kw],
  stride: s.stride,
  pad: s.pad,
  // Dilation of a 1-tap dimension changes nothing.
  dilation: [s.kh === 1 ? 1 : s.dilation[0], s.kw === 1 ? 1 : s.dilation[1]],
});

describe('deployment blocks', () => {
  it('are exactly the convolutions the training-time blocks fuse into', async () => {
    const train = await build(NETWORK);
    expect(train.errors).toEqual([]);
    const trainDef = train.def('Train');
    const trained = elaborate(trainDef);
    const sums = reparamSums(trained.graph);
    expect(sums.filter((s) => s.error)).toEqual([]);
    const fused = sums.map((s) => geometry(s.fused!));
    expect(fused).toHaveLength(17);

    const deployText = fuseSource(trainDef).text;
    const doc = await sharedWorkspace().addText(deployText, URI.file('/virtual/deploy-forms.deploy.nas'));
    const deployDef = (doc.parseResult.value as Document).elements.find((e): e is Definition => e.$type === 'Definition' && e.name === 'Train')!;
    const deployed = elaborate(deployDef);
    expect(deployed.diagnostics).toEqual([]);
    const convs = deployed.graph.nodes.filter((n) => n.op === 'conv');
    expect(convs.every((n) => n.attrs['bias'] === true)).toBe(true);
    expect(convs.map((n) => geometry(convNodeShape(deployed.graph, n.id)))).toEqual(fused);
    const [a, b] = [trained.output!.shape, deployed.output!.shape];
    expect(b).toEqual(a);
  });
});
