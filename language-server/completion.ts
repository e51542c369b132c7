/**
 * Completion: Langium's keyword and name-in-scope completion, with signatures and
 * documentation on definitions, plus attribute names inside a call (`k = `) and snippets for
 * a cell, a block, a network, a space and a search at the top level.
 */
import { CstUtils, TextDocument, type AstNodeDescription, type LangiumDocument, type ReferenceInfo } from 'langium';
import { DefaultCompletionProvider, type CompletionContext, type CompletionValueItem, type LangiumServices, type NextFeature } from 'langium/lsp';
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type CompletionList, type CompletionParams } from 'vscode-languageserver';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import { paramText, signatureText } from './describe.js';
import { enclosingCall } from './signature-help.js';
import { splitTopLevelChunks } from '../src/core/language/syntax/chunks.js';
import { EVALUATORS, PENDING_EVALUATORS, STRATEGIES } from '../src/core/search/vocabulary.js';

const SNIPPETS: ReadonlyArray<{ label: string; detail: string; body: string }> = [
  {
    label: 'block',
    detail: 'block: a composite layer (choices decided per instance)',
    body: '/** ${2:What it computes.} */\nblock ${1:Name}(C: int, stride: int = 1) {\n  input x\n  x -> conv(C, k=3, stride=stride) -> bn -> relu$0\n}',
  },
  {
    label: 'cell',
    detail: 'cell: a DAG whose choices are shared by all its instances',
    body: 'cell ${1:Name}(C: int) {\n  input s0, s1\n  n0 = add(s0 -> ${2:choice(identity, conv(C, k=3))}, s1 -> ${3:choice(identity, conv(C, k=3))})\n  output n0$0\n}',
  },
  {
    label: 'network',
    detail: 'network: a fixed architecture',
    body: 'network ${1:Name}(classes: int = 10) {\n  input(3, 32, 32)\n  conv(16, k=3) -> bn -> relu$0\n  gap -> fc(classes)\n}',
  },
  {
    label: 'space',
    detail: 'space: a network with choices',
    body: 'space ${1:Name}(classes: int = 10) {\n  input(3, 32, 32)\n  conv(choice(16, 24, 32), k=3) -> bn -> relu$0\n  gap -> fc(classes)\n}',
  },
  {
    label: 'search',
    detail: 'search: strategy, objectives, evaluator and budget for a space',
    // The names come from the search engine's vocabulary: every one offered runs.
    body: `search \${1:Name} {\n  space \${2:Space}\n  strategy \${3|${STRATEGIES.filter((x) => x.singleObjective)
      .map((x) => x.name)
      .join(',')}|}\n  maximize accuracy\n  constraint macs <= \${4:600M}\n  evaluator \${5|${EVALUATORS.filter((x) => !PENDING_EVALUATORS.has(x.name))
      .map((x) => x.name)
      .join(',')}|}\n  budget \${6:100}\n  seed 0\n}`,
  },
];

export class NasCompletionProvider extends DefaultCompletionProvider {
  constructor(services: LangiumServices) {
    super(services);
  }

  /**
   * What may come at `offset`: Langium parses the whole text before it with its completion
   * parser, 50-120 ms per request at the end of a 5,000-line file. The grammar's top level is a
   * sequence of elements, so parsing from the start of the top-level chunk that holds the offset
   * (a column-0 keyword outside brackets, as the incremental parse splits: src/core/language/syntax/chunks.ts)
   * gives the same features; `test/lsp/completion-chunk.test.ts` compares both on every position
   * of the examples.
   */
  protected override findFeaturesAt(document: TextDocument, offset: number): NextFeature[] {
    const text = document.getText();
    const chunks = splitTopLevelChunks(text.slice(0, offset));
    const start = chunks.length > 0 ? chunks[chunks.length - 1]!.start : 0;
    if (start === 0) return super.findFeaturesAt(document, offset);
    const chunk = TextDocument.create(document.uri, document.languageId, document.version, text.slice(start, offset));
    return super.findFeaturesAt(chunk, offset - start);
  }

  override async getCompletion(document: LangiumDocument, params: CompletionParams): Promise<CompletionList | undefined> {
    const list = (await super.getCompletion(document, params)) ?? { isIncomplete: false, items: [] };
    const offset = document.textDocument.offsetAt(params.position);
    const attrs = this.attributeItems(document, offset);
    if (attrs.length > 0) list.items.unshift(...attrs);
    if (list.items.some((i) => i.kind === CompletionItemKind.Keyword && i.label === 'search')) {
      list.items.push(
        ...SNIPPETS.map(
          (s): CompletionItem => ({
            label: s.label,
            kind: CompletionItemKind.Snippet,
            detail: s.detail,
            insertText: s.body,
            insertTextFormat: InsertTextFormat.Snippet,
            sortText: `1${s.label}`,
          }),
        ),
      );
    }
    return list;
  }

  protected override createReferenceCompletionItem(
    nodeDescription: AstNodeDescription,
    refInfo: ReferenceInfo,
    context: CompletionContext,
  ): CompletionValueItem {
    const item = super.createReferenceCompletionItem(nodeDescription, refInfo, context);
    const node = nodeDescription.node;
    if (node?.$type === 'Definition') {
      const def = node as ast.Definition;
      return { ...item, detail: signatureText(def), sortText: def.kind === 'fn' || def.kind === 'op' ? '1' : '0' };
    }
    return item;
  }

  /** `name = ` items for the attributes of the call around the cursor that are not given yet. */
  private attributeItems(document: LangiumDocument, offset: number): CompletionItem[] {
    const root = document.parseResult.value.$cstNode;
    if (!root) return [];
    const leaf = CstUtils.findLeafNodeBeforeOffset(root, offset);
    const call = leaf && enclosingCall(leaf.astNode, offset);
    if (!call) return [];
    const def = (call.callee as ast.Ref).target.ref as ast.Definition;
    const given = new Set(call.args.map((a) => a.name).filter((n): n is string => !!n));
    const doc = this.documentationProvider.getDocumentation(def);
    return def.params
      .filter((p) => !p.variadic && !given.has(p.name))
      .map((p, i) => ({
        label: `${p.name} =`,
        kind: CompletionItemKind.Property,
        detail: `${def.name}(${paramText(p)})`,
        documentation: doc ? { kind: 'markdown', value: doc } : undefined,
        insertText: `${p.name} = `,
        sortText: `00${String(i).padStart(2, '0')}`,
      }));
  }
}
