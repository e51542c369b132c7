/**
 * Cell views of published cells, built from the examples' spaces with the papers' genotypes:
 * NASNet-A (Zoph et al. 2018, Figure 4; tensorflow/models slim nasnet_utils.py
 * NasNetANormalCell / NasNetAReductionCell), DARTS-V2 (Liu et al. 2019, genotypes.py
 * DARTS_V2) and NAS-Bench-201's best CIFAR-10 cell (Dong & Yang 2020). Each is checked edge by
 * edge, then laid out with elkjs and checked for overlaps and port attachment.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { cellView } from '../../src/core/views/cell-view.js';
import { layoutView } from '../../src/core/views/elk-graph.js';
import type { ViewGraph } from '../../src/core/views/view-model.js';
import type { CellGenotypes } from '../helpers/genotype.js';
import { AVG, DARTS_V2, MAX, NASNET_A, NB201_BEST, SEP3, SEP5, SEP7, graphOf } from '../helpers/published-cells.js';
import { sceneProblems } from '../helpers/scene-checks.js';

const elk = new ELK();

/** `from -> to.port: label` per edge, by box titles, sorted. */
function edgesOf(view: ViewGraph): string[] {
  const title = new Map(view.nodes.map((n) => [n.id, n.title]));
  return view.edges
    .map(
      (e) =>
        `${title.get(e.source)} -> ${title.get(e.target)}${e.targetPort !== undefined ? `.${e.targetPort}` : ''}: ${(e.label ?? []).join(' / ')}${e.marks.length ? ` [${e.marks.join(',')}]` : ''}`,
    )
    .sort();
}

async function expectCleanLayout(view: ViewGraph): Promise<void> {
  const scene = await layoutView(view, (g) => elk.layout(g));
  expect(sceneProblems(scene)).toEqual([]);
  expect(scene.nodes.length).toBe(view.nodes.length);
  expect(scene.edges.every((e) => e.points.length >= 2)).toBe(true);
}

describe('NASNet-A cells (examples/nasnet_space.nas)', () => {
  it('draws the normal cell of the paper: five adds on h(i-1), h(i-2), their ops on the edges, the loose ends concatenated', async () => {
    const graph = await graphOf('nasnet_space.nas', 'NASNet', NASNET_A);
    const view = cellView(graph, 'NormalCell')!;
    expect(view.nodes.map((n) => `${n.kind} ${n.title}`)).toEqual([
      'input h(i−2)',
      'input h(i−1)',
      'state h0',
      'state h1',
      'combine b0',
      'combine b1',
      'combine b2',
      'combine b3',
      'combine b4',
      'combine output',
    ]);
    expect(edgesOf(view)).toEqual(
      [
        'h(i−2) -> h0: ReLUConvBN(32, k=1)',
        'h(i−1) -> h1: ReLUConvBN(32, k=1)',
        `h1 -> b0.0: ${SEP5}`,
        `h0 -> b0.1: ${SEP3}`,
        `h0 -> b1.0: ${SEP5}`,
        `h0 -> b1.1: ${SEP3}`,
        `h1 -> b2.0: ${AVG}`,
        'h0 -> b2.1: identity',
        `h0 -> b3.0: ${AVG}`,
        `h0 -> b3.1: ${AVG}`,
        `h1 -> b4.0: ${SEP3}`,
        'h1 -> b4.1: identity',
        'b0 -> output.0: ',
        'b1 -> output.1: ',
        'b2 -> output.2: ',
        'b3 -> output.3: ',
        'b4 -> output.4: ',
      ].sort(),
    );
    await expectCleanLayout(view);
  });

  it('draws the reduction cell: blocks reading blocks, only the unused blocks concatenated', async () => {
    const graph = await graphOf('nasnet_space.nas', 'NASNet', NASNET_A);
    const view = cellView(graph, 'ReductionCell')!;
    expect(view.nodes.find((n) => n.title === 'output')!.lines).toEqual(['concat · 192×16×16']);
    expect(edgesOf(view)).toEqual(
      [
        'h(i−2) -> h0: ReLUConvBN(64, k=1)',
        'h(i−1) -> h1: ReLUConvBN(64, k=1)',
        `h1 -> b0.0: ${SEP5}`,
        `h0 -> b0.1: ${SEP7}`,
        `h1 -> b1.0: ${MAX}`,
        `h0 -> b1.1: ${SEP7}`,
        `h1 -> b2.0: ${AVG}`,
        `h0 -> b2.1: ${SEP5}`,
        'b1 -> b3.0: identity',
        `b0 -> b3.1: ${AVG}`,
        `b0 -> b4.0: ${SEP3}`,
        `h1 -> b4.1: ${MAX}`,
        'b2 -> output.0: ',
        'b3 -> output.1: ',
        'b4 -> output.2: ',
      ].sort(),
    );
    await expectCleanLayout(view);
  });
});

