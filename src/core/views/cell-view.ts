/**
 * The cell view, drawn as NASNet's and DARTS' papers draw cells (Zoph et al. 2018, Figure 4;
 * Liu et al. 2019, Figure 4): the cell's inputs h(i−2), h(i−1), its named states, each
 * combine (add, concat) as a node, and each op as a labelled edge. It is read from one
 * instance of the cell in the network: parts with one input (a block such as `SepConv`, a
 * chain of ops) become edges, parts with several (`DartsNode`) are opened up.
 *
 * With `space`, every edge whose op was chosen lists the choice's options with the taken one
 * marked, and inputs a choice could have taken but did not are drawn as faint candidate
 * edges: the supernet, with the chosen path highlighted.
 */
import { indexGroups, type ArchChoice, type ArchGroup, type ArchitectureGraph } from './architecture.js';
import { callTitle, choicesLine, costLine, formatShape, opTitle } from './labels.js';
import { familyOf } from './op-family.js';
import { CostSums, nodeTooltip } from './network-view.js';
import type { ViewEdge, ViewGraph, ViewNode } from './view-model.js';

export interface CellViewOptions {
  /** Leave zero-op edges out instead of drawing them dashed. */
  hideZero?: boolean;
  direction?: 'DOWN' | 'RIGHT';
  /** Show each choice's options on its edge and the candidate inputs not taken. */
  space?: boolean;
}

/** A part of the cell: one primitive, or a block instance with a single input. */
interface Atom {
  nodes: number[];
  group?: ArchGroup;
  out: number;
}

/** The instance of `name` to draw: the first whose inputs are distinct tensors (the first NASNet/DARTS cell reads the stem twice). */
export function findInstance(g: ArchitectureGraph, name: string): ArchGroup | undefined {
  const all = g.groups.filter((grp) => grp.kind === 'instance' && grp.name === name && grp.end > grp.first);
  return all.find((grp) => new Set(grp.inputs).size === grp.inputs.length) ?? all[0];
}

/** Names of the blocks and cells drawn in `g` that a cell view can show (those with more than one part). */
export function cellNames(g: ArchitectureGraph): string[] {
  return [...new Set(g.groups.filter((grp) => grp.kind === 'instance').map((grp) => grp.name))];
}

const COMBINE = new Set(['add', 'concat', 'mul']);

