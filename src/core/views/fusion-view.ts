/**
 * A fusion pair: a block in its training-time form beside its deploy form (RepVGG, Ding et
 * al., "RepVGG: Making VGG-style ConvNets Great Again", CVPR 2021: three conv-BN branches
 * and their sum beside the one 3×3 conv they fold into). The fusion command calls
 * `fusionPairView` with the two elaborations and draws it like any other view.
 */
import type { ArchitectureGraph } from './architecture.js';
import { costLine } from './labels.js';
import { networkView } from './network-view.js';
import type { ViewGraph, ViewNode } from './view-model.js';

export interface FusionSide {
  graph: ArchitectureGraph;
  /** The block instance to draw (an ArchGroup id); absent: the whole network. */
  group?: number;
  /** `training`, `deploy`. */
  label: string;
}

export interface FusionPair {
  train: FusionSide;
  deploy: FusionSide;
  /** Above both: `RepVGGBlock(64)`. */
  title: string;
  direction?: 'DOWN' | 'RIGHT';
}

export function fusionPairView(pair: FusionPair): ViewGraph {
  const side = (s: FusionSide, prefix: string): { frame: ViewNode; view: ViewGraph } => {
    const view = networkView(s.graph, { expand: 'all', within: s.group, direction: pair.direction });
    const rename = (n: ViewNode): ViewNode => ({ ...n, id: `${prefix}${n.id}`, children: n.children?.map(rename) });
    const frame: ViewNode = {
      id: `${prefix}frame`,
      kind: 'frame',
      title: s.label,
      lines: [costLine(view.totals.params, view.totals.macs) || 'no parameters'],
      family: 'block',
      params: view.totals.params,
      macs: view.totals.macs,
      members: [],
      marks: [],
      tooltip: [s.label, view.title, view.subtitle],
      children: view.nodes.map(rename),
    };
    return { frame, view };
  };
  const t = side(pair.train, 't:');
  const d = side(pair.deploy, 'd:');
  const prefixEdges = (v: ViewGraph, p: string) => v.edges.map((e) => ({ ...e, id: `${p}${e.id}`, source: `${p}${e.source}`, target: `${p}${e.target}` }));
  return {
    kind: 'fusion',
    title: pair.title,
    subtitle: `${pair.train.label}: ${t.frame.lines[0]} → ${pair.deploy.label}: ${d.frame.lines[0]}`,
    direction: pair.direction ?? 'DOWN',
    nodes: [t.frame, d.frame],
    edges: [...prefixEdges(t.view, 't:'), ...prefixEdges(d.view, 'd:')],
    totals: d.view.totals,
    choices: [],
    uri: pair.train.graph.uri,
  };
}
