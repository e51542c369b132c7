/**
 * The network view: the network's ops in order, each block, cell and repeat one box
 * (`NB201Cell ×5`) until expanded, when it becomes a frame holding its parts. Edges follow
 * the data: an edge into a box with several inputs lands on the port of that input.
 */
import { indexGroups, type ArchGroup, type ArchNode, type ArchitectureGraph } from './architecture.js';
import { callTitle, choicesLine, costLine, formatCount, formatShape, opTitle } from './labels.js';
import { familyOf } from './op-family.js';
import type { ViewEdge, ViewGraph, ViewNode } from './view-model.js';

export interface NetworkViewOptions {
  /** Which groups are expanded: their keys (or names: every group of that block), `all` or `none` (the default). */
  expand?: ReadonlySet<string> | 'all' | 'none';
  direction?: 'DOWN' | 'RIGHT';
  /** Leave `zero` ops out (their edges too) instead of drawing them dashed. */
  hideZero?: boolean;
  /** Draw only this group's inside (a block of a fusion pair), its inputs as input boxes. */
  within?: number;
}

/** Costs of node ranges by prefix sums. */
export class CostSums {
  private readonly params: Float64Array;
  private readonly macs: Float64Array;
  constructor(nodes: readonly ArchNode[]) {
    this.params = new Float64Array(nodes.length + 1);
    this.macs = new Float64Array(nodes.length + 1);
    for (let i = 0; i < nodes.length; i++) {
      this.params[i + 1] = this.params[i]! + nodes[i]!.params;
      this.macs[i + 1] = this.macs[i]! + nodes[i]!.macs;
    }
  }
  of(first: number, end: number): { params: number; macs: number } {
    return { params: this.params[end]! - this.params[first]!, macs: this.macs[end]! - this.macs[first]! };
  }
}

export function groupTitle(g: ArchGroup, inExpandedRepeat: boolean): string {
  if (g.kind === 'repeat') return `${callTitle(g.name, g.args)} ×${g.count ?? 0}`;
  const base = callTitle(g.name, g.args);
  return inExpandedRepeat && g.repeatIndex !== undefined ? `${g.name} #${g.repeatIndex + 1}` : base;
}

export function nodeTooltip(n: ArchNode): string[] {
  const attrs = Object.entries(n.attrs)
    .filter(([, v]) => !(typeof v === 'number' && v < 0))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  const lines = [`${n.op}${attrs ? `(${attrs})` : ''}`, n.scope ? `at ${n.scope}` : '', `output ${formatShape(n.shape)}`];
  lines.push(`params ${n.params.toLocaleString('en-US')} · MACs ${n.macs.toLocaleString('en-US')}`);
  if (n.choiceKeys.length) lines.push(`chosen at ${n.choiceKeys[n.choiceKeys.length - 1]}`);
  if (n.dead) lines.push('its output reaches nothing');
  return lines.filter((l) => l !== '');
}

/** The view node of one primitive. */
export function opNode(n: ArchNode, id: string, output: number | undefined): ViewNode {
  const marks: string[] = [];
  if (n.dead) marks.push('dead');
  if (n.id === output) marks.push('output');
  if (n.choiceKeys.length) marks.push('chosen');
  const cost = costLine(n.params, n.macs);
  return {
    id,
    kind: n.op === 'input' ? 'input' : 'op',
    title: n.op === 'input' ? 'input' : opTitle(n),
    lines: [formatShape(n.shape), ...(cost ? [cost] : [])],
    family: familyOf(n.op),
    params: n.params,
    macs: n.macs,
    members: [n.id],
    ports: n.inputs.length > 1 ? n.inputs.map(() => '') : undefined,
    range: n.range,
    sourceUri: n.sourceUri,
    marks,
    tooltip: nodeTooltip(n),
  };
}

