/**
 * A made-up view for warming up elkjs before the first real layout: `frames` expanded groups in
 * a chain, each a small cell (nodes with two and three input ports, labelled edges, an edge
 * from two frames back), the paths real views take through ELK's layered algorithm.
 */
import type { ViewEdge, ViewGraph, ViewNode } from './view-model.js';

export function warmUpView(frames: number): ViewGraph {
  const box = (id: string, ports?: string[]): ViewNode => ({
    id,
    kind: 'op',
    title: id,
    lines: ['64×56×56'],
    family: 'conv',
    params: 0,
    macs: 0,
    members: [],
    marks: [],
    tooltip: [],
    ports,
  });
  const nodes: ViewNode[] = [box('in')];
  const edges: ViewEdge[] = [];
  const edge = (source: string, target: string, targetPort?: number, label?: string[]): void => {
    edges.push({ id: `e${edges.length}`, source, target, targetPort, label, marks: [], members: [], tooltip: [] });
  };
  let prev = 'in';
  let prev2 = 'in';
  for (let f = 0; f < frames; f++) {
    const k = (i: number): string => `f${f}.${i}`;
    nodes.push({ ...box(`f${f}`), kind: 'group', children: [box(k(0)), box(k(1)), box(k(2)), box(k(3), ['', '']), box(k(4), ['', '', ''])] });
    edge(prev, k(0));
    edge(prev2, k(1), undefined, ['sep_conv_3x3']);
    edge(k(0), k(2), undefined, ['skip_connect']);
    edge(k(1), k(3), 0);
    edge(k(2), k(3), 1, ['max_pool_3x3']);
    edge(k(3), k(4), 0);
    edge(k(0), k(4), 1, ['sep_conv_5x5']);
    edge(prev, k(4), 2);
    prev2 = prev;
    prev = k(4);
  }
  nodes.push(box('out'));
  edge(prev, 'out');
  return {
    kind: 'network',
    title: 'warm-up',
    subtitle: '',
    direction: 'DOWN',
    nodes,
    edges,
    totals: { params: 0, macs: 0, acts: 0 },
    choices: [],
    uri: '',
  };
}