describe('DARTS-V2 cells (examples/darts_space.nas)', () => {
  it('draws the normal cell of DARTS Figure 4: four sums of two ops, concatenated', async () => {
    const graph = await graphOf('darts_space.nas', 'DARTS', DARTS_V2);
    const view = cellView(graph, 'NormalCell')!;
    expect(view.nodes.map((n) => n.title)).toEqual(['h(i−2)', 'h(i−1)', 'p0', 'p1', 'n0', 'n1', 'n2', 'n3', 'output']);
    expect(edgesOf(view)).toEqual(
      [
        'h(i−2) -> p0: Preprocess(16, 32)',
        'h(i−1) -> p1: Preprocess(16, 32)',
        'p0 -> n0.0: sep_conv_3x3',
        'p1 -> n0.1: sep_conv_3x3',
        'p0 -> n1.0: sep_conv_3x3',
        'p1 -> n1.1: sep_conv_3x3',
        'p0 -> n2.0: skip_connect',
        'p1 -> n2.1: sep_conv_3x3',
        'p0 -> n3.0: skip_connect',
        'n0 -> n3.1: dil_conv_3x3',
        'n0 -> output.0: ',
        'n1 -> output.1: ',
        'n2 -> output.2: ',
        'n3 -> output.3: ',
      ].sort(),
    );
    await expectCleanLayout(view);
  });

  it('draws the reduction cell, its ops on the cell inputs taken with stride 2', async () => {
    const graph = await graphOf('darts_space.nas', 'DARTS', DARTS_V2);
    const view = cellView(graph, 'ReductionCell')!;
    expect(edgesOf(view)).toEqual(
      [
        'h(i−2) -> p0: Preprocess(32, 32)',
        'h(i−1) -> p1: Preprocess(32, 32)',
        'p0 -> n0.0: max_pool_3x3',
        'p1 -> n0.1: max_pool_3x3',
        'p1 -> n1.0: max_pool_3x3',
        'n0 -> n1.1: skip_connect',
        'p0 -> n2.0: max_pool_3x3',
        'n0 -> n2.1: skip_connect',
        'p1 -> n3.0: max_pool_3x3',
        'n0 -> n3.1: skip_connect',
        'n0 -> output.0: ',
        'n1 -> output.1: ',
        'n2 -> output.2: ',
        'n3 -> output.3: ',
      ].sort(),
    );
    // The max pools on p0 and p1 halve the resolution: every node is 16 x 16.
    for (const n of ['n0', 'n1', 'n2', 'n3']) expect(view.nodes.find((v) => v.title === n)!.lines).toEqual(['add · 32×16×16']);
    // Stride-2 max pools are single ops on the edges.
    const pool = view.edges.find((e) => e.label?.[0] === 'max_pool_3x3')!;
    expect(pool.members.map((m) => graph.nodes[m]!.op)).toEqual(['maxpool']);
    expect(graph.nodes[pool.members[0]!]!.attrs['stride']).toBe(2);
    await expectCleanLayout(view);
  });

  it('as a space: each edge lists the eight ops with the taken one marked, the inputs not taken as candidates', async () => {
    const graph = await graphOf('darts_space.nas', 'DARTS', DARTS_V2);
    const view = cellView(graph, 'NormalCell', { space: true })!;
    const ops = ['none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'sep_conv_3x3', 'sep_conv_5x5', 'dil_conv_3x3', 'dil_conv_5x5'];
    const title = new Map(view.nodes.map((n) => [n.id, n.title]));
    const opEdges = view.edges.filter((e) => e.label && e.label.length === 8);
    expect(opEdges).toHaveLength(8);
    for (const e of opEdges) expect(e.label).toEqual(ops);
    const taken = opEdges.map((e) => `${title.get(e.source)}>${title.get(e.target)}=${ops[e.chosenLine!]}`).sort();
    expect(taken).toEqual(
      [
        'n0>n3=dil_conv_3x3',
        'p0>n0=sep_conv_3x3',
        'p0>n1=sep_conv_3x3',
        'p0>n2=skip_connect',
        'p0>n3=skip_connect',
        'p1>n0=sep_conv_3x3',
        'p1>n1=sep_conv_3x3',
        'p1>n2=sep_conv_3x3',
      ].sort(),
    );
    // n1 could read n0, n2 could read n0 and n1, n3 could read p1, n1 and n2: six inputs not taken.
    const candidates = view.edges.filter((e) => e.marks.includes('candidate')).map((e) => `${title.get(e.source)}>${title.get(e.target)}`);
    expect(candidates.sort()).toEqual(['n0>n1', 'n0>n2', 'n1>n2', 'n1>n3', 'n2>n3', 'p1>n3'].sort());
    expect(view.choices).toHaveLength(12);
    await expectCleanLayout(view);
  });
});

describe('a NAS-Bench-201 cell (examples/nb201.nas)', () => {
  it("draws the benchmark's best CIFAR-10 cell: node j sums one op on every earlier node", async () => {
    const graph = await graphOf('nb201.nas', 'NB201', NB201_BEST);
    const view = cellView(graph, 'NB201Cell')!;
    expect(view.nodes.map((n) => `${n.kind} ${n.title} ${n.lines.join()}`)).toEqual([
      'input h(i−1) n0 · 16×32×32',
      'state n1 16×32×32',
      'combine n2 add · 16×32×32',
      'combine n3 output · add · 16×32×32',
    ]);
    expect(edgesOf(view)).toEqual(
      [
        'h(i−1) -> n1: nor_conv_3x3',
        'h(i−1) -> n2.0: nor_conv_3x3',
        'n1 -> n2.1: nor_conv_3x3',
        'h(i−1) -> n3.0: skip_connect',
        'n1 -> n3.1: nor_conv_3x3',
        'n2 -> n3.2: nor_conv_3x3',
      ].sort(),
    );
    await expectCleanLayout(view);
  });

  it('draws zero edges dashed, or leaves them out', async () => {
    const zeros: CellGenotypes = { NB201Cell: { n1: ['skip_connect'], n2: ['none', 'nor_conv_1x1'], n3: ['none', 'none', 'skip_connect'] } };
    const graph = await graphOf('nb201.nas', 'NB201', zeros);
    expect(edgesOf(cellView(graph, 'NB201Cell')!)).toEqual(
      [
        'h(i−1) -> n1: skip_connect',
        'h(i−1) -> n2.0: none [zero]',
        'n1 -> n2.1: nor_conv_1x1',
        'h(i−1) -> n3.0: none [zero]',
        'n1 -> n3.1: none [zero]',
        'n2 -> n3.2: skip_connect',
      ].sort(),
    );
    const hidden = cellView(graph, 'NB201Cell', { hideZero: true })!;
    expect(edgesOf(hidden)).toEqual(['h(i−1) -> n1: skip_connect', 'n1 -> n2.1: nor_conv_1x1', 'n2 -> n3.2: skip_connect'].sort());
    await expectCleanLayout(hidden);
  });
});
