/**
 * The static check before fusing: finds the reparameterizable sums of an elaborated network
 * (an `add` of branches that all start at one tensor, each a chain of conv / BN / average
 * pooling ending in a BN, or the bare tensor: the shape of RepVGG, ACNet, DBB and MobileOne
 * blocks and of hand-written variants) and tells, from geometry alone, whether each fuses into
 * one convolution, with the same rules as the weight transforms (parallel.ts, sequential.ts).
 * Sums that cannot be built at all (an identity beside a widening or strided conv, a 1x1
 * padded like the 3x3) are shape errors already; what remains is what builds but would not
 * fuse: zero padding after a BN, pooling that excludes its padding, kernel centres that only
 * agree at this input size, an identity beside a strided conv on a 1x1 map.
 */
import type { Graph } from '../semantics/graph.js';
import { type ConvShape, ReparamError, type ReparamErrorCode } from './conv.js';
import { planParallel } from './parallel.js';
import { avgPoolShape, planSequential } from './sequential.js';

export interface FusionFinding {
  /** The `add` node that sums the branches. */
  readonly add: number;
  readonly code: ReparamErrorCode;
  readonly message: string;
}

/** Ops a branch may hold and stay linear (a conv of its input, plus a constant). */
const LINEAR = new Set(['conv', 'dwconv', 'bn', 'avgpool', 'identity', 'dropout']);

/** A reparameterizable sum and what it fuses into, or why it does not. */
export interface ReparamSum {
  /** The `add` node that sums the branches. */
  readonly add: number;
  /** The tensor all branches read. */
  readonly source: number;
  /** Each branch's ops from the source on, in the sum's input order (empty: the bare source). */
  readonly branches: ReadonlyArray<readonly number[]>;
  readonly fused?: ConvShape;
  readonly error?: { readonly code: ReparamErrorCode; readonly message: string };
}

/** Every reparameterizable sum of `graph` that does not fuse into one convolution. */
export function checkFusable(graph: Graph): FusionFinding[] {
  return reparamSums(graph).flatMap((s) => (s.error ? [{ add: s.add, ...s.error }] : []));
}

/** Every reparameterizable sum of `graph`, in graph order. */
export function reparamSums(graph: Graph): ReparamSum[] {
  const sums: ReparamSum[] = [];
  const absorbed = new Set<number>();
  // Consumers come after their inputs: from the end, an add tree's root is met before the adds
  // it absorbs (an add read only by another add is part of one sum: MobileOne's chain). When
  // the whole tree is no sum (a residual add of an ACBlock's sum and a shortcut), the root
  // alone is tried, and the inner adds are met later as roots of their own.
  for (let id = graph.size - 1; id >= 0; id--) {
    if (graph.opOf(id) !== 'add' || absorbed.has(id)) continue;
    const inner: number[] = [];
    const leaves: number[] = [];
    const visit = (a: number): void => {
      for (const i of graph.inputsOf(a)) {
        if (graph.opOf(i) === 'add' && graph.consumersOf(i) === 1) {
          inner.push(i);
          visit(i);
        } else leaves.push(i);
      }
    };
    visit(id);
    const tree = asSum(graph, id, leaves);
    if (tree) {
      for (const i of inner) absorbed.add(i);
      sums.push(tree);
      continue;
    }
    const root = inner.length ? asSum(graph, id, graph.inputsOf(id)) : undefined;
    if (root) sums.push(root);
  }
  return sums.reverse();
}

/** The sum of `leaves` at `add`, if they are branches of one tensor with a conv among them. */
function asSum(graph: Graph, add: number, leaves: readonly number[]): ReparamSum | undefined {
  const branches = leaves.map((leaf) => traceBranch(graph, leaf));
  const source = branches[0]!.source;
  if (branches.some((b) => b.source !== source)) return undefined;
  if (!branches.some((b) => b.chain.some((n) => graph.opOf(n) === 'conv' || graph.opOf(n) === 'dwconv'))) return undefined;
  if (!branches.every((b) => b.chain.length === 0 || graph.opOf(b.chain[b.chain.length - 1]!) === 'bn')) return undefined;
  return { add, source, branches: branches.map((b) => b.chain), ...fusability(graph, source, branches) };
}

interface Branch {
  /** The tensor every branch starts from. */
  source: number;
  /** The branch's ops from the source on. */
  chain: number[];
}

