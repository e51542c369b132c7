/**
 * Two architectures of one space side by side (two samples, a search's best against a
 * baseline), each drawn as a cell or network view, with what their choices differ in marked
 * on both sides.
 */
import type { ArchitectureGraph } from './architecture.js';
import { cellView } from './cell-view.js';
import { costLine, formatCount } from './labels.js';
import { networkView, type NetworkViewOptions } from './network-view.js';
import { allNodes, type ViewGraph, type ViewNode } from './view-model.js';

export interface CompareSide {
  graph: ArchitectureGraph;
  /** Shown above its side: `sample 1`, `best`, an encoding's id. */
  label: string;
}

export interface CompareOptions extends NetworkViewOptions {
  /** Compare this cell (or block) instead of the networks. */
  cell?: string;
}

/** The keys whose taken option differs, or that only one of the two reached. */
export function differingKeys(a: ArchitectureGraph, b: ArchitectureGraph): Set<string> {
  const taken = new Map(b.choices.map((c) => [c.key, c.taken]));
  const out = new Set<string>();
  for (const c of a.choices) if (taken.get(c.key) !== c.taken) out.add(c.key);
  const inA = new Set(a.choices.map((c) => c.key));
  for (const c of b.choices) if (!inA.has(c.key)) out.add(c.key);
  return out;
}

/**
 * Marks `diff` on the boxes and edges of `view` made under a differing choice, or by a call
 * whose argument is one (`conv(8, k = choice(3, 5))`: the conv).
 */
function markDifferences(view: ViewGraph, g: ArchitectureGraph, keys: ReadonlySet<string>): void {
  const differing = g.choices.filter((c) => keys.has(c.key));
  const argumentOf = new Set(differing.flatMap((c) => c.argumentOf?.nodes ?? []));
  const calls = new Set(differing.flatMap((c) => (c.argumentOf?.groups ?? []).map((id) => g.groups[id]?.key)));
  const differs = (members: readonly number[]): boolean => members.some((m) => argumentOf.has(m) || g.nodes[m]!.choiceKeys.some((k) => keys.has(k)));
  const fedBy = new Set(differing.filter((c) => c.within).map((c) => c.within!));
  for (const n of allNodes(view.nodes)) {
    if (differs(n.members) || fedBy.has(n.title) || (n.groupKey !== undefined && calls.has(n.groupKey)))
      n.marks = [...n.marks.filter((m) => m !== 'chosen'), 'diff'];
  }
  for (const e of view.edges) if (differs(e.members)) e.marks = [...e.marks.filter((m) => m !== 'chosen'), 'diff'];
}

function frame(side: CompareSide, view: ViewGraph, prefix: string, other: ArchitectureGraph): ViewNode {
  const rename = (n: ViewNode): ViewNode => ({ ...n, id: `${prefix}${n.id}`, children: n.children?.map(rename) });
  const delta = side.graph.totals.macs - other.totals.macs;
  return {
    id: `${prefix}frame`,
    kind: 'frame',
    title: side.label,
    lines: [
      `${costLine(view.totals.params, view.totals.macs)}${prefix === 'b:' && delta !== 0 ? ` (network ${delta > 0 ? '+' : '−'}${formatCount(Math.abs(delta))} MACs)` : ''}`,
    ],
    family: 'block',
    params: view.totals.params,
    macs: view.totals.macs,
    members: [],
    marks: [],
    tooltip: [side.label, view.subtitle],
    children: view.nodes.map(rename),
  };
}

export function compareView(a: CompareSide, b: CompareSide, options: CompareOptions = {}): ViewGraph | undefined {
  const draw = (g: ArchitectureGraph): ViewGraph | undefined =>
    options.cell ? cellView(g, options.cell, { hideZero: options.hideZero, direction: options.direction }) : networkView(g, options);
  const va = draw(a.graph);
  const vb = draw(b.graph);
  if (!va || !vb) return undefined;
  const keys = differingKeys(a.graph, b.graph);
  markDifferences(va, a.graph, keys);
  markDifferences(vb, b.graph, keys);
  const takenB = new Map(b.graph.choices.map((c) => [c.key, c.taken]));
  return {
    kind: 'compare',
    title: `${va.title}: ${a.label} and ${b.label}`,
    subtitle: `${keys.size} of ${new Set([...a.graph.choices, ...b.graph.choices].map((c) => c.key)).size} choices differ`,
    direction: va.direction,
    nodes: [frame(a, va, 'a:', b.graph), frame(b, vb, 'b:', a.graph)],
    edges: [
      ...va.edges.map((e) => ({ ...e, id: `a:${e.id}`, source: `a:${e.source}`, target: `a:${e.target}` })),
      ...vb.edges.map((e) => ({ ...e, id: `b:${e.id}`, source: `b:${e.source}`, target: `b:${e.target}` })),
    ],
    totals: a.graph.totals,
    choices: va.choices.map((c) => ({ ...c, other: takenB.get(c.key) !== c.taken ? takenB.get(c.key) : undefined })),
    uri: a.graph.uri,
  };
}
