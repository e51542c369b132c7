/**
 * Validation checks registered per AST node type (as Langium's examples do). Shape, channel
 * and cost errors come from elaborating each network and space (src/core/semantics); the
 * checks here are the ones that need no elaboration.
 */
import {
  AstUtils,
  GrammarUtils,
  type AstNode,
  type DiagnosticInfo,
  type LangiumDocument,
  type ValidationAcceptor,
  type ValidationChecks,
  type LangiumDocuments,
} from 'langium';
import type * as ast from '../language/syntax/generated/ast.js';
import { elaborateCached, placeOf, type RelatedNote } from '../semantics/evaluator/index.js';
import { suggestName } from '../semantics/suggest.js';
import { registerReparamChecks } from '../reparam/validator.js';
import { KNOWN_METRICS, KNOWN_STRATEGIES, KNOWN_EVALUATORS } from '../search/vocabulary.js';
import { checkSearchSpec } from './search-checks.js';
import { checkImportTarget } from './import-checks.js';
import { checkSearchBlock } from './search-block-checks.js';

export function registerNasChecks(
  registry: { register(checks: ValidationChecks<ast.NasAstType>, thisObj: object): void },
  documents: () => LangiumDocuments,
): void {
  const v = new NasValidator(documents);
  const checks: ValidationChecks<ast.NasAstType> = {
    Document: [v.checkDuplicateTopLevel],
    Import: v.checkImport,
    Definition: [v.checkDefinition, v.checkModel],
    Search: [v.checkSearch, checkSearchSpec, checkSearchBlock],
  };
  registry.register(checks, v);
  registerReparamChecks(registry);
}

type DiagnosticRelatedInformation = NonNullable<DiagnosticInfo<AstNode>['relatedInformation']>[number];

/** A related note as an LSP location: the node's document and the range of the property or node. */
function relatedLocation(note: RelatedNote): DiagnosticRelatedInformation {
  const cst = (note.property ? GrammarUtils.findNodeForProperty(note.node.$cstNode, note.property) : undefined) ?? note.node.$cstNode;
  const range = cst?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return { location: { uri: AstUtils.getDocument(note.node).uri.toString(), range }, message: note.message };
}

export class NasValidator {
  constructor(private readonly documents: () => LangiumDocuments) {}

  checkDuplicateTopLevel(doc: ast.Document, accept: ValidationAcceptor): void {
    const seen = new Map<string, ast.Element>();
    for (const el of doc.elements) {
      if (!el.name) continue;
      const prev = seen.get(el.name);
      if (prev) {
        accept('error', `duplicate name \`${el.name}\`: already defined on line ${(prev.$cstNode?.range.start.line ?? 0) + 1}`, {
          node: el,
          property: 'name',
          code: 'duplicate-name',
        });
      } else seen.set(el.name, el);
    }
  }

  checkImport(imp: ast.Import, accept: ValidationAcceptor): void {
    checkImportTarget(imp, accept, this.documents());
  }

  checkDefinition(def: ast.Definition, accept: ValidationAcceptor): void {
    const params = new Set<string>();
    for (const p of def.params) {
      if (params.has(p.name)) accept('error', `duplicate parameter \`${p.name}\``, { node: p, property: 'name', code: 'duplicate-name' });
      params.add(p.name);
    }
    if ((def.kind === 'op' || def.kind === 'fn') && def.body.length > 0) {
      accept('error', `an ${def.kind} is implemented natively and has no body`, { node: def, property: 'kind', code: 'unexpected-body' });
    }
    const names = new Map<string, ast.NamedElement>();
    const visit = (stmts: ast.Statement[]): void => {
      for (const s of stmts) {
        const named: ast.NamedElement[] = [];
        if ((s.$type === 'Node' && s.name) || s.$type === 'Let') named.push(s);
        if (s.$type === 'InputStmt') named.push(...s.names);
        for (const n of named) {
          if (!n.name) continue;
          if (params.has(n.name) || names.has(n.name)) {
            accept('error', `duplicate name \`${n.name}\` in ${def.name}`, { node: n, property: 'name', code: 'duplicate-name' });
          } else names.set(n.name, n);
        }
        if (s.$type === 'ForStmt') visit(s.body);
      }
    };
    visit(def.body);
    if (def.fixed) {
      if (def.kind !== 'network') {
        accept('error', `only a network is written as a space with its decisions fixed (\`network ${def.name} = ...\`)`, {
          node: def,
          property: 'kind',
          code: 'type-mismatch',
        });
      }
    } else if (def.kind === 'network' || def.kind === 'space') {
      if (!def.body.some((s) => s.$type === 'InputStmt' && s.dims.length > 0)) {
        accept('error', `${def.kind} ${def.name} needs an input shape: add \`input(C, H, W)\` as its first statement`, {
          node: def,
          property: 'name',
          code: 'no-input',
        });
      }
    }
    if (def.kind !== 'network' && def.kind !== 'space') {
      for (const s of def.body ?? []) {
        if (s.$type === 'InputStmt' && s.dims.length > 0) {
          accept('error', `input(C, H, W) gives a network's input shape; in a ${def.kind} declare named inputs: \`input x\` or \`input s0, s1\``, {
            node: s,
            code: 'misplaced-input',
          });
        }
      }
    }
  }

