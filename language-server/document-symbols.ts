/**
 * The Outline, breadcrumbs and "Go to Symbol": definitions (networks, spaces, blocks, cells,
 * top-level constants and searches) and, inside them, the named nodes (`x = ...`), with the
 * node's output shape as its detail. Langium's default lists everything that has a name,
 * parameters and named arguments (`k=3`) included, which buries the structure.
 */
import { GrammarUtils, type AstNode, type LangiumDocument } from 'langium';
import type { DocumentSymbolProvider } from 'langium/lsp';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import type { NasAnalysis, StatementFigures } from './analysis.js';
import { paramText } from './describe.js';
import { formatShapeText } from './figures.js';

const KIND: Record<string, SymbolKind> = {
  network: SymbolKind.Class,
  space: SymbolKind.Interface,
  block: SymbolKind.Module,
  cell: SymbolKind.Struct,
  op: SymbolKind.Function,
  fn: SymbolKind.Function,
};

export class NasDocumentSymbolProvider implements DocumentSymbolProvider {
  constructor(private readonly analysis: NasAnalysis) {}

  getSymbols(document: LangiumDocument): DocumentSymbol[] {
    const root = document.parseResult.value as ast.Document;
    let index: Map<AstNode, StatementFigures> | undefined;
    const figures = (): Map<AstNode, StatementFigures> => (index ??= this.analysis.statementIndex(document));
    const symbols: DocumentSymbol[] = [];
    for (const el of root.elements ?? []) {
      if (el.$type === 'Definition') {
        const children = namedNodes(el.body ?? []).flatMap((n) => symbolOf(n, SymbolKind.Variable, shapeDetail(n, figures)));
        symbols.push(...symbolOf(el, KIND[el.kind] ?? SymbolKind.Class, definitionDetail(el), children));
      } else if (el.$type === 'Search') {
        symbols.push(...symbolOf(el, SymbolKind.Event, 'search'));
      } else if (el.$type === 'Let') {
        symbols.push(...symbolOf(el, SymbolKind.Constant, el.value?.$cstNode?.text));
      }
    }
    return symbols;
  }
}

/** The named nodes of a body, those inside `for` loops included, in the order written. */
function namedNodes(statements: readonly ast.Statement[]): ast.Node[] {
  const out: ast.Node[] = [];
  for (const s of statements) {
    if (s.$type === 'Node' && s.name) out.push(s);
    else if (s.$type === 'ForStmt') out.push(...namedNodes(s.body));
  }
  return out;
}

function symbolOf(node: AstNode & { name?: string }, kind: SymbolKind, detail?: string, children?: DocumentSymbol[]): DocumentSymbol[] {
  const cst = node.$cstNode;
  const nameNode = GrammarUtils.findNodeForProperty(cst, 'name');
  // A partial AST (a syntax error) may lack the name: such an element has no symbol.
  if (!cst || !nameNode || !node.name) return [];
  return [{ name: node.name, kind, detail, range: cst.range, selectionRange: nameNode.range, children }];
}

function definitionDetail(def: ast.Definition): string {
  return def.params.length > 0 ? `${def.kind}(${def.params.map(paramText).join(', ')})` : def.kind;
}

/** The output shape of a node in its first elaboration (a block's first instance). */
function shapeDetail(node: ast.Node, figures: () => Map<AstNode, StatementFigures>): string | undefined {
  const output = figures().get(node)?.info.output;
  return output ? formatShapeText(output.shape) : undefined;
}
