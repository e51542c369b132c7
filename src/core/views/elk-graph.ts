/**
 * A view as an ELK graph (layered, orthogonal edges, ports in input order on nodes with
 * several inputs, expanded groups as nested graphs), and the laid-out ELK graph back as a
 * scene of boxes and polylines in one coordinate system. ELK: Eclipse Layout Kernel's
 * layered algorithm (Schulze, Spönemann & von Hanxleden, "Drawing layered graphs with port
 * constraints", JVLC 2014), run by elkjs.
 */
import type { ElkExtendedEdge, ElkNode, ElkPort } from 'elkjs/lib/elk-api.js';
import { TEXT, textWidth } from './text-metrics.js';
import { allNodes, type ViewEdge, type ViewGraph, type ViewNode } from './view-model.js';

export interface Point {
  x: number;
  y: number;
}

export interface SceneNode {
  /** Absolute box. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** How many boxes it sits in. */
  depth: number;
  node: ViewNode;
  /** Where each input port is (absolute), for nodes with ports. */
  ports: Point[];
}

export interface SceneEdge {
  edge: ViewEdge;
  points: Point[];
  label?: { x: number; y: number; width: number; height: number };
}

export interface Scene {
  view: ViewGraph;
  width: number;
  height: number;
  /** Parents before their children. */
  nodes: SceneNode[];
  edges: SceneEdge[];
}

/** A function that lays out an ELK graph: `elk.layout` of elkjs, in a worker or not. */
export type ElkLayout = (graph: ElkNode) => Promise<ElkNode>;

const PORT = 4;
/** Views up to this many boxes get the slower, better placement. */
const SMALL_VIEW = 80;
/** Drawn before the title of a box that expands (and, turned down, of an expanded one). */
export const EXPAND_MARK = '▸ ';
export const COLLAPSE_MARK = '▾ ';
/** Room above an expanded group's children for its title. */
export const FRAME_TOP = TEXT.titleHeight + 2 * TEXT.padY;

export function nodeSize(n: ViewNode): { width: number; height: number } {
  const title = n.expandable ? `${EXPAND_MARK}${n.title}` : n.title;
  const texts = [textWidth(title, TEXT.titleSize, 'bold'), ...n.lines.map((l) => textWidth(l, TEXT.lineSize))];
  let width = Math.ceil(Math.max(...texts) + 2 * TEXT.padX);
  if (n.ports && n.ports.length > 1) width = Math.max(width, n.ports.length * 18 + 12);
  const height = Math.ceil(2 * TEXT.padY + TEXT.titleHeight + n.lines.length * TEXT.lineHeight);
  return { width: Math.max(width, 44), height };
}

export function edgeLabelSize(label: readonly string[]): { width: number; height: number } {
  return {
    width: Math.ceil(Math.max(...label.map((l) => textWidth(l, TEXT.edgeLabelSize))) + 8),
    height: label.length * TEXT.lineHeight + 4,
  };
}

function portId(node: string, k: number): string {
  return `${node}.p${k}`;
}

