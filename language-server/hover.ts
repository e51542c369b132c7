/**
 * Hover: for an op or block use its input and output shapes, params, MACs (or FLOPs) and the
 * formula; for a choice its options and the cost range they span; for a definition name its
 * signature and documentation comment.
 */
import { AstUtils, CstUtils, GrammarUtils, type AstNode, type LangiumDocument } from 'langium';
import type { HoverProvider, LangiumServices } from 'langium/lsp';
import type { Hover, HoverParams } from 'vscode-languageserver';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import { elaborate } from '../src/core/semantics/evaluator/index.js';
import type { GraphNode } from '../src/core/semantics/graph.js';
import { isModelDefinition, type NasAnalysis } from './analysis.js';
import { applicationSite, enclosingStatement, nodesOfApplication, opFormulas, signatureText } from './describe.js';
import { costOf, errorsExplanation, formatShapeText, totalsText, unitLabel, type CostUnit } from './figures.js';
import { fixedHover } from './fixed-hover.js';
import { formatSI, formatSIRange } from '../src/shared/format-number.js';
import type { NasConfigurationProvider } from './settings.js';

const MAX_CHOICE_OPTIONS = 64;

export class NasHoverProvider implements HoverProvider {
  private readonly documentation: LangiumServices['documentation']['DocumentationProvider'];

  constructor(
    services: LangiumServices,
    private readonly analysis: NasAnalysis,
    private readonly settings: NasConfigurationProvider,
  ) {
    this.documentation = services.documentation.DocumentationProvider;
  }

  async getHoverContent(document: LangiumDocument, params: HoverParams): Promise<Hover | undefined> {
    const offset = document.textDocument.offsetAt(params.position);
    const root = document.parseResult.value.$cstNode;
    const leaf = root && CstUtils.findLeafNodeAtOffset(root, offset);
    if (!leaf || leaf.hidden) return undefined;
    const unit = (await this.settings.inlayHintSettings()).cost;
    const node = leaf.astNode;
    let value: string | undefined;
    const fixed = AstUtils.getContainerOfType(node, (n): n is ast.Fixed => n.$type === 'Fixed');
    const figures = fixed && this.analysis.fixedFigures(fixed.$container);
    if (fixed && figures && node.$type !== 'Arg' && !AstUtils.hasContainerOfType(node, (n) => n.$type === 'Arg')) {
      value = fixedHover(fixed, node, { figures, unit, docOf: (d) => this.docOf(d) });
      return value ? { contents: { kind: 'markdown', value }, range: leaf.range } : undefined;
    }
    const nameNode = node.$type === 'Definition' ? GrammarUtils.findNodeForProperty(node.$cstNode, 'name') : undefined;
    if (nameNode && nameNode.offset <= leaf.offset && leaf.end <= nameNode.end) {
      value = this.definitionHover(node as ast.Definition, unit);
    } else if (node.$type === 'Ref') {
      value = this.refHover(document, node as ast.Ref, unit);
    } else if (node.$type === 'Arg' && (node as ast.Arg).name && leaf.text === (node as ast.Arg).name) {
      value = this.attributeHover(node as ast.Arg);
    }
    return value ? { contents: { kind: 'markdown', value }, range: leaf.range } : undefined;
  }

  private docOf(def: AstNode): string {
    return this.documentation.getDocumentation(def) ?? '';
  }

  private definitionHover(def: ast.Definition, unit: CostUnit): string {
    const parts = [fence(signatureText(def)), this.docOf(def)];
    if (isModelDefinition(def)) {
      const result = this.analysis.elaborate(def);
      const totals = this.analysis.totals(def);
      if (result.output && totals) {
        parts.push(
          `${result.input ? `input ${formatShapeText(result.input)} → ` : ''}output ${formatShapeText(result.output.shape)}  \n${totalsText(totals, unit)}${def.kind === 'space' ? ' (first options)' : ''}`,
        );
        if (totals.layersWithErrors > 0) parts.push(errorsExplanation(totals.layersWithErrors));
      }
    }
    return parts.filter((p) => p).join('\n\n');
  }

