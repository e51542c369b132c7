/** Handlers of the custom requests declared in src/protocol/lsp-extensions.ts. */
import { DocumentState, URI, type LangiumDocument } from 'langium';
import type { Connection } from 'vscode-languageserver';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import type { ElaborationResult } from '../src/core/semantics/evaluator/index.js';
import { architectureOf } from '../src/core/views/from-elaboration.js';
import { isModelDefinition, totalsOf } from './analysis.js';
import { networkFigures, shapeTuple } from '../src/core/semantics/figures.js';
import type { NasLanguageServices } from './nas-lsp-module.js';
import { elaborate } from '../src/core/semantics/evaluator/index.js';
import { encodeDecisions } from '../src/core/semantics/space.js';
import { exportPytorch, ExportError } from '../src/core/export/pytorch/index.js';
import {
  CostReportRequest,
  ExportPytorchRequest,
  GraphRequest,
  type ExportPytorchResult,
  type CostReportResult,
  type DefinitionCost,
  type GraphParams,
  type GraphResult,
} from '../src/protocol/lsp-extensions.js';

export function registerCustomRequests(connection: Connection, services: NasLanguageServices): void {
  const { shared, analysis } = services;

  async function documentFor(uriText: string): Promise<LangiumDocument | undefined> {
    const uri = URI.parse(uriText);
    const documents = shared.workspace.LangiumDocuments;
    await shared.workspace.WorkspaceManager.ready;
    if (!documents.hasDocument(uri)) {
      // A file that is not open: load and check it (with its imports) first.
      try {
        if (!(await shared.workspace.FileSystemProvider.exists(uri))) return undefined;
        const doc = await documents.getOrCreateDocument(uri);
        await shared.workspace.DocumentBuilder.build([doc], { validation: true });
      } catch {
        return undefined;
      }
    }
    await shared.workspace.DocumentBuilder.waitUntil(DocumentState.Validated, uri);
    return documents.getDocument(uri);
  }

  function findModel(document: LangiumDocument, name: string | undefined): ast.Definition | undefined {
    const root = document.parseResult.value as ast.Document;
    return (root.elements ?? []).find((e): e is ast.Definition => isModelDefinition(e) && (name === undefined || e.name === name));
  }

  connection.onRequest(GraphRequest.type, async (params: GraphParams): Promise<GraphResult | null> => {
    const document = await documentFor(params.uri);
    if (!document) return null;
    let def = findModel(document, params.name);
    let focus: string | undefined;
    if (!def && params.name !== undefined && isCellOrBlock(document, params.name)) {
      // A cell or block: the first network or space that makes an instance of it.
      focus = params.name;
      const root = document.parseResult.value as ast.Document;
      def = (root.elements ?? []).find((e): e is ast.Definition => isModelDefinition(e) && usesDefinition(analysis.elaborate(e), params.name!));
    }
    if (!def) return null;
    // With the instances recorded (architectureOf), for the graph view's boxes.
    const { graph } = architectureOf(def, { decisions: new Map(Object.entries(params.decisions ?? {})) });
    return { ...graph, focus, edges: graph.nodes.flatMap((n) => n.inputs.map((from, index) => ({ from, to: n.id, index }))) };
  });

  // The file `nas export --to pytorch` writes, for the editor's Export to PyTorch command.
  connection.onRequest(ExportPytorchRequest.type, async (params): Promise<ExportPytorchResult> => {
    const document = await documentFor(params.uri);
    if (!document) return { error: `cannot read ${params.uri}` };
    const def = findModel(document, params.name);
    if (!def) return { error: params.name ? `the file has no network or space ${params.name}` : 'the file has no network or space' };
    const errors = (document.diagnostics ?? []).filter((d) => d.severity === 1);
    if (errors.length) return { name: def.name, error: `the file has errors (line ${errors[0]!.range.start.line + 1}: ${errors[0]!.message})` };
    const decisions = params.decisions ?? {};
    const result = elaborate(def, { decider: { decide: (key, options) => Math.min(Math.max(decisions[key] ?? 0, 0), options - 1) } });
    const failed = result.diagnostics.find((d) => d.severity === 'error');
    if (failed) return { name: def.name, error: `${def.name}: ${failed.message}` };
    const arch = def.kind === 'space' ? encodeDecisions(result.trace) : undefined;
    try {
      const source = URI.parse(params.uri).path.split('/').pop();
      const e = exportPytorch(result, def, { source, arch, command: 'NAS: Export to PyTorch' });
      return { name: def.name, code: e.code, className: e.className, params: e.params, arch };
    } catch (e) {
      if (e instanceof ExportError) return { name: def.name, error: e.message };
      throw e;
    }
  });

  connection.onRequest(CostReportRequest.type, async (params): Promise<CostReportResult> => {
    const document = await documentFor(params.uri);
    if (!document) return { uri: params.uri, definitions: [] };
    const root = document.parseResult.value as ast.Document;
    const definitions: DefinitionCost[] = [];
    for (const def of root.elements ?? []) {
      if (!isModelDefinition(def) || (params.name !== undefined && def.name !== params.name)) continue;
      definitions.push(await costReport(document, def, analysis));
    }
    return { uri: params.uri, definitions };
  });
}