/** The ELK graph of a view. Edges sit in the innermost box holding both their ends. */
export function toElk(view: ViewGraph): ElkNode {
  const side = view.direction === 'DOWN' ? 'NORTH' : 'WEST';
  const parent = new Map<string, string>();
  const elkNodes = new Map<string, ElkNode>();
  const convert = (n: ViewNode, parentId: string): ElkNode => {
    parent.set(n.id, parentId);
    const e: ElkNode = { id: n.id };
    elkNodes.set(n.id, e);
    if (n.children) {
      const titleWidth = textWidth(`${COLLAPSE_MARK}${n.title}`, TEXT.frameTitleSize, 'bold') + 2 * TEXT.padX;
      e.layoutOptions = {
        'elk.padding': `[top=${FRAME_TOP},left=12,bottom=12,right=12]`,
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
        'elk.nodeSize.minimum': `(${Math.ceil(titleWidth)}, ${FRAME_TOP + 12})`,
      };
      e.children = n.children.map((c) => convert(c, n.id));
      e.edges = [];
      return e;
    }
    const size = nodeSize(n);
    e.width = size.width;
    e.height = size.height;
    if (n.ports && n.ports.length > 1) {
      e.layoutOptions = { 'elk.portConstraints': 'FIXED_ORDER' };
      e.ports = n.ports.map(
        (_, k): ElkPort => ({
          id: portId(n.id, k),
          width: PORT,
          height: PORT,
          // FIXED_ORDER reads ports clockwise: left to right on the north side, and bottom to
          // top on the west side, so there the first input gets the highest index.
          layoutOptions: { 'elk.port.side': side, 'elk.port.index': String(side === 'NORTH' ? k : n.ports!.length - 1 - k) },
        }),
      );
    }
    return e;
  };
  const small = viewSize(view) <= SMALL_VIEW;
  const dense = longEdgeDummies(view) > DENSE_DUMMIES_PER_BOX * viewSize(view);
  const root: ElkNode = {
    id: '__root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': view.direction,
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      // Network simplex places nodes best (straight chains). On a few hundred boxes ELK's
      // default crossing minimization (7 passes and a greedy switch after them) took most of
      // a second, ResNet-50 expanded 0.7–1.2 s in Node; with 3 passes and no greedy switch
      // 0.15–0.2 s (bench/graph-bench.ts). Small views keep the thorough default. Network
      // simplex solves for every dummy node of a long edge: a randomly wired 50-node cell
      // (Xie et al. 2019) took 5 s of CPU with it and 0.35 s with Brandes & Köpf's placement
      // ("Fast and simple horizontal coordinate assignment", GD 2001), which such views get,
      // with one pass of crossing minimization (a quarter less again; their crossings stay).
      'elk.layered.nodePlacement.strategy': dense ? 'BRANDES_KOEPF' : 'NETWORK_SIMPLEX',
      'elk.layered.thoroughness': dense ? '1' : small ? '7' : '3',
      ...(small ? {} : { 'elk.layered.crossingMinimization.greedySwitch.type': 'OFF' }),
      'elk.layered.spacing.nodeNodeBetweenLayers': '26',
      'elk.layered.spacing.edgeNodeBetweenLayers': '12',
      'elk.spacing.nodeNode': '20',
      'elk.spacing.edgeNode': '12',
      'elk.spacing.edgeEdge': '8',
      'elk.spacing.edgeLabel': '3',
      'elk.spacing.componentComponent': '40',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.json.edgeCoords': 'ROOT',
      'elk.json.shapeCoords': 'ROOT',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children: [],
    edges: [],
  };
  elkNodes.set(root.id, root);
  root.children = view.nodes.map((n) => convert(n, root.id));
  const ancestors = (id: string): string[] => {
    const out: string[] = [];
    for (let at = parent.get(id); at !== undefined; at = parent.get(at)) out.push(at);
    return out;
  };
  for (const edge of view.edges) {
    const up = new Set(ancestors(edge.source));
    const holder = ancestors(edge.target).find((a) => up.has(a)) ?? root.id;
    const e: ElkExtendedEdge = {
      id: edge.id,
      sources: [edge.source],
      targets: [edge.targetPort !== undefined ? portId(edge.target, edge.targetPort) : edge.target],
    };
    if (edge.label && edge.label.length) e.labels = [{ id: `${edge.id}.l`, text: edge.label.join('\n'), ...edgeLabelSize(edge.label) }];
    (elkNodes.get(holder)!.edges ??= []).push(e);
  }
  return root;
}

/** The scene of a laid-out ELK graph (coordinates are absolute: `elk.json.*Coords` ROOT). */
export function toScene(view: ViewGraph, laid: ElkNode): Scene {
  const boxes = new Map<string, ElkNode>();
  const edgesOut = new Map<string, ElkExtendedEdge>();
  const walk = (n: ElkNode): void => {
    boxes.set(n.id, n);
    for (const e of n.edges ?? []) edgesOut.set(e.id, e);
    for (const c of n.children ?? []) walk(c);
  };
  walk(laid);
  const nodes: SceneNode[] = [];
  const place = (list: readonly ViewNode[], depth: number): void => {
    for (const n of list) {
      const b = boxes.get(n.id)!;
      nodes.push({
        x: b.x ?? 0,
        y: b.y ?? 0,
        width: b.width ?? 0,
        height: b.height ?? 0,
        depth,
        node: n,
        // ELK keeps the ports in the order given: input k's port is the k-th.
        ports: (b.ports ?? []).map((p) => ({ x: (p.x ?? 0) + (p.width ?? 0) / 2, y: (p.y ?? 0) + (p.height ?? 0) / 2 })),
      });
      if (n.children) place(n.children, depth + 1);
    }
  };
  place(view.nodes, 0);
  const edges: SceneEdge[] = view.edges.map((edge) => {
    const e = edgesOut.get(edge.id);
    const points: Point[] = [];
    for (const s of e?.sections ?? []) {
      points.push(s.startPoint, ...(s.bendPoints ?? []), s.endPoint);
    }
    const l = e?.labels?.[0];
    return { edge, points, label: l ? { x: l.x ?? 0, y: l.y ?? 0, width: l.width ?? 0, height: l.height ?? 0 } : undefined };
  });
  return { view, width: laid.width ?? 0, height: laid.height ?? 0, nodes, edges };
}

