/**
 * Completion: Langium's keyword and name-in-scope completion, ordered and filtered by what the
 * position takes (a layer after `->`, a number for `k = `), plus what the grammar cannot give
 * (completion-items.ts): a call's attribute names, enumerable values, a search block's
 * vocabulary, and snippets at the top level.
 *
 * Every answer is complete (`isIncomplete: false`): VS Code filters it as the user types
 * instead of asking again. Where the server has nothing to offer (a number being typed),
 * VS Code would fall back to its word list, words from comments and typos included; the
 * extension turns that list off for .nas files (`editor.wordBasedSuggestions` in package.json).
 */
import { CstUtils, TextDocument, type AstNode, type AstNodeDescription, type LangiumDocument, type ReferenceInfo } from 'langium';
import { DefaultCompletionProvider, type CompletionContext, type CompletionValueItem, type LangiumServices, type NextFeature } from 'langium/lsp';
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type CompletionList, type CompletionParams } from 'vscode-languageserver';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import { positionalParam, signatureText } from './describe.js';
import { splitTopLevelChunks } from '../src/core/language/syntax/chunks.js';
import { EVALUATORS, PENDING_EVALUATORS, STRATEGIES } from '../src/core/search/vocabulary.js';
import { completionPrefix, cursorContext, type CursorContext, type OpenBracket } from './completion-context.js';
import {
  SORT_SNIPPET,
  attributeItems,
  boolItems,
  evaluatorItems,
  kindOfDeclaration,
  metricItems,
  modeOfType,
  roleOfDeclaration,
  settingItems,
  settingValueItems,
  settingsOf,
  sortFor,
  strategyItems,
  type Mode,
  type Role,
} from './completion-items.js';

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

/** Names that are keywords only after `:` in a parameter (`C: int`); elsewhere they are noise. */
const TYPE_NAMES = new Set(['int', 'float', 'bool', 'string', 'tensor', 'layer', 'list', 'any']);

