/**
 * The graph view's fusion pairs for NAS: Fuse for Deployment: each distinct call of a
 * training-time block (`RepVGGBlock(96, stride=2)`) beside the deployment block it became,
 * drawn by the webview's fusion view (src/core/views/fusion-view.ts). Source fusion renames
 * uses one for one and keeps the order of the network, so the k-th instance of a training-time
 * block is the k-th instance of its deployment block.
 */
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import type { ArchGroup, ArchitectureGraph } from '../src/core/views/architecture.js';
import { architectureOf } from '../src/core/views/from-elaboration.js';
import { DEPLOY_FORMS } from '../src/core/reparam/source-fusion.js';
import type { FusionPairs } from '../src/protocol/fuse.js';
import type { GraphResult } from '../src/protocol/lsp-extensions.js';

function graphResult(g: ArchitectureGraph): GraphResult {
  return { ...g, edges: g.nodes.flatMap((n) => n.inputs.map((from, index) => ({ from, to: n.id, index }))) };
}

const call = (g: ArchGroup): string => `${g.name}(${g.args ?? ''})`;

export function fusionPairs(train: ast.Definition, deploy: ast.Definition): FusionPairs {
  const t = architectureOf(train).graph;
  const d = architectureOf(deploy).graph;
  const deployInstances = new Map<string, ArchGroup[]>();
  for (const g of d.groups) if (g.kind === 'instance') deployInstances.set(g.name, [...(deployInstances.get(g.name) ?? []), g]);
  const used = new Map<string, number>();
  const blocks = new Map<string, FusionPairs['blocks'][number]>();
  for (const g of t.groups) {
    const form = g.kind === 'instance' ? DEPLOY_FORMS[g.name] : undefined;
    if (!form) continue;
    const k = used.get(g.name) ?? 0;
    used.set(g.name, k + 1);
    const partner = deployInstances.get(form)?.[k];
    if (!partner) continue;
    const title = call(g);
    const seen = blocks.get(title);
    if (seen) seen.instances++;
    else blocks.set(title, { title, deployTitle: call(partner), train: g.id, deploy: partner.id, instances: 1 });
  }
  return { train: graphResult(t), deploy: graphResult(d), blocks: [...blocks.values()] };
}
