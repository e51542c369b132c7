/**
 * Inlay hints: after each statement of a network, space, block or cell its output shape and
 * cost (`→ 64×56×56 · 37k · 115M`: shape, params, MACs or FLOPs), after the `{` of a network
 * its totals, and of a space its size and cost range. Only the definitions in the requested range
 * are read.
 */
import { GrammarUtils, type LangiumDocument } from 'langium';
import type { CancellationToken } from 'vscode-languageserver';
import type { InlayHintProvider } from 'langium/lsp';
import { InlayHintKind, type InlayHint, type InlayHintParams, type Position } from 'vscode-languageserver';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import { isModelDefinition, type NasAnalysis } from './analysis.js';
import { costOf, formatShapeText, formatSpaceSize, unitLabel, type CostUnit } from './figures.js';
import { formatSI, formatSIRange } from '../src/shared/format-number.js';
import type { NasConfigurationProvider } from './settings.js';

export class NasInlayHintProvider implements InlayHintProvider {
  constructor(
    private readonly analysis: NasAnalysis,
    private readonly settings: NasConfigurationProvider,
  ) {}

  async getInlayHints(document: LangiumDocument, params: InlayHintParams, _cancelToken?: CancellationToken): Promise<InlayHint[]> {
    const settings = await this.settings.inlayHintSettings();
    if (!settings.enabled) return [];
    const root = document.parseResult.value as ast.Document;
    const hints: InlayHint[] = [];
    const first = params.range.start.line;
    const last = params.range.end.line;
    const index = this.analysis.statementIndex(document);
    for (const el of root.elements ?? []) {
      if (el.$type !== 'Definition') continue;
      if (!el.$cstNode) continue;
      const range = el.$cstNode.range;
      if (range.end.line < first || range.start.line > last) continue;
      if (isModelDefinition(el)) {
        const header = this.headerHint(el, settings.cost);
        if (header) hints.push(header);
      }
      const visit = (statements: readonly ast.Statement[]): void => {
        for (const s of statements) {
          if (s.$type === 'ForStmt') {
            visit(s.body);
            continue;
          }
          const figures = index.get(s);
          const cst = s.$cstNode;
          if (!figures?.info.output || !cst || cst.range.end.line < first || cst.range.end.line > last) continue;
          hints.push({
            position: cst.range.end,
            label: statementLabel(figures.info.output.shape, figures.totals.params, figures.totals.macs, settings.cost),
            kind: InlayHintKind.Type,
            paddingLeft: true,
          });
        }
      };
      visit(el.body);
    }
    return hints;
  }

  private headerHint(def: ast.Definition, unit: CostUnit): InlayHint | undefined {
    const position = headerPosition(def);
    if (!position) return undefined;
    let label: string | undefined;
    if (def.kind === 'space') {
      const outcome = this.analysis.spaceStatsIfReady(def);
      if (!outcome) label = 'counting architectures…';
      else if (outcome.ok) {
        const s = outcome.stats;
        const approx = s.exact ? '' : '~';
        label = `${formatSpaceSize(s.size, s.log10Size)} · ${approx}${formatSIRange(costOf(s.minMacs, unit), costOf(s.maxMacs, unit))} ${unitLabel(unit)} · ${approx}${formatSIRange(s.minParams, s.maxParams)} params`;
      }
    } else {
      const result = this.analysis.elaborate(def);
      if (result.output) {
        const t = result.graph.totals();
        label = `Σ ${formatSI(t.params)} params · ${formatSI(costOf(t.macs, unit))} ${unitLabel(unit)}`;
      }
    }
    return label ? { position, label, kind: InlayHintKind.Type, paddingLeft: true } : undefined;
  }
}

/** Where a definition's summary goes: after its `{` (or its name when it has no body). */
export function headerPosition(def: ast.Definition): Position | undefined {
  const brace = def.$cstNode ? GrammarUtils.findNodeForKeyword(def.$cstNode, '{') : undefined;
  return brace?.range.end ?? GrammarUtils.findNodeForProperty(def.$cstNode, 'name')?.range.end;
}

export function statementLabel(shape: { c: number; h: number; w: number }, params: number, macs: number, unit: CostUnit): string {
  const cost = costOf(macs, unit);
  if (params === 0 && cost === 0) return `→ ${formatShapeText(shape)}`;
  return `→ ${formatShapeText(shape)} · ${formatSI(params)} · ${formatSI(cost)}`;
}
