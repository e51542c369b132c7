/**
 * What `nas fuse` and `nas bench fuse` start from: the .nas file loaded and checked, the
 * network to fuse (the named one, or the file's one network that uses training-time blocks),
 * its deployment form as text and elaborated, both elaborations, and, for the weights, the
 * fusion plan (src/core/reparam/fusion-plan.ts).
 */
import { URI } from 'langium';
import { formatDiagnostic, loadFiles, modelsOf, UsageError } from '../load.js';
import { NasWorkspace } from '../../core/workspace.js';
import { elaborate, type ElaborationResult } from '../../core/semantics/evaluator/index.js';
import { DEPLOY_FORMS, fuseSource, type SourceFusion } from '../../core/reparam/source-fusion.js';
import type { Definition, Document } from '../../core/language/syntax/generated/ast.js';

export interface LoadedFusion {
  network: Definition;
  fused: SourceFusion;
  before: ElaborationResult;
  after: ElaborationResult;
  deployDef: Definition;
}

export function deployName(input: string): string {
  return input.endsWith('.nas') ? `${input.slice(0, -4)}.deploy.nas` : `${input}.deploy.nas`;
}

/**
 * Loads `file` and fuses `network`'s source as if written to `target` (imports rebased there).
 * Returns an exit code (1) after printing why when the file has errors or nothing to fuse;
 * throws UsageError for bad arguments.
 */
export async function loadFusion(file: string, networkName: string | undefined, target: string): Promise<LoadedFusion | number> {
  const ws = new NasWorkspace();
  const [loaded] = await loadFiles([file], ws);
  const errors = loaded!.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    for (const d of errors) process.stderr.write(formatDiagnostic(d) + '\n');
    return 1;
  }
  const network = pickNetwork(loaded!.root, file, networkName);
  if (!network) return 1;
  const fused = fuseSource(network, { target: URI.file(target) });
  const before = elaborate(network);
  const doc = await ws.addText(fused.text, URI.file(target));
  const broken = ws.diagnostics(doc, target).filter((d) => d.severity === 'error');
  if (broken.length) throw new Error(`the deployment form does not check: ${broken.map(formatDiagnostic).join('; ')}`);
  const deployDef = (doc.parseResult.value as Document).elements.find((e): e is Definition => e.$type === 'Definition' && e.name === network.name)!;
  const after = elaborate(deployDef);
  const [o1, o2] = [before.output!.shape, after.output!.shape];
  if (o1.c !== o2.c || o1.h !== o2.h || o1.w !== o2.w) throw new Error(`the deployment form changes the output shape of ${network.name}`);
  return { network, fused, before, after, deployDef };
}

/** The named network, or the one network of the file that uses training-time blocks. */
function pickNetwork(root: Document, file: string, name: string | undefined): Definition | undefined {
  const blocks = Object.keys(DEPLOY_FORMS).join(', ');
  if (name !== undefined) {
    const def = modelsOf(root, name)[0]!;
    if (def.kind !== 'network') throw new UsageError(`${name} is a ${def.kind}: fuse a network (\`nas sample\` prints architectures of a space as networks)`);
    if (Object.keys(fuseSource(def).renamed).length > 0) return def;
    process.stderr.write(`nas: network ${name} uses no training-time block (${blocks}): nothing to fuse\n`);
    return undefined;
  }
  const networks = root.elements.filter((e): e is Definition => e.$type === 'Definition' && e.kind === 'network');
  if (networks.length === 0) throw new UsageError(`${file} has no network`);
  const fusable = networks.filter((n) => Object.keys(fuseSource(n).renamed).length > 0);
  if (fusable.length > 1)
    throw new UsageError(`several networks use training-time blocks (${fusable.map((n) => n.name).join(', ')}): choose one with --network`);
  if (fusable.length === 0) {
    process.stderr.write(`nas: no network of ${file} uses a training-time block (${blocks}): nothing to fuse\n`);
    return undefined;
  }
  return fusable[0];
}