/** What the grammar's items are filtered and ordered by; `extra` goes before them; `only`: nothing else. */
interface Plan {
  mode: Mode;
  extra: CompletionItem[];
  only?: boolean;
  /** Keywords not offered here. */
  dropKeywords?: ReadonlySet<string>;
  /** Keep only names of these roles (a search's `space` takes a network or space). */
  roles?: ReadonlySet<Role>;
}

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
   * of the examples. The prefix is read as `completionPrefix` says (`x = ` as `let x = `).
   */
  protected override findFeaturesAt(document: TextDocument, offset: number): NextFeature[] {
    const text = document.getText();
    const chunks = splitTopLevelChunks(text.slice(0, offset));
    const start = chunks.length > 0 ? chunks[chunks.length - 1]!.start : 0;
    const prefix = completionPrefix(this.lexer, text.slice(start, offset));
    const chunk = TextDocument.create(document.uri, document.languageId, document.version, prefix);
    return super.findFeaturesAt(chunk, prefix.length);
  }

  override async getCompletion(document: LangiumDocument, params: CompletionParams): Promise<CompletionList | undefined> {
    const text = document.textDocument.getText();
    const offset = document.textDocument.offsetAt(params.position);
    const context = cursorContext(this.lexer, text, offset);
    const plan = this.plan(document, context);
    if (plan.only) return { isIncomplete: false, items: plan.extra };
    const list = (await super.getCompletion(document, params)) ?? { isIncomplete: false, items: [] };
    const items: CompletionItem[] = [...plan.extra];
    for (const item of list.items) {
      const role = (item.data as { role?: Role } | undefined)?.role;
      if (role === undefined) {
        // A keyword: type names only where a type goes.
        const typePosition = context.previous.at(-1)?.image === ':';
        if (item.kind === CompletionItemKind.Keyword && TYPE_NAMES.has(item.label) !== typePosition) continue;
        if ((plan.mode === 'layer' || plan.mode === 'tensor') && item.kind === CompletionItemKind.Keyword && item.label !== 'if') continue;
        if (plan.dropKeywords?.has(item.label)) continue;
        items.push({ ...item, sortText: `${sortFor(plan.mode, 'keyword') ?? '8'}${item.label}` });
        continue;
      }
      if (plan.roles && !plan.roles.has(role)) continue;
      const sort = sortFor(plan.mode, role);
      if (sort === undefined) continue;
      items.push({ ...item, data: undefined, sortText: `${sort}${item.label}` });
    }
    if (items.some((i) => i.kind === CompletionItemKind.Keyword && i.label === 'search')) {
      items.push(
        ...SNIPPETS.map(
          (s): CompletionItem => ({
            label: s.label,
            kind: CompletionItemKind.Snippet,
            detail: s.detail,
            insertText: s.body,
            insertTextFormat: InsertTextFormat.Snippet,
            sortText: `${SORT_SNIPPET}${s.label}`,
          }),
        ),
      );
    }
    return { isIncomplete: false, items };
  }

  /** What the cursor's position takes; see `Plan`. */
  private plan(document: LangiumDocument, context: CursorContext): Plan {
    const inner = context.open.at(-1);
    if (context.element === 'search') return this.searchPlan(context, inner);
    if (context.inString) return { mode: 'all', extra: [], only: true };
    if (inner?.bracket === '(' && inner.callee) {
      const def = this.resolveDefinition(document, context.base + inner.callee.startOffset, inner.callee.image);
      if (def) return this.argumentPlan(document, def, inner, context);
    }
    if (inner?.bracket === '[') return { mode: this.modeAround(document, context, context.open.length - 2), extra: [] };
    return { mode: context.previous.at(-1)?.image === '->' ? 'layer' : 'all', extra: [] };
  }

  private searchPlan(context: CursorContext, inner: OpenBracket | undefined): Plan {
    if (inner?.bracket === '(') {
      const owner = inner.beforeCallee?.image === 'strategy' || inner.beforeCallee?.image === 'evaluator' ? inner.beforeCallee.image : inner.callee?.image;
      const settings = owner ? settingsOf(owner, inner.callee?.image) : undefined;
      if (!settings) return { mode: 'scalar', extra: [], only: true };
      if (inner.currentName) {
        const setting = settings.find((s) => s.name === inner.currentName);
        return { mode: 'scalar', extra: setting ? settingValueItems(setting, context.inString) : [], only: true };
      }
      return { mode: 'scalar', extra: context.inString ? [] : settingItems(settings, inner.named), only: true };
    }
    if (context.open.length > 0 || context.inString) return { mode: 'scalar', extra: [], only: true };
    switch (context.previous.at(-1)?.image) {
      case 'strategy':
        return { mode: 'all', extra: strategyItems(), only: true };
      case 'evaluator':
        return { mode: 'all', extra: evaluatorItems(), only: true };
      case 'maximize':
      case 'minimize':
      case 'constraint':
        return { mode: 'all', extra: metricItems(), only: true };
      case 'space':
        return { mode: 'all', extra: [], roles: new Set(['model']) };
      default:
        return { mode: 'all', extra: [], roles: new Set() };
    }
  }

  /** Inside `callee(...)`: its attribute names (unless one is being given), then values that fit the parameter. */
  private argumentPlan(document: LangiumDocument, def: ast.Definition, call: OpenBracket, context: CursorContext): Plan {
    const param = call.currentName ? def.params.find((p) => p.name === call.currentName) : positionalParam(def, call.index);
    const extra: CompletionItem[] = [];
    if (!call.currentName && def.kind !== 'fn') extra.push(...attributeItems(def, call.index, call.named, this.documentationProvider.getDocumentation(def)));
    const drop = new Set<string>();
    if (param?.type === 'bool') extra.push(...boolItems());
    // `true` and `false` are offered once, and only where a bool or anything goes.
    if (param?.type && param.type !== 'any') drop.add('true').add('false');
    let mode = modeOfType(param?.type);
    // The options of a choice take what the choice itself stands for.
    if (param?.type === 'any' || param?.type === undefined || (def.name === 'choose' && param.name === 'options')) {
      if (def.kind === 'fn' && (def.name === 'choice' || def.name === 'choose')) mode = this.modeAround(document, context, context.open.length - 2);
    }
    // `add(x -> |`: what follows an arrow is a layer, whatever the argument's type.
    if (context.previous.at(-1)?.image === '->') mode = 'layer';
    return { mode, extra, dropKeywords: drop };
  }

  /** What the value at bracket level `level` takes (-1: the statement). */
  private modeAround(document: LangiumDocument, context: CursorContext, level: number): Mode {
    const frame = level >= 0 ? context.open[level] : undefined;
    if (!frame) return 'layer';
    if (frame.bracket === '[') return this.modeAround(document, context, level - 1);
    const def = frame.callee && this.resolveDefinition(document, context.base + frame.callee.startOffset, frame.callee.image);
    if (!def) return 'all';
    const param = frame.currentName ? def.params.find((p) => p.name === frame.currentName) : positionalParam(def, frame.index);
    if (param?.type === 'any' && def.kind === 'fn' && (def.name === 'choice' || def.name === 'choose')) return this.modeAround(document, context, level - 1);
    return modeOfType(param?.type);
  }

  /** The definition a callee name refers to: its link when the call parsed, else a lookup in the scope at the cursor. */
  private resolveDefinition(document: LangiumDocument, offset: number, name: string): ast.Definition | undefined {
    const root = document.parseResult.value.$cstNode;
    if (!root) return undefined;
    const leaf = CstUtils.findLeafNodeAtOffset(root, offset);
    const linked = leaf?.astNode.$type === 'Ref' && leaf.text === name ? (leaf.astNode as ast.Ref).target?.ref : undefined;
    if (linked?.$type === 'Definition') return linked;
    const container: AstNode = leaf?.astNode ?? document.parseResult.value;
    const ref = { $type: 'Ref', $container: container, $containerProperty: 'target' } as unknown as AstNode;
    const description = this.scopeProvider
      .getScope({ reference: { $refText: name, ref: undefined }, container: ref, property: 'target' } as unknown as ReferenceInfo)
      .getElement(name);
    const node = description?.node;
    return node?.$type === 'Definition' ? (node as ast.Definition) : undefined;
  }

  protected override createReferenceCompletionItem(
    nodeDescription: AstNodeDescription,
    refInfo: ReferenceInfo,
    context: CompletionContext,
  ): CompletionValueItem {
    const item = super.createReferenceCompletionItem(nodeDescription, refInfo, context);
    const node = nodeDescription.node as (AstNode & { kind?: string; type?: string }) | undefined;
    if (!node) return item;
    const role = roleOfDeclaration(node);
    const detail = node.$type === 'Definition' ? signatureText(node as ast.Definition) : declarationDetail(node);
    return { ...item, kind: kindOfDeclaration(node), detail, data: { role } };
  }
}

function declarationDetail(node: AstNode & { type?: string }): string {
  switch (node.$type) {
    case 'Param':
      return `parameter${node.type ? `: ${node.type}` : ''}`;
    case 'Let':
      return 'constant';
    case 'LoopVar':
      return 'loop variable';
    case 'InputName':
      return 'input';
    default:
      return 'node';
  }
}