function traceBranch(graph: Graph, leaf: number): Branch {
  const chain: number[] = [];
  let cur = leaf;
  while (LINEAR.has(graph.opOf(cur)) && graph.consumersOf(cur) === 1 && graph.inputCount(cur) === 1) {
    chain.unshift(cur);
    cur = graph.inputAt(cur, 0);
  }
  return { source: cur, chain };
}

function fusability(graph: Graph, source: number, branches: Branch[]): Pick<ReparamSum, 'fused' | 'error'> {
  const c = graph.shapeOf(source).c;
  try {
    const shapes = branches.map((b) => branchShape(graph, c, b.chain));
    const identities = branches.filter((b) => !b.chain.some((n) => graph.opOf(n) !== 'bn' && graph.opOf(n) !== 'identity' && graph.opOf(n) !== 'dropout'));
    const strided = shapes.find((s) => s.stride[0] !== 1 || s.stride[1] !== 1);
    if (identities.length > 0 && strided) {
      const { h, w } = graph.shapeOf(source);
      return {
        error: {
          code: 'identity-stride',
          message: `an identity branch beside a stride-${strided.stride[0]} conv: the shapes agree only because the input is ${h}×${w}; the sum is no convolution at other sizes`,
        },
      };
    }
    return { fused: planParallel(shapes).shape };
  } catch (e) {
    if (e instanceof ReparamError) return { error: { code: e.code, message: e.message } };
    throw e;
  }
}

const identityShape = (c: number): ConvShape => ({ out: c, in: c, groups: c, kh: 1, kw: 1, stride: [1, 1], pad: [0, 0], dilation: [1, 1] });

/** A branch's ops as one convolution's geometry (sequential merges as DBB's transform III). */
function branchShape(graph: Graph, channels: number, chain: readonly number[]): ConvShape {
  let cur: ConvShape | undefined;
  /** Whether the tensor so far carries a constant (a BN's or a conv's bias): padding it with
   * zeros is then not padding the input. */
  let hasBias = false;
  /** A BN-and-pad not yet taken by the next conv. */
  let bnPad = 0;
  const apply = (next: ConvShape, ownBias: boolean): void => {
    cur = cur === undefined && !hasBias && bnPad === 0 ? next : planSequential(cur ?? identityShape(next.in), next, bnPad, hasBias);
    hasBias ||= ownBias;
    bnPad = 0;
  };
  for (const n of chain) {
    const a = graph.attrsOf(n);
    const inC = graph.shapeOf(graph.inputAt(n, 0)).c;
    switch (graph.opOf(n)) {
      case 'conv':
      case 'dwconv':
        apply(convNodeShape(graph, n), !!a['bias']);
        break;
      case 'avgpool': {
        const k = a['k'] as number;
        const stride = (a['stride'] as number) < 0 ? k : (a['stride'] as number);
        apply(avgPoolShape(inC, { k, stride, pad: a['pad'] as number, countIncludePad: a['count_include_pad'] as boolean }), false);
        break;
      }
      case 'bn':
        if (bnPad > 0) apply(identityShape(inC), false);
        hasBias = true;
        bnPad = (a['pad'] as number | undefined) ?? 0;
        break;
    }
  }
  // A BN-and-pad at the end pads the branch's output: as a 1x1 identity conv after it.
  if (bnPad > 0) apply(identityShape(cur?.out ?? channels), false);
  return cur ?? identityShape(channels);
}

/** A conv or dwconv node's geometry, with the evaluator's conventions (semantics/ops.ts). */
export function convNodeShape(graph: Graph, id: number): ConvShape {
  const a = graph.attrsOf(id);
  const inC = graph.shapeOf(graph.inputAt(id, 0)).c;
  const num = (k: string) => a[k] as number;
  const dil = num('dilation');
  const dw = graph.opOf(id) === 'dwconv';
  const kh = dw || num('kh') < 0 ? num('k') : num('kh');
  const kw = dw || num('kw') < 0 ? num('k') : num('kw');
  const pad = num('pad');
  return {
    out: dw ? inC * num('multiplier') : num('out'),
    in: inC,
    groups: dw ? inC : num('groups'),
    kh,
    kw,
    stride: [num('stride'), num('stride')],
    pad: pad < 0 ? [Math.floor((dil * (kh - 1)) / 2), Math.floor((dil * (kw - 1)) / 2)] : [pad, pad],
    dilation: [dil, dil],
  };
}