function isCellOrBlock(document: LangiumDocument, name: string): boolean {
  const root = document.parseResult.value as ast.Document;
  return (root.elements ?? []).some(
    (e) =>
      e.$type === 'Definition' &&
      (((e.kind === 'cell' || e.kind === 'block') && e.name === name) || e.fixed?.entries.some((g) => g.$type === 'FixedGroup' && g.cell.ref?.name === name)),
  );
}

/** Whether an elaboration made an instance of definition `name` (a scope segment `name` or `name.i`). */
function usesDefinition(result: ElaborationResult, name: string): boolean {
  const g = result.graph;
  for (let id = 0; id < g.size; id++) {
    for (const seg of g.scopeOf(id).split('/')) if (seg === name || (seg.startsWith(`${name}.`) && /^\d+$/.test(seg.slice(name.length + 1)))) return true;
  }
  return false;
}

export async function costReport(document: LangiumDocument, def: ast.Definition, analysis: NasLanguageServices['analysis']): Promise<DefinitionCost> {
  const result = analysis.elaborate(def);
  const text = document.textDocument.getText();
  const statements: DefinitionCost['statements'] = [];
  const visit = (list: readonly ast.Statement[]): void => {
    for (const s of list) {
      if (s.$type === 'ForStmt') {
        visit(s.body);
        continue;
      }
      const info = result.statements.get(s);
      if (!info || !s.$cstNode) continue;
      const t = totalsOf(result, info.first, info.end);
      const cst = s.$cstNode;
      statements.push({
        range: cst.range,
        text: text.slice(cst.offset, cst.end).split(/\r?\n/)[0]!.trim(),
        shape: info.output ? shapeTuple(info.output.shape) : undefined,
        params: t.params,
        macs: t.macs,
        acts: t.acts,
        instances: info.instances,
      });
    }
  };
  visit(def.body);
  const cost: DefinitionCost = {
    name: def.name,
    kind: def.kind as 'network' | 'space',
    range: def.$cstNode!.range,
    ...networkFigures(result),
    statements,
  };
  // The same rule as the code lens and hints: totals that leave out layers with errors say so.
  const partial = analysis.totals(def);
  if (partial && cost.totals) {
    cost.totals = { ...partial.totals };
    if (partial.layersWithErrors > 0) cost.layersWithErrors = partial.layersWithErrors;
  }
  if (def.kind === 'space') {
    const outcome = await analysis.spaceStats(def);
    if (outcome.ok) cost.space = outcome.stats;
    else cost.spaceError = outcome.message;
  }
  return cost;
}