/** Lays out a view with `elk` and returns its scene. */
export async function layoutView(view: ViewGraph, elk: ElkLayout): Promise<Scene> {
  if (view.nodes.length > 0 && view.nodes.every((n) => n.kind === 'frame')) return layoutFrames(view, elk);
  const laid = await elk(toElk(view));
  return toScene(view, laid);
}

const FRAME_GAP = 24;

/** Frames (the sides of a comparison or fusion pair) laid out each on its own, then put side by side. */
async function layoutFrames(view: ViewGraph, elk: ElkLayout): Promise<Scene> {
  const nodes: SceneNode[] = [];
  const edges: SceneEdge[] = [];
  let x = 0;
  let height = 0;
  for (const frame of view.nodes) {
    const ids = new Set<string>();
    for (const n of allNodes(frame.children ?? [])) ids.add(n.id);
    const sub: ViewGraph = { ...view, nodes: frame.children ?? [], edges: view.edges.filter((e) => ids.has(e.source) && ids.has(e.target)) };
    const s = toScene(sub, await elk(toElk(sub)));
    const dy = FRAME_TOP;
    const width = Math.max(s.width, textWidth(`${frame.title}  ${frame.lines.join(' · ')}`, TEXT.frameTitleSize, 'bold') + 2 * TEXT.padX);
    nodes.push({ x, y: 0, width, height: s.height + dy, depth: 0, node: frame, ports: [] });
    const move = (p: Point): Point => ({ x: p.x + x, y: p.y + dy });
    for (const n of s.nodes) nodes.push({ ...n, ...move(n), depth: n.depth + 1, ports: n.ports.map(move) });
    for (const e of s.edges) edges.push({ edge: e.edge, points: e.points.map(move), label: e.label ? { ...e.label, ...move(e.label) } : undefined });
    x += width + FRAME_GAP;
    height = Math.max(height, s.height + dy);
  }
  return { view, width: x - FRAME_GAP, height, nodes, edges };
}

/** Views whose long edges make more dummy nodes than this per box get Brandes–Köpf placement. */
const DENSE_DUMMIES_PER_BOX = 2;

/**
 * How many dummy nodes the view's long edges make in a longest-path layering (an edge from
 * layer i to layer j > i + 1 makes j − i − 1): an estimate, before layout, of how much larger
 * than the view the layered graph that ELK places is.
 */
export function longEdgeDummies(view: ViewGraph): number {
  // Kahn's topological order; nodes on a cycle (views have none) keep layer 0.
  const out = new Map<string, string[]>();
  const indegree = new Map<string, number>();
  for (const e of view.edges) {
    const list = out.get(e.source);
    if (list) list.push(e.target);
    else out.set(e.source, [e.target]);
    indegree.set(e.target, (indegree.get(e.target) ?? 0) + 1);
    if (!indegree.has(e.source)) indegree.set(e.source, 0);
  }
  const layer = new Map<string, number>();
  const ready = [...indegree].filter(([, d]) => d === 0).map(([id]) => id);
  while (ready.length) {
    const id = ready.pop()!;
    const l = layer.get(id) ?? 0;
    for (const t of out.get(id) ?? []) {
      layer.set(t, Math.max(layer.get(t) ?? 0, l + 1));
      const d = indegree.get(t)! - 1;
      indegree.set(t, d);
      if (d === 0) ready.push(t);
    }
  }
  let dummies = 0;
  for (const e of view.edges) dummies += Math.max(0, (layer.get(e.target) ?? 0) - (layer.get(e.source) ?? 0) - 1);
  return dummies;
}

/** How many boxes a view has (for progress and limits). */
export function viewSize(view: ViewGraph): number {
  let n = 0;
  for (const _ of allNodes(view.nodes)) n++;
  return n;
}
