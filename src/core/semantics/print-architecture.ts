/**
 * Prints a fixed architecture (an elaborated graph) as canonical `.nas` text: a flat
 * `network` of primitive ops that parses back to the same graph (same ops, attributes,
 * shapes and costs). Sequential nodes chain implicitly; a node is named only when something
 * other than the next statement uses it. Attributes equal to the op's defaults are omitted,
 * so equal architectures print identically.
 */
import type { Graph, GraphNode } from './graph.js';
import type { AttrValue } from './ops.js';

export interface PrintOptions {
  name: string;
  /** Comment lines printed above the network (without `#`). */
  header?: string[];
}

const VARIADIC = new Set(['add', 'concat', 'mul']);

export function printArchitecture(graph: Graph, output: number, opts: PrintOptions): string {
  const live = liveNodes(graph, output);
  const nodes = graph.nodes.filter((n) => live[n.id]);
  const order = new Map(nodes.map((n, i) => [n.id, i]));
  // A node needs a name when a node other than its immediate successor reads it.
  const named = new Set<number>();
  for (const n of nodes) {
    const pos = order.get(n.id)!;
    for (const i of n.inputs) {
      const prev = nodes[pos - 1];
      const implicit = !VARIADIC.has(n.op) && n.inputs.length === 1 && prev?.id === i;
      if (!implicit) named.add(i);
    }
  }
  // Names follow the printed order, so they do not depend on how the graph was numbered.
  const nameOf = (id: number) => `n${order.get(id)}`;
  const lines: string[] = [];
  for (const h of opts.header ?? []) lines.push(`# ${h}`);
  lines.push(`network ${opts.name} {`);
  let lastScope = '';
  for (const n of nodes) {
    const scope = scopePrefix(n);
    if (scope && scope !== lastScope) lines.push(`  # ${scope}`);
    lastScope = scope;
    lines.push(`  ${named.has(n.id) ? `${nameOf(n.id)} = ` : ''}${printNode(n, nodes[order.get(n.id)! - 1], nameOf)}`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

function scopePrefix(n: GraphNode): string {
  const i = n.scope.lastIndexOf('/');
  return i < 0 ? '' : n.scope.slice(0, i);
}

function printNode(n: GraphNode, prev: GraphNode | undefined, nameOf: (id: number) => string): string {
  if (n.op === 'input') return `input(${n.shape.c}, ${n.shape.h}, ${n.shape.w})`;
  const attrs = printAttrs(n);
  if (VARIADIC.has(n.op)) {
    const args = [...n.inputs.map(nameOf), ...(attrs ? [attrs] : [])];
    return `${n.op}(${args.join(', ')})`;
  }
  const call = attrs ? `${n.op}(${attrs})` : n.op;
  const input = n.inputs[0]!;
  return prev?.id === input ? call : `${nameOf(input)} -> ${call}`;
}

function printAttrs(n: GraphNode): string {
  const parts: string[] = [];
  // The first declared attribute of conv/fc (out channels) prints positionally.
  const positional = n.op === 'conv' || n.op === 'fc' ? 'out' : undefined;
  for (const [k, v] of Object.entries(n.attrs)) {
    if (k !== positional && n.defaults[k] === v) continue;
    parts.push(k === positional ? formatValue(v) : `${k}=${formatValue(v)}`);
  }
  return parts.join(', ');
}

function formatValue(v: AttrValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

function liveNodes(graph: Graph, output: number): Uint8Array {
  const live = new Uint8Array(graph.nodes.length);
  const stack = [output];
  live[output] = 1;
  while (stack.length) {
    for (const i of graph.nodes[stack.pop()!]!.inputs) {
      if (!live[i]) {
        live[i] = 1;
        stack.push(i);
      }
    }
  }
  return live;
}
