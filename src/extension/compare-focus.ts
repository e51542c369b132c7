/**
 * Which view two compared architectures of a space are best drawn in: the cell every choice
 * lives in when there is one (NAS-Bench-201's cell, repeated through the network with one
 * genotype), else the network (DARTS's two cells, a layer-wise MobileNet space: the network
 * view marks the blocks that differ and the user can open a cell from the view menu).
 * Free of the vscode API (tested in Node).
 */
import type { GraphGroup, GraphResult } from '../protocol/lsp-extensions.js';

/** The outermost block or cell instance a node is in (below the network itself), if any. */
function outermostInstances(graph: GraphResult): (GraphGroup | undefined)[] {
  const out: (GraphGroup | undefined)[] = new Array(graph.nodes.length).fill(undefined);
  // Groups are listed in the order they started, so an enclosing group comes before the groups inside it.
  for (const g of graph.groups ?? []) {
    if (g.kind !== 'instance') continue;
    for (let id = g.first; id < g.end && id < out.length; id++) out[id] ??= g;
  }
  return out;
}

/** The cell (or block) to compare in, or undefined for the network view. */
export function compareCell(graph: GraphResult): string | undefined {
  const outer = outermostInstances(graph);
  const names = new Set<string>();
  const keys = new Set<string>();
  for (const n of graph.nodes) {
    if (!n.choiceKeys.length) continue;
    const g = outer[n.id];
    if (!g) return undefined; // a choice made in the network's own body
    names.add(g.name);
    for (const k of n.choiceKeys) keys.add(k);
  }
  if (names.size !== 1) return undefined;
  const [name] = names;
  // The cell view draws one instance (the first with distinct inputs, as cell-view.ts): it
  // shows the whole difference only when that instance carries every choice.
  const instances = (graph.groups ?? []).filter((g) => g.kind === 'instance' && g.name === name && g.end > g.first);
  const drawn = instances.find((g) => new Set(g.inputs).size === g.inputs.length) ?? instances[0];
  if (!drawn) return undefined;
  const inDrawn = new Set<string>();
  for (let id = drawn.first; id < drawn.end; id++) for (const k of graph.nodes[id]?.choiceKeys ?? []) inDrawn.add(k);
  return [...keys].every((k) => inDrawn.has(k)) ? name : undefined;
}