export function networkView(g: ArchitectureGraph, options: NetworkViewOptions = {}): ViewGraph {
  const { children, groupOf } = indexGroups(g);
  const sums = new CostSums(g.nodes);
  const expand = options.expand ?? 'none';
  const isExpanded = (grp: ArchGroup): boolean => expand === 'all' || (expand !== 'none' && (expand.has(grp.key) || expand.has(grp.name)));
  const hidden = (n: ArchNode): boolean => options.hideZero === true && n.op === 'zero';
  /** The id of the box each node is drawn in. */
  const boxOf: string[] = new Array<string>(g.nodes.length);
  /** Input ports of collapsed groups: node id of an input -> port. */
  const groupPorts = new Map<string, number[]>();

  const build = (container: number, inExpandedRepeat: boolean): ViewNode[] => {
    const out: ViewNode[] = [];
    const first = container >= 0 ? g.groups[container]!.first : 0;
    const end = container >= 0 ? g.groups[container]!.end : g.nodes.length;
    const kids = children.get(container) ?? [];
    let k = 0;
    for (let i = first; i < end; ) {
      const next = k < kids.length ? g.groups[kids[k]!]! : undefined;
      if (next && next.first <= i) {
        k++;
        if (next.first === next.end) continue; // an instance that made no node (returned its input)
        out.push(groupBox(next, inExpandedRepeat));
        i = next.end;
        continue;
      }
      if (groupOf[i] === container) {
        const n = g.nodes[i]!;
        boxOf[i] = `n${i}`;
        if (!hidden(n)) out.push(opNode(n, `n${i}`, g.output));
      }
      i++;
    }
    return out;
  };

  const groupBox = (grp: ArchGroup, inExpandedRepeat: boolean): ViewNode => {
    const id = `g${grp.id}`;
    const cost = sums.of(grp.first, grp.end);
    const members: number[] = [];
    for (let i = grp.first; i < grp.end; i++) members.push(i);
    const outShape = grp.output !== undefined ? formatShape(g.nodes[grp.output]!.shape) : '';
    const chosen = members.some((i) => g.nodes[i]!.choiceKeys.length > grp.choiceDepth);
    const box: ViewNode = {
      id,
      kind: 'group',
      title: groupTitle(grp, inExpandedRepeat),
      lines: [outShape, costLine(cost.params, cost.macs)].filter((l) => l !== ''),
      family: 'block',
      params: cost.params,
      macs: cost.macs,
      members,
      group: grp.id,
      groupKey: grp.key,
      expandable: true,
      range: grp.range,
      marks: chosen ? ['chosen'] : [],
      tooltip: [
        grp.kind === 'repeat' ? `${grp.name} repeated ${grp.count} times` : `${grp.defKind ?? 'block'} ${callTitle(grp.name, grp.args)}`,
        `${members.length} ops · output ${outShape || '—'}`,
        `params ${cost.params.toLocaleString('en-US')} · MACs ${cost.macs.toLocaleString('en-US')} (${formatCount(cost.macs)})`,
      ],
    };
    if (isExpanded(grp)) {
      box.children = build(grp.id, grp.kind === 'repeat');
      box.lines = [];
      return box;
    }
    for (let i = grp.first; i < grp.end; i++) boxOf[i] = id;
    const distinct = [...new Set(grp.inputs)];
    if (distinct.length > 1) {
      box.ports = distinct.map((_, j) => grp.inputNames?.[j] ?? '');
      groupPorts.set(id, distinct);
    }
    return box;
  };

  const top = options.within ?? -1;
  const nodes = build(top, false);
  if (top >= 0) {
    // The group's inputs, as the boxes its inside reads.
    const grp = g.groups[top]!;
    [...new Set(grp.inputs)].forEach((u, j) => {
      const src = g.nodes[u]!;
      boxOf[u] = `x${u}`;
      nodes.unshift({
        id: `x${u}`,
        kind: 'input',
        title: grp.inputNames?.[grp.inputs.indexOf(u)] ?? `input ${j + 1}`,
        lines: [formatShape(src.shape)],
        family: 'io',
        params: 0,
        macs: 0,
        members: [],
        marks: [],
        tooltip: [`input of ${grp.name}`, `shape ${formatShape(src.shape)}`],
      });
    });
  }
  const edges: ViewEdge[] = [];
  const seen = new Set<string>();
  const first = top >= 0 ? g.groups[top]!.first : 0;
  const end = top >= 0 ? g.groups[top]!.end : g.nodes.length;
  for (let id = first; id < end; id++) {
    const n = g.nodes[id]!;
    const to = boxOf[n.id]!;
    if (hidden(n)) continue;
    n.inputs.forEach((u, k) => {
      const from = boxOf[u];
      if (from === undefined) return;
      if (from === to || hidden(g.nodes[u]!)) return;
      let port: number | undefined;
      if (to === `n${n.id}` && n.inputs.length > 1) port = k;
      else if (groupPorts.has(to)) {
        const at = groupPorts.get(to)!.indexOf(u);
        port = at >= 0 ? at : undefined;
      }
      const key = `${from}>${to}:${port ?? ''}`;
      if (seen.has(key)) return;
      seen.add(key);
      const marks: string[] = [];
      if (g.nodes[u]!.op === 'zero') marks.push('zero');
      if (g.nodes[u]!.dead) marks.push('dead');
      edges.push({ id: `e${edges.length}`, source: from, target: to, targetPort: port, marks, members: [], tooltip: [] });
    });
  }
  const grp = top >= 0 ? g.groups[top] : undefined;
  const cost = grp ? sums.of(grp.first, grp.end) : undefined;
  return {
    kind: 'network',
    title: grp ? `${grp.defKind ?? 'block'} ${callTitle(grp.name, grp.args)}` : `${g.kind} ${g.name}`,
    subtitle: cost ? costLine(cost.params, cost.macs) || 'no parameters' : totalsLine(g),
    direction: options.direction ?? 'DOWN',
    nodes,
    edges,
    totals: cost ? { ...cost, acts: 0 } : g.totals,
    choices: g.choices.map((c) => ({ key: c.key, labels: c.labels, taken: c.taken, range: c.range })),
    uri: g.uri,
  };
}

export function totalsLine(g: ArchitectureGraph): string {
  const parts = [`${formatCount(g.totals.params)} params`, `${formatCount(g.totals.macs)} MACs`];
  if (g.input) parts.unshift(`input ${formatShape(g.input)}`);
  const decisions = choicesLine(g.kind, g.choices.length);
  if (decisions) parts.push(decisions);
  return parts.join(' · ');
}