  private refHover(document: LangiumDocument, ref: ast.Ref, unit: CostUnit): string | undefined {
    const target = ref.target?.ref;
    if (!target) return undefined;
    if (target.$type !== 'Definition') return this.valueHover(document, ref, target, unit);
    if (target.kind === 'fn' && target.name === 'choice' && ref.$container.$type === 'Call') {
      return this.choiceHover(document, ref.$container as ast.Call, unit);
    }
    const parts = [fence(signatureText(target)), this.docOf(target)];
    if (target.kind === 'op' || target.kind === 'block' || target.kind === 'cell') {
      const use = this.useFigures(document, ref, target, unit);
      if (use) parts.push(use);
    }
    return parts.filter((p) => p).join('\n\n');
  }

  /** Shapes and costs of one use of an op or block, from its statement's first elaboration. */
  private useFigures(document: LangiumDocument, ref: ast.Ref, target: ast.Definition, unit: CostUnit): string | undefined {
    const statement = enclosingStatement(ref);
    const figures = statement && this.analysis.statementIndex(document).get(statement);
    if (!figures) return undefined;
    const nodes = nodesOfApplication(figures, applicationSite(ref));
    if (nodes.length === 0) return undefined;
    const graph = figures.result.graph;
    const ids = new Set(nodes.map((n) => n.id));
    const inputs = [...new Set(nodes.flatMap((n) => n.inputs.filter((i) => !ids.has(i))))].map((i) => graph.nodes[i]!.shape);
    const last = nodes[nodes.length - 1]!;
    const params = nodes.reduce((s, n) => s + n.params, 0);
    const macs = nodes.reduce((s, n) => s + n.macs, 0);
    const lines = [`input ${inputs.map(formatShapeText).join(', ') || '—'} → output ${formatShapeText(last.shape)}`];
    const flops = unit === 'flops' ? '2·' : '';
    if (target.kind === 'op') {
      const first = nodes[0]!;
      const f = opFormulas(
        first,
        first.inputs.map((i) => graph.nodes[i]!.shape),
      );
      // Formulas in code spans: Markdown would read their `*` and `_` as emphasis.
      lines.push(`params ${formatSI(params)}${f.params ? ` — \`${f.params}\`` : ''}`);
      lines.push(`${unitLabel(unit)} ${formatSI(costOf(macs, unit))}${f.macs ? ` — \`${flops}${f.macs}\`` : ''}`);
      if (nodes.length > 1) lines.push(`applied ${nodes.length} times in this statement (figures for all)`);
    } else {
      lines.push(
        `params ${formatSI(params)} · ${unitLabel(unit)} ${formatSI(costOf(macs, unit))} (${nodes.length} op${nodes.length === 1 ? '' : 's'}: ${summarizeOps(nodes)})`,
      );
    }
    if (figures.info.instances > 1) lines.push(`first of ${figures.info.instances} instances`);
    return lines.join('  \n');
  }

  private valueHover(document: LangiumDocument, ref: ast.Ref, target: AstNode, unit: CostUnit): string | undefined {
    const name = (target as { name?: string }).name ?? ref.target.$refText;
    const kind =
      target.$type === 'Node'
        ? 'node'
        : target.$type === 'InputName'
          ? 'input'
          : target.$type === 'LoopVar'
            ? 'loop variable'
            : target.$type === 'Param'
              ? 'parameter'
              : 'let';
    const parts = [fence(`${kind} ${target.$type === 'Param' ? signatureParam(target as ast.Param) : name}`)];
    if (target.$type === 'Node') {
      const figures = this.analysis.statementIndex(document).get(target);
      if (figures?.info.output)
        parts.push(
          `output ${formatShapeText(figures.info.output.shape)} · params ${formatSI(figures.totals.params)} · ${unitLabel(unit)} ${formatSI(costOf(figures.totals.macs, unit))}`,
        );
    }
    return parts.join('\n\n');
  }

  private attributeHover(arg: ast.Arg): string | undefined {
    const call = arg.$container;
    let def: AstNode | undefined;
    if (call.$type === 'Fixed') def = (call as ast.Fixed).space?.ref;
    else if (call.$type === 'Call') {
      const callee = (call as ast.Call).callee;
      def = callee.$type === 'Ref' ? (callee as ast.Ref).target?.ref : undefined;
    }
    if (def?.$type !== 'Definition') return undefined;
    const callee = def as ast.Definition;
    const p = callee.params.find((q) => q.name === arg.name);
    if (!p) return undefined;
    return [fence(`${callee.name}(${signatureParam(p)})`), this.docOf(callee)].filter((x) => x).join('\n\n');
  }

  /** The options of a choice and the totals of the network with each of them taken. */
  private choiceHover(document: LangiumDocument, call: ast.Call, unit: CostUnit): string {
    const options = call.args.filter((a) => !a.name).map((a) => a.value.$cstNode?.text ?? '?');
    const parts = [`**choice** of ${options.length === 1 ? `the elements of \`${options[0]}\`` : `${options.length} options`}`];
    const root = (document.parseResult.value as ast.Document).elements?.find(
      (e): e is ast.Definition => isModelDefinition(e) && this.analysis.elaborate(e).trace.some((t) => t.site === call),
    );
    const base = root ? this.analysis.elaborate(root).trace.find((t) => t.site === call) : undefined;
    const n = base?.options ?? options.length;
    const rows: string[] = [];
    let minM = Infinity;
    let maxM = -Infinity;
    let minP = Infinity;
    let maxP = -Infinity;
    if (root) {
      for (let i = 0; i < Math.min(n, MAX_CHOICE_OPTIONS); i++) {
        const r = elaborate(root, {
          rootDocument: document.parseResult.value,
          decider: { decide: (_key, count, site) => (site === call ? Math.min(i, count - 1) : 0) },
        });
        const label = options.length === 1 ? `option ${i}` : `\`${options[i]}\``;
        if (!r.output) {
          rows.push(`- ${label}: does not elaborate`);
          continue;
        }
        const t = r.graph.totals();
        minM = Math.min(minM, t.macs);
        maxM = Math.max(maxM, t.macs);
        minP = Math.min(minP, t.params);
        maxP = Math.max(maxP, t.params);
        rows.push(`- ${label}: ${root.name} params ${formatSI(t.params)} · ${unitLabel(unit)} ${formatSI(costOf(t.macs, unit))}`);
      }
    } else {
      rows.push(...options.map((o) => `- \`${o}\``));
    }
    parts.push(rows.join('\n'));
    if (root && minM <= maxM) {
      parts.push(
        `range over this choice (others at their first option): ${unitLabel(unit)} ${formatSIRange(costOf(minM, unit), costOf(maxM, unit))} · params ${formatSIRange(minP, maxP)}${n > MAX_CHOICE_OPTIONS ? ` (first ${MAX_CHOICE_OPTIONS} of ${n} options)` : ''}`,
      );
    }
    return parts.join('\n\n');
  }
}

function fence(code: string): string {
  return '```nas\n' + code + '\n```';
}

function signatureParam(p: ast.Param): string {
  const def = p.default?.$cstNode?.text;
  return `${p.variadic ? '*' : ''}${p.name}${p.type ? `: ${p.type}` : ''}${def !== undefined ? ` = ${def}` : ''}`;
}

function summarizeOps(nodes: readonly GraphNode[]): string {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  return [...counts].map(([op, c]) => (c > 1 ? `${c} ${op}` : op)).join(', ');
}

export function isInDocument(node: AstNode, document: LangiumDocument): boolean {
  return AstUtils.getDocument(node) === document;
}