export function cellView(g: ArchitectureGraph, name: string, options: CellViewOptions = {}): ViewGraph | undefined {
  const cell = findInstance(g, name);
  if (!cell) return undefined;
  const { children, groupOf } = indexGroups(g);
  const sums = new CostSums(g.nodes);
  const choiceByKey = new Map(g.choices.map((c) => [c.key, c]));

  // The parts: open groups with several inputs, keep the others whole.
  const atoms: Atom[] = [];
  const atomOf = new Map<number, number>();
  const addAtom = (a: Atom): void => {
    for (const n of a.nodes) atomOf.set(n, atoms.length);
    atoms.push(a);
  };
  const decompose = (container: ArchGroup): void => {
    const kids = children.get(container.id) ?? [];
    let k = 0;
    for (let i = container.first; i < container.end; ) {
      const next = k < kids.length ? g.groups[kids[k]!]! : undefined;
      if (next && next.first <= i) {
        k++;
        if (next.first === next.end) continue;
        if (next.inputs.length > 1) decompose(next);
        else addAtom({ nodes: range(next.first, next.end), group: next, out: next.output ?? next.end - 1 });
        i = next.end;
        continue;
      }
      if (groupOf[i] === container.id) addAtom({ nodes: [i], out: i });
      i++;
    }
  };
  decompose(cell);

  const inside = (n: number): boolean => n >= cell.first && n < cell.end;
  const isCombine = (a: Atom): boolean => !a.group && a.nodes.length === 1 && COMBINE.has(g.nodes[a.out]!.op) && g.nodes[a.out]!.inputs.length > 1;
  const stateNames = new Map<number, string[]>();
  for (const nm of g.names) if (nm.group === cell.id) stateNames.set(nm.output, [...(stateNames.get(nm.output) ?? []), nm.name]);

  // Who reads each part's output, and in which input position.
  interface Use {
    atom: number;
    port: number;
  }
  const uses = atoms.map((): Use[] => []);
  const inputUses = new Map<number, Use[]>();
  atoms.forEach((a, ai) => {
    for (const v of a.nodes) {
      const node = g.nodes[v]!;
      node.inputs.forEach((u, k) => {
        const from = atomOf.get(u);
        if (from === ai) return;
        const use = { atom: ai, port: isCombine(a) ? k : -1 };
        if (from !== undefined) uses[from]!.push(use);
        else if (!inside(u)) inputUses.set(u, [...(inputUses.get(u) ?? []), use]);
      });
    }
  });

  // Vertices: the inputs, every combine, and a state after any other part whose output is
  // named, is the cell's output, or goes to more (or fewer) than one place.
  const vertexAfter = (ai: number): boolean => {
    const a = atoms[ai]!;
    return isCombine(a) || stateNames.has(a.out) || a.out === cell.output || uses[ai]!.length !== 1;
  };
  const vertexId = (ai: number): string => `v${atoms[ai]!.out}`;
  const nodes: ViewNode[] = [];
  const edges: ViewEdge[] = [];
  const distinctInputs = [...new Set(cell.inputs)];
  distinctInputs.forEach((u, j) => nodes.push(inputVertex(g, cell, u, j, distinctInputs.length)));
  atoms.forEach((a, ai) => {
    if (vertexAfter(ai)) nodes.push(stateVertex(g, cell, a, stateNames.get(a.out), isCombine(a)));
  });

  // Edges: from each vertex, follow parts that are not vertices to the next vertex: a combine
  // (into the port of that input) or the state after the chain's last part.
  const follow = (from: string, use: Use): void => {
    const chain: number[] = [];
    let at = use;
    let target: string;
    let port: number | undefined;
    for (;;) {
      if (isCombine(atoms[at.atom]!)) {
        target = vertexId(at.atom);
        port = at.port;
        break;
      }
      chain.push(at.atom);
      if (vertexAfter(at.atom)) {
        target = vertexId(at.atom);
        break;
      }
      at = uses[at.atom]![0]!;
    }
    const members = chain.flatMap((c) => atoms[c]!.nodes);
    const zero = members.length > 0 && members.every((m) => g.nodes[m]!.op === 'zero');
    if (zero && options.hideZero) return;
    const text = edgeText(
      g,
      chain.map((c) => atoms[c]!),
      choiceByKey,
      options.space === true,
      sums,
    );
    edges.push({ id: `e${edges.length}`, source: from, target, targetPort: port, marks: zero ? ['zero'] : [], members, ...text });
    if (options.space) edges[edges.length - 1]!.marks.push('chosen');
  };
  distinctInputs.forEach((u, j) => {
    for (const use of inputUses.get(u) ?? []) follow(`in${j}`, use);
  });
  atoms.forEach((_, ai) => {
    if (!vertexAfter(ai)) return;
    for (const use of uses[ai]!) follow(vertexId(ai), use);
  });

  const choices = g.choices.filter((c) => c.key.startsWith(`${cell.name}@`) || g.nodes.some((n) => inside(n.id) && n.choiceKeys.includes(c.key)));
  if (options.space) addCandidates(g, cell, choices, nodes, edges, stateNames);
  const cost = sums.of(cell.first, cell.end);
  return {
    kind: 'cell',
    title: `${cell.defKind ?? 'cell'} ${callTitle(cell.name, cell.args)}`,
    subtitle: [`in ${g.kind} ${g.name}`, costLine(cost.params, cost.macs) || 'no parameters', choicesLine(g.kind, choices.length)].filter((s) => s).join(' · '),
    direction: options.direction ?? 'DOWN',
    nodes,
    edges,
    totals: { params: cost.params, macs: cost.macs, acts: 0 },
    choices: choices.map((c) => ({ key: c.key, labels: c.labels, taken: c.taken, range: c.range })),
    uri: g.uri,
  };
}

function range(first: number, end: number): number[] {
  return Array.from({ length: end - first }, (_, i) => first + i);
}

function inputVertex(g: ArchitectureGraph, cell: ArchGroup, u: number, j: number, count: number): ViewNode {
  const n = g.nodes[u]!;
  const declared = cell.inputNames?.[cell.inputs.indexOf(u)];
  const title = cell.defKind === 'cell' && count <= 2 ? (j === count - 1 ? 'h(i−1)' : 'h(i−2)') : (declared ?? `input ${j + 1}`);
  return {
    id: `in${j}`,
    kind: 'input',
    title,
    lines: [[declared && declared !== title ? declared : '', formatShape(n.shape)].filter((s) => s).join(' · ')],
    family: 'io',
    params: 0,
    macs: 0,
    members: [],
    range: cell.range,
    marks: [],
    tooltip: [`input ${j + 1} of ${cell.name}${declared ? ` (${declared})` : ''}`, `from ${n.scope || n.op}`, `shape ${formatShape(n.shape)}`],
  };
}

