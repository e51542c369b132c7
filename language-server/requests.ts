/** Handlers of the custom requests declared in src/protocol/lsp-extensions.ts. */
import { AstUtils, DocumentState, URI, type AstNode, type LangiumDocument } from 'langium';
import type { Connection } from 'vscode-languageserver';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import { elaborate, type ElaborationResult } from '../src/core/semantics/evaluator/index.js';
import { isModelDefinition, totalsOf } from './analysis.js';
import { networkFigures, shapeTuple } from '../src/core/semantics/figures.js';
import type { NasLanguageServices } from './nas-lsp-module.js';
import {
  CostReportRequest,
  GraphRequest,
  type CostReportResult,
  type DefinitionCost,
  type GraphParams,
  type GraphResult,
  type Range,
} from '../src/protocol/lsp-extensions.js';

function rangeIn(node: AstNode | undefined, document: LangiumDocument): Range | undefined {
  if (!node?.$cstNode) return undefined;
  return AstUtils.getDocument(node) === document ? node.$cstNode.range : undefined;
}

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
    const def = document && findModel(document, params.name);
    if (!document || !def) return null;
    let result: ElaborationResult;
    const decisions = params.decisions ?? {};
    if (Object.keys(decisions).length === 0) result = analysis.elaborate(def);
    else
      result = elaborate(def, {
        rootDocument: document.parseResult.value,
        decider: { decide: (key, n) => Math.min(Math.max(0, Math.trunc(decisions[key] ?? 0)), n - 1) },
      });
    return graphResult(document, def, result);
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

export function graphResult(document: LangiumDocument, def: ast.Definition, result: ElaborationResult): GraphResult {
  const dead = new Set(result.output ? result.graph.deadNodes(result.output.node).map((n) => n.id) : []);
  const nodes = result.graph.nodes.map((n) => {
    const sourceDoc = n.source ? AstUtils.getDocument(n.source) : undefined;
    return {
      id: n.id,
      op: n.op,
      scope: n.scope,
      attrs: { ...n.attrs },
      inputs: [...n.inputs],
      shape: shapeTuple(n.shape),
      params: n.params,
      macs: n.macs,
      acts: n.acts,
      range: rangeIn(n.source, document),
      sourceUri: sourceDoc?.uri.toString(),
      choiceKeys: [...n.choiceKeys],
      dead: dead.has(n.id),
    };
  });
  const edges = result.graph.nodes.flatMap((n) => n.inputs.map((from, index) => ({ from, to: n.id, index })));
  return {
    uri: document.uri.toString(),
    name: def.name,
    kind: def.kind as 'network' | 'space',
    nodes,
    edges,
    output: result.output?.node,
    input: result.input ? shapeTuple(result.input) : undefined,
    totals: result.graph.totals(),
    choices: result.trace.map((t) => ({ key: t.key, options: t.options, taken: t.taken, range: rangeIn(t.site, document) })),
    errors: result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
  };
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
  if (def.kind === 'space') {
    const outcome = await analysis.spaceStats(def);
    if (outcome.ok) cost.space = outcome.stats;
    else cost.spaceError = outcome.message;
  }
  return cost;
}
