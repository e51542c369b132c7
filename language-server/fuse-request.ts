/**
 * `nas/fuseSource` (src/protocol/fuse.ts): a network's deployment form for NAS: Fuse for
 * Deployment. The text is the core's source fusion of the document as the editor holds it; its
 * figures after fusion come from elaborating that text in a headless workspace of the server's
 * own (src/core/workspace.ts, made on the first request), so that the deployment document never
 * enters the editor's workspace: no diagnostics are published for a file not yet written, and
 * nothing of it lingers in the index. With it come the graph view's fusion pairs (each
 * training-time block call beside its deployment block, fusion-pairs.ts).
 */
import { DocumentState, URI, UriUtils, type LangiumDocument } from 'langium';
import type { Connection } from 'vscode-languageserver';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import { NasWorkspace } from '../src/core/workspace.js';
import { elaborate } from '../src/core/semantics/evaluator/index.js';
import { DEPLOY_FORMS, fusableUses, fuseSource } from '../src/core/reparam/source-fusion.js';
import { FuseSourceRequest, type FuseSourceParams, type FuseSourceResult } from '../src/protocol/fuse.js';
import type { NasLanguageServices } from './nas-lsp-module.js';
import { fusionPairs } from './fusion-pairs.js';

let deployWorkspace: NasWorkspace | undefined;

/** `file.nas` → `file.deploy.nas`, or `file.Net.deploy.nas` when several networks of the file fuse. */
export function deployTarget(uri: URI, network: string, several: boolean): URI {
  const base = UriUtils.basename(uri).replace(/\.nas$/, '');
  return UriUtils.joinPath(UriUtils.dirname(uri), `${base}${several ? `.${network}` : ''}.deploy.nas`);
}

export function registerFuseRequest(connection: Connection, services: NasLanguageServices): void {
  const { shared, analysis } = services;

  async function documentFor(uriText: string): Promise<LangiumDocument | undefined> {
    const uri = URI.parse(uriText);
    const documents = shared.workspace.LangiumDocuments;
    await shared.workspace.WorkspaceManager.ready;
    if (!documents.hasDocument(uri)) {
      if (!(await shared.workspace.FileSystemProvider.exists(uri))) return undefined;
      await shared.workspace.DocumentBuilder.build([await documents.getOrCreateDocument(uri)], { validation: true });
    }
    await shared.workspace.DocumentBuilder.waitUntil(DocumentState.Validated, uri);
    return documents.getDocument(uri);
  }

  connection.onRequest(FuseSourceRequest.type, async (params: FuseSourceParams): Promise<FuseSourceResult> => {
    const document = await documentFor(params.uri);
    if (!document) return { ok: false, message: `cannot read ${params.uri}` };
    const root = document.parseResult.value as ast.Document;
    const networks = (root.elements ?? []).filter((e): e is ast.Definition => e.$type === 'Definition' && e.kind === 'network');
    const fusable = networks.filter((n) => fusableUses(n) > 0);
    const blocks = Object.keys(DEPLOY_FORMS).join(', ');
    let network: ast.Definition | undefined;
    if (params.name !== undefined) {
      network = networks.find((n) => n.name === params.name);
      if (!network) return { ok: false, message: `${params.name} is not a network of this file` };
      if (!fusable.includes(network)) return { ok: false, message: `network ${params.name} uses no training-time block (${blocks}): nothing to fuse` };
    } else {
      if (fusable.length === 0) return { ok: false, message: `no network of this file uses a training-time block (${blocks}): nothing to fuse` };
      if (fusable.length > 1)
        return { ok: false, message: `several networks use training-time blocks (${fusable.map((n) => n.name).join(', ')}): fuse one from its code lens` };
      network = fusable[0]!;
    }
    if ((document.diagnostics ?? []).some((d) => d.severity === 1)) return { ok: false, message: 'the file has errors: fix them first (see Problems)' };
    const before = analysis.elaborate(network);
    if (!before.output) return { ok: false, message: `${network.name} does not elaborate (see Problems)` };
    const target = deployTarget(document.uri, network.name, fusable.length > 1);
    const fused = fuseSource(network, { target });
    deployWorkspace ??= new NasWorkspace();
    const doc = await deployWorkspace.addText(fused.text, target);
    const deployDef = (doc.parseResult.value as ast.Document).elements.find((e): e is ast.Definition => e.$type === 'Definition' && e.name === network.name);
    const broken = deployWorkspace.diagnostics(doc).filter((d) => d.severity === 'error');
    const after = deployDef && broken.length === 0 ? elaborate(deployDef) : undefined;
    if (!after?.output) return { ok: false, message: `the deployment form does not check: ${broken[0]?.message ?? 'it does not elaborate'}` };
    const totals = (t: { params: number; macs: number }) => ({ params: t.params, macs: t.macs });
    return {
      ok: true,
      name: network.name,
      target: target.toString(),
      text: fused.text,
      before: totals(before.graph.totals()),
      after: totals(after.graph.totals()),
      renamed: Object.entries(fused.renamed).map(([from, uses]) => ({ from, to: DEPLOY_FORMS[from]!, uses })),
      external: fused.external.map((e) => ({ definition: e.definition, uri: e.uri })),
      pairs: fusionPairs(network, deployDef!),
    };
  });
}