function stateVertex(g: ArchitectureGraph, cell: ArchGroup, a: Atom, names: string[] | undefined, combine: boolean): ViewNode {
  const node = g.nodes[a.out]!;
  const isOutput = a.out === cell.output;
  const op = combine ? node.op : '';
  const title = names?.join(' = ') ?? (isOutput ? 'output' : combine ? node.op : opTitle(node));
  const first = [isOutput && names ? 'output' : '', op && title !== op ? op : '', formatShape(node.shape)].filter((s) => s).join(' · ');
  const marks: string[] = [];
  if (isOutput) marks.push('output');
  if (node.dead) marks.push('dead');
  return {
    id: `v${a.out}`,
    kind: combine ? 'combine' : isOutput ? 'output' : 'state',
    title,
    lines: [first],
    family: combine ? familyOf(node.op) : 'io',
    params: combine ? node.params : 0,
    macs: combine ? node.macs : 0,
    members: combine ? [a.out] : [],
    ports: combine ? node.inputs.map(() => '') : undefined,
    range: node.range,
    sourceUri: node.sourceUri,
    marks,
    tooltip: combine ? nodeTooltip(node) : [`${title}: ${formatShape(node.shape)}`, `made by ${node.scope || node.op}`],
  };
}

/** An edge's label: each part's op, or, in a space view, the options of the choice made on it. */
function edgeText(
  g: ArchitectureGraph,
  chain: readonly Atom[],
  choices: ReadonlyMap<string, ArchChoice>,
  space: boolean,
  sums: CostSums,
): Pick<ViewEdge, 'label' | 'chosenLine' | 'range' | 'sourceUri' | 'tooltip'> {
  if (chain.length === 0) return { tooltip: [] };
  const labels = chain.map((a) => atomLabel(g, a, choices));
  const choice = chain.map((a) => choiceIn(g, a, choices)).find((c) => c !== undefined);
  const first = chain[0]!;
  const nodes = chain.flatMap((a) => a.nodes);
  const cost = sums.of(nodes[0]!, nodes[nodes.length - 1]! + 1);
  const tooltip = [
    labels.join(' · '),
    ...(choice ? [`chosen at ${choice.key}: option ${choice.taken + 1} of ${choice.options}`] : []),
    costLine(cost.params, cost.macs) || 'no parameters',
  ];
  const range = first.group?.range ?? g.nodes[first.out]!.range;
  if (space && choice && chain.length === 1) return { label: choice.labels, chosenLine: choice.taken, range, tooltip };
  return { label: [labels.join(' · ')], range, sourceUri: first.group ? undefined : g.nodes[first.out]!.sourceUri, tooltip };
}

/** The choice decided directly inside a part, if any. */
function choiceIn(g: ArchitectureGraph, a: Atom, choices: ReadonlyMap<string, ArchChoice>): ArchChoice | undefined {
  const depth = a.group?.choiceDepth ?? 0;
  for (const n of a.nodes) {
    const key = g.nodes[n]!.choiceKeys[depth];
    if (key !== undefined && a.group) return choices.get(key);
  }
  return undefined;
}

/** A part's label: the taken option's label when the part is a choice, else its call or op. */
export function atomLabel(g: ArchitectureGraph, a: { nodes: number[]; group?: ArchGroup; out: number }, choices: ReadonlyMap<string, ArchChoice>): string {
  if (!a.group) return opTitle(g.nodes[a.out]!);
  const c = choiceIn(g, a as Atom, choices);
  const label = c?.labels[c.taken];
  if (label && !/^option \d+$/.test(label)) return label;
  return callTitle(a.group.name, a.group.args);
}

/** Dashed edges from the inputs a choice could have taken to the state it feeds. */
function addCandidates(
  g: ArchitectureGraph,
  cell: ArchGroup,
  choices: readonly ArchChoice[],
  nodes: ViewNode[],
  edges: ViewEdge[],
  stateNames: Map<number, string[]>,
): void {
  const vertexOfName = new Map<string, string>();
  cell.inputNames?.forEach((nm, j) => vertexOfName.set(nm, `in${[...new Set(cell.inputs)].indexOf(cell.inputs[j]!)}`));
  const ids = new Set(nodes.map((n) => n.id));
  for (const [out, names] of stateNames) for (const nm of names) if (ids.has(`v${out}`)) vertexOfName.set(nm, `v${out}`);
  const drawn = new Set(edges.map((e) => `${e.source}>${e.target}`));
  for (const c of choices) {
    if (!c.inputs || !c.within) continue;
    const target = vertexOfName.get(c.within);
    if (!target) continue;
    for (const name of c.inputs) {
      const source = vertexOfName.get(name);
      if (!source || c.chosenInputs?.includes(name) || drawn.has(`${source}>${target}`)) continue;
      drawn.add(`${source}>${target}`);
      edges.push({
        id: `e${edges.length}`,
        source,
        target,
        marks: ['candidate'],
        members: [],
        range: c.range,
        tooltip: [`${name} could feed ${c.within} (not chosen)`, `choice ${c.key}`],
      });
    }
  }
}
