/**
 * Two architectures side by side with their differences marked, a fusion pair (RepVGG's
 * training block beside the 3x3 conv it folds into, Ding et al. 2021), and a layout that
 * stays put across a small edit.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { architectureOf } from '../../src/core/views/from-elaboration.js';
import { compareView, differingKeys } from '../../src/core/views/compare-view.js';
import { fusionPairView } from '../../src/core/views/fusion-view.js';
import { networkView } from '../../src/core/views/network-view.js';
import { layoutView } from '../../src/core/views/elk-graph.js';
import { allNodes } from '../../src/core/views/view-model.js';
import { build } from '../helpers/nas.js';
import { DARTS_V2, graphOf } from '../helpers/published-cells.js';
import { sceneProblems } from '../helpers/scene-checks.js';

const elk = new ELK();

describe('compareView', () => {
  it('marks on both sides the edge whose op differs, and only it', async () => {
    const a = await graphOf('darts_space.nas', 'DARTS', DARTS_V2);
    // DARTS-V2 with n3's dil_conv_3x3 (on n0) made a sep_conv_5x5.
    const changed = { ...DARTS_V2, NormalCell: { ...DARTS_V2['NormalCell']!, n3: ['p0 + n0', 'skip_connect', 'sep_conv_5x5'] } };
    const b = await graphOf('darts_space.nas', 'DARTS', changed);
    expect(differingKeys(a, b).size).toBe(1);
    const view = compareView({ graph: a, label: 'DARTS-V2' }, { graph: b, label: 'variant' }, { cell: 'NormalCell' })!;
    expect(view.nodes.map((n) => `${n.kind} ${n.title}`)).toEqual(['frame DARTS-V2', 'frame variant']);
    const title = new Map([...allNodes(view.nodes)].map((n) => [n.id, n.title]));
    const marked = view.edges
      .filter((e) => e.marks.includes('diff'))
      .map((e) => `${e.id.slice(0, 2)}${title.get(e.source)}>${title.get(e.target)}: ${e.label?.join()}`);
    expect(marked.sort()).toEqual(['a:n0>n3: dil_conv_3x3', 'b:n0>n3: sep_conv_5x5']);
    expect(view.subtitle).toBe('1 of 24 choices differ');
    const scene = await layoutView(view, (g) => elk.layout(g));
    expect(sceneProblems(scene)).toEqual([]);
    // Side by side: the second frame starts right of the first.
    const [fa, fb] = scene.nodes.filter((s) => s.node.kind === 'frame');
    expect(fb!.x).toBeGreaterThan(fa!.x + fa!.width);
  });

  it('marks the op or block call whose argument is a differing choice, in the instance that decided it only', async () => {
    const b = await build(
      'block B(c: int) {\n  conv(c, k = choice(3, 5)) -> relu\n}\nspace S {\n  input(3, 16, 16)\n  x = B(8)\n  y = B(c = choice(8, 16))\n  output y -> conv(4, k = max(choice(1, 3), 1))\n}\n',
    );
    expect(b.errors).toEqual([]);
    const def = b.def('S');
    const base = architectureOf(def).graph;
    // The choices in decision order: x's kernel, y's width, y's kernel, the last conv's kernel.
    const [kx, width, ky, last] = base.choices.map((c) => c.key);
    const marked = (decisions: [string, number][], expand: 'all' | 'none') => {
      const other = architectureOf(def, { decisions: new Map(decisions) }).graph;
      const view = compareView({ graph: base, label: 'a' }, { graph: other, label: 'b' }, { expand })!;
      // Each marked box with the graph's nodes it stands for (0 input, 1-2 x's B, 3-4 y's B, 5 the last conv).
      return [...allNodes(view.nodes)]
        .filter((n) => n.id.startsWith('b:') && n.marks.includes('diff'))
        .map((n) => `${n.kind} ${n.title} [${n.children ? '' : n.members.join()}]`);
    };
    // y's kernel: the conv of the second B only (and the expanded B around it), or the collapsed B.
    expect(marked([[ky!, 1]], 'all')).toEqual(['group B(8) []', 'op conv 5×5 [3]']);
    expect(marked([[ky!, 1]], 'none')).toEqual(['group B(8) [3,4]']);
    expect(marked([[kx!, 1]], 'all')).toEqual(['group B(8) []', 'op conv 5×5 [1]']);
    // y's width, an argument of the call B(c = ...): that B.
    expect(marked([[width!, 1]], 'none')).toEqual(['group B(16) [3,4]']);
    // A choice inside max(...) inside conv(...): the conv, not a node of max.
    expect(marked([[last!, 1]], 'all')).toEqual(['op conv 3×3 [5]']);
  });
});

describe('fusionPairView', () => {
  it("draws a RepVGG block's three branches beside the one conv of its deploy form", async () => {
    const train = await graphOf('repvgg_a0.nas', 'RepVGGA0');
    // The second block of stage 2 (stride 1, 48 -> 48 channels: it has the identity-BN branch).
    const block = train.groups.find((g) => g.kind === 'instance' && g.name === 'RepVGGBlock' && g.repeatIndex === 0)!;
    const deployDoc = await build('network Deployed {\n  input(48, 56, 56)\n  conv(48, k=3, bias=true) -> relu\n}\n');
    const deploy = architectureOf(deployDoc.def('Deployed')).graph;
    const view = fusionPairView({
      title: 'RepVGGBlock(48)',
      train: { graph: train, group: block.id, label: 'training' },
      deploy: { graph: deploy, label: 'deploy' },
    });
    const [t, d] = view.nodes;
    expect(t!.children!.map((n) => n.title).sort()).toEqual(['add', 'bn', 'bn', 'bn', 'conv 1×1', 'conv 3×3', 'x', 'relu'].sort());
    expect(d!.children!.map((n) => n.title)).toEqual(['input', 'conv 3×3', 'relu']);
    // Folding changes no output: both sides end in 48×56×56, and the deploy conv has the
    // training block's 3x3 kernel plus bias (48·48·9 + 48).
    expect(t!.children!.find((n) => n.title === 'relu')!.lines[0]).toBe('48×56×56');
    expect(d!.params).toBe(48 * 48 * 9 + 48);
    expect(t!.params).toBe(48 * 48 * 9 + 48 * 48 + 3 * 2 * 48);
    const scene = await layoutView(view, (g) => elk.layout(g));
    expect(sceneProblems(scene)).toEqual([]);
  });
});

describe('layout stability', () => {
  it('keeps every box where it was when an edit changes one layer', async () => {
    const text = (classes: number) =>
      `import "std/blocks"\nnetwork N {\n  input(3, 32, 32)\n  conv(16, k=3) -> bn -> relu\n  BasicBlock(16) * 2\n  BasicBlock(32, stride=2)\n  gap -> fc(${classes})\n}\n`;
    const before = await layoutView(networkView(architectureOf((await build(text(10))).def('N')).graph), (g) => elk.layout(g));
    const after = await layoutView(networkView(architectureOf((await build(text(100))).def('N')).graph), (g) => elk.layout(g));
    const at = (s: typeof before) => new Map(s.nodes.map((n) => [n.node.id, [n.x + n.width / 2, n.y]]));
    const a = at(before);
    const b = at(after);
    expect([...b.keys()]).toEqual([...a.keys()]);
    // The edited box (`fc 100`, wider than `fc 10`) may shift its centre by the half pixel its
    // width rounds to; every box keeps its row and, within a pixel, its column.
    for (const [id, [x, y]] of a) {
      expect(b.get(id)![1], id).toBe(y);
      expect(Math.abs(b.get(id)![0]! - x!), id).toBeLessThanOrEqual(1);
    }
  });
});
