/**
 * Network views: ResNet-50 collapsed and expanded (its stages against torchvision's
 * parameter counts, `sum(p.numel() for p in resnet50().layerK.parameters())`), NAS-Bench-201's
 * repeated cells, and the layout of each checked for overlaps and port attachment.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { architectureOf } from '../../src/core/views/from-elaboration.js';
import { networkView } from '../../src/core/views/network-view.js';
import { layoutView } from '../../src/core/views/elk-graph.js';
import { allNodes, type ViewGraph } from '../../src/core/views/view-model.js';
import type { ArchitectureGraph } from '../../src/core/views/architecture.js';
import { build } from '../helpers/nas.js';
import { sceneProblems } from '../helpers/scene-checks.js';

const ROOT = path.resolve(__dirname, '../..');
const elk = new ELK();

async function graphOf(example: string, name: string): Promise<ArchitectureGraph> {
  const b = await build(fs.readFileSync(path.join(ROOT, 'examples', example), 'utf8'));
  expect(b.errors).toEqual([]);
  return architectureOf(b.def(name)).graph;
}

async function expectCleanLayout(view: ViewGraph): Promise<void> {
  const scene = await layoutView(view, (g) => elk.layout(g));
  expect(sceneProblems(scene)).toEqual([]);
}

describe('ResNet-50 (examples/resnet50.nas)', () => {
  it('collapsed: the stem, each stage as its down-sampling block and its repeat, the head', async () => {
    const g = await graphOf('resnet50.nas', 'ResNet50');
    const view = networkView(g);
    expect(view.nodes.map((n) => n.title)).toEqual([
      'input',
      'conv 7×7/2',
      'bn',
      'relu',
      'maxpool 3×3/2',
      'Bottleneck(64) ×3',
      'Bottleneck(128, stride=2)',
      'Bottleneck(128) ×3',
      'Bottleneck(256, stride=2)',
      'Bottleneck(256) ×5',
      'Bottleneck(512, stride=2)',
      'Bottleneck(512) ×2',
      'gap',
      'fc 1000',
    ]);
    const params = (...titles: string[]) => view.nodes.filter((n) => titles.includes(n.title)).reduce((s, n) => s + n.params, 0);
    expect(params('Bottleneck(64) ×3')).toBe(215_808);
    expect(params('Bottleneck(128, stride=2)', 'Bottleneck(128) ×3')).toBe(1_219_584);
    expect(params('Bottleneck(256, stride=2)', 'Bottleneck(256) ×5')).toBe(7_098_368);
    expect(params('Bottleneck(512, stride=2)', 'Bottleneck(512) ×2')).toBe(14_964_736);
    expect(view.nodes.reduce((s, n) => s + n.params, 0)).toBe(25_557_032);
    expect(view.nodes.find((n) => n.title === 'Bottleneck(256) ×5')!.lines[0]).toBe('1024×14×14');
    // A chain: each box feeds the next.
    const title = new Map(view.nodes.map((n) => [n.id, n.title]));
    expect(view.edges.map((e) => `${title.get(e.source)} > ${title.get(e.target)}`)).toEqual(
      view.nodes.slice(1).map((n, i) => `${view.nodes[i]!.title} > ${n.title}`),
    );
    // Every node of the network is in exactly one box.
    const members = view.nodes.flatMap((n) => n.members).sort((a, b) => a - b);
    expect(members).toEqual(g.nodes.map((n) => n.id));
    await expectCleanLayout(view);
  });

  it('expanded: every op once, every block and repeat a frame, every input an edge, adds fed on their ports', async () => {
    const g = await graphOf('resnet50.nas', 'ResNet50');
    const view = networkView(g, { expand: 'all' });
    const boxes = [...allNodes(view.nodes)];
    const leaves = boxes.filter((n) => !n.children);
    const frames = boxes.filter((n) => n.children);
    expect(leaves.flatMap((n) => n.members).sort((a, b) => a - b)).toEqual(g.nodes.map((n) => n.id));
    expect(leaves).toHaveLength(g.nodes.length);
    // 4 repeats holding 3 + 3 + 5 + 2 instances, and the 3 down-sampling bottlenecks outside them: 16 bottlenecks.
    expect(frames.filter((f) => f.title.endsWith('×3') || f.title.endsWith('×5') || f.title.endsWith('×2'))).toHaveLength(4);
    expect(frames).toHaveLength(4 + 16);
    expect(view.edges).toHaveLength(g.nodes.reduce((s, n) => s + n.inputs.length, 0));
    const adds = leaves.filter((n) => n.title === 'add');
    expect(adds).toHaveLength(16);
    for (const add of adds) {
      const into = view.edges.filter((e) => e.target === add.id);
      expect(into.map((e) => e.targetPort).sort()).toEqual([0, 1]);
      const node = g.nodes[add.members[0]!]!;
      for (const e of into) expect(e.source).toBe(`n${node.inputs[e.targetPort!]}`);
    }
    await expectCleanLayout(view);
  });

  it('expands one repeat in place: its instances appear, each collapsed', async () => {
    const g = await graphOf('resnet50.nas', 'ResNet50');
    const repeat = networkView(g).nodes.find((n) => n.title === 'Bottleneck(128) ×3')!;
    const view = networkView(g, { expand: new Set([repeat.groupKey!]) });
    const frame = view.nodes.find((n) => n.id === repeat.id)!;
    expect(frame.children!.map((c) => c.title)).toEqual(['Bottleneck #1', 'Bottleneck #2', 'Bottleneck #3']);
    expect(frame.children!.every((c) => c.expandable && !c.children)).toBe(true);
    expect(view.nodes).toHaveLength(14);
    await expectCleanLayout(view);
  });
});

describe('other networks', () => {
  it('NAS-Bench-201: a stage of five cells is one box', async () => {
    const g = await graphOf('nb201.nas', 'NB201');
    const titles = networkView(g).nodes.map((n) => n.title);
    expect(titles).toEqual([
      'input',
      'conv 3×3',
      'bn',
      'NB201Cell(16) ×5',
      'NB201ResBlock(32)',
      'NB201Cell(32) ×5',
      'NB201ResBlock(64)',
      'NB201Cell(64) ×5',
      'bn',
      'relu',
      'gap',
      'fc 10',
    ]);
  });

  it('DARTS: a two-input cell box takes h(i-2) and h(i-1) on two ports', async () => {
    const g = await graphOf('darts_space.nas', 'DARTS');
    const view = networkView(g);
    const title = new Map(view.nodes.map((n) => [n.id, n.title]));
    const reduction = view.nodes.find((n) => n.title.startsWith('ReductionCell(32)'))!;
    expect(reduction.ports).toEqual(['s0', 's1']);
    const into = view.edges.filter((e) => e.target === reduction.id).map((e) => `${title.get(e.source)}.${e.targetPort}`);
    // The first repeat's last two outputs: its box provides both.
    expect(into).toEqual(['NormalCell(16) ×2.0', 'NormalCell(16) ×2.1']);
    await expectCleanLayout(view);
  });

  it('EfficientNet-B0 expanded lays out without overlaps', async () => {
    const g = await graphOf('efficientnet_b0.nas', 'EfficientNetB0');
    const view = networkView(g, { expand: 'all' });
    expect([...allNodes(view.nodes)].filter((n) => !n.children)).toHaveLength(g.nodes.length);
    await expectCleanLayout(view);
  });
});
