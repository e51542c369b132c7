/**
 * What op a choice option is, read from the elaborated graph (not from the text): the first
 * run of nodes a key owns, named after the published cell ops (NAS-Bench-201's and DARTS's
 * PRIMITIVES). The codecs use it to map decisions to genotypes whatever order a space lists
 * its options in.
 */
import type { ElaborationResult } from '../../semantics/evaluator/index.js';
import type { GraphNode } from '../../semantics/graph.js';

/** The first consecutive nodes created while deciding `key` (its first instance). */
export function firstChain(r: ElaborationResult, key: string): GraphNode[] {
  const nodes = r.graph.nodes;
  let i = 0;
  while (i < nodes.length && !nodes[i]!.choiceKeys.includes(key)) i++;
  const out: GraphNode[] = [];
  while (i < nodes.length && nodes[i]!.choiceKeys.includes(key)) out.push(nodes[i++]!);
  return out;
}

const num = (n: GraphNode, attr: string, fallback: number): number => {
  const v = n.attrs[attr];
  return typeof v === 'number' ? v : fallback;
};

/** The published name of a cell op (`nor_conv_3x3`, `sep_conv_5x5`, `skip_connect`, ...), or undefined. */
export function cellOpName(chain: readonly GraphNode[]): string | undefined {
  const ops = chain.map((n) => n.op);
  const joined = ops.join(',');
  if (joined === 'zero') return 'none';
  if (joined === 'identity') return 'skip_connect';
  // DARTS's FactorizedReduce: the skip connection of a stride-2 edge.
  if (joined === 'relu,conv,conv,concat,bn' && chain.every((n) => n.op !== 'conv' || num(n, 'k', 1) === 1)) return 'skip_connect';
  if (ops.length === 1 && (ops[0] === 'avgpool' || ops[0] === 'maxpool'))
    return `${ops[0] === 'avgpool' ? 'avg' : 'max'}_pool_${num(chain[0]!, 'k', 0)}x${num(chain[0]!, 'k', 0)}`;
  if (joined === 'relu,conv,bn') {
    const k = num(chain[1]!, 'k', 1);
    return num(chain[1]!, 'dilation', 1) === 1 ? `nor_conv_${k}x${k}` : undefined;
  }
  const dw = chain.filter((n) => n.op === 'dwconv');
  if (dw.length === 1 && joined === 'relu,dwconv,conv,bn' && num(dw[0]!, 'dilation', 1) > 1) {
    const k = num(dw[0]!, 'k', 3);
    return `dil_conv_${k}x${k}`;
  }
  if (dw.length === 2 && joined === 'relu,dwconv,conv,bn,relu,dwconv,conv,bn' && dw.every((n) => num(n, 'dilation', 1) === 1)) {
    const k = num(dw[0]!, 'k', 3);
    return `sep_conv_${k}x${k}`;
  }
  return undefined;
}