  /**
   * Elaborates a network or space with its first options and reports what fails. A checked
   * per definition (not per document) so that the incremental validator can keep its findings.
   */
  checkModel(def: ast.Definition, accept: ValidationAcceptor): void {
    if (def.kind !== 'network' && def.kind !== 'space') return;
    // A definition with a syntax error has a partial AST: elaborating it would only add noise.
    const cst = def.$cstNode;
    if (cst && hasSyntaxErrorIn(AstUtils.getDocument(def).parseResult, cst.offset, cst.end)) return;
    if (!def.fixed && !def.body.some((s) => s.$type === 'InputStmt' && s.dims.length > 0)) return;
    const result = elaborateCached(def);
    for (const d of result.diagnostics) {
      accept(d.severity, d.message, { node: d.node, property: d.property, code: d.code, relatedInformation: d.related?.map(relatedLocation) });
    }
    if (def.kind === 'network' && !def.fixed && result.trace.length > 0) {
      const first = result.trace[0]!;
      const message = `network ${def.name} contains ${result.trace.length} choice${result.trace.length === 1 ? '' : 's'}; declare it as \`space\` to make a search space`;
      // A choice inside an imported block is reported at the block's use in this network.
      if (AstUtils.getDocument(first.site) === AstUtils.getDocument(def)) accept('error', message, { node: first.site, code: 'choice-in-network' });
      else if (first.callSite) {
        accept('error', `${message} (the first in ${placeOf(first.site)})`, {
          node: first.callSite,
          code: 'choice-in-network',
          relatedInformation: [relatedLocation({ node: first.site, message: `the choice, in ${placeOf(first.site, false)}` })],
        });
      }
    }
  }

  checkSearch(s: ast.Search, accept: ValidationAcceptor): void {
    const count = (t: string) => s.items.filter((i) => i.$type === t).length;
    if (count('SpaceItem') === 0) accept('error', `search ${s.name} needs \`space NAME\``, { node: s, property: 'name', code: 'search-missing-space' });
    if (count('ObjectiveItem') === 0)
      accept('error', `search ${s.name} needs at least one objective (\`maximize accuracy\`)`, { node: s, property: 'name', code: 'search-missing-objective' });
    for (const t of ['SpaceItem', 'StrategyItem', 'EvaluatorItem', 'BudgetItem', 'SeedItem']) {
      if (count(t) > 1) {
        const dup = s.items.filter((i) => i.$type === t)[1]!;
        accept('error', `search ${s.name} has more than one ${t.replace('Item', '').toLowerCase()}`, { node: dup, code: 'duplicate-name' });
      }
    }
    for (const item of s.items) {
      // Partial ASTs (syntax errors) can lack names; the parser has reported those.
      if ((item.$type === 'ObjectiveItem' || item.$type === 'ConstraintItem') && !item.metric) continue;
      if ((item.$type === 'StrategyItem' || item.$type === 'EvaluatorItem') && !item.name) continue;
      switch (item.$type) {
        case 'SpaceItem': {
          const def = item.space?.ref;
          if (def && def.kind !== 'space' && def.kind !== 'network') {
            accept('error', `\`${def.name}\` is a ${def.kind}, expected a space or network`, { node: item, property: 'space', code: 'type-mismatch' });
          }
          break;
        }
        case 'ObjectiveItem':
        case 'ConstraintItem':
          if (!KNOWN_METRICS.has(item.metric)) {
            const hint = suggestName(item.metric, KNOWN_METRICS);
            accept(
              'error',
              `unknown metric \`${item.metric}\`${hint ? `; did you mean \`${hint}\`?` : ''} (expected one of: ${[...KNOWN_METRICS].join(', ')})`,
              { node: item, property: 'metric', code: 'unknown-metric' },
            );
          }
          break;
        case 'StrategyItem':
          if (!KNOWN_STRATEGIES.has(item.name)) {
            const hint = suggestName(item.name, KNOWN_STRATEGIES);
            accept(
              'error',
              `unknown strategy \`${item.name}\`${hint ? `; did you mean \`${hint}\`?` : ''} (expected one of: ${[...KNOWN_STRATEGIES].join(', ')})`,
              { node: item, property: 'name', code: 'unknown-strategy' },
            );
          }
          break;
        case 'EvaluatorItem':
          if (!KNOWN_EVALUATORS.has(item.name)) {
            const hint = suggestName(item.name, KNOWN_EVALUATORS);
            accept(
              'error',
              `unknown evaluator \`${item.name}\`${hint ? `; did you mean \`${hint}\`?` : ''} (expected one of: ${[...KNOWN_EVALUATORS].join(', ')})`,
              { node: item, property: 'name', code: 'unknown-evaluator' },
            );
          }
          break;
      }
    }
  }
}

function hasSyntaxErrorIn(parse: LangiumDocument['parseResult'], start: number, end: number): boolean {
  for (const e of parse.parserErrors) {
    const o = e.token.startOffset;
    // An error at an inserted token (NaN offset) is placed after the previous token.
    const at = Number.isNaN(o) ? ((e as { previousToken?: { endOffset?: number } }).previousToken?.endOffset ?? Number.NaN) : o;
    if (Number.isNaN(at) || (at >= start && at <= end)) return true;
  }
  return parse.lexerErrors.some((e) => e.offset >= start && e.offset <= end);
}
