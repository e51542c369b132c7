/**
 * Inlay hints: after each statement of a network, space, block or cell its output shape and
 * cost (`→ 64×56×56 · 37k params · 115M MACs`), after the `{` of a network its totals, and of
 * a space its size and cost range. Each figure is named in the label, and the tooltip says
 * what it counts. Only the definitions in the requested range are read.
 *
 * VS Code cuts the hints of a line after `editor.inlayHints.maximumLength` characters (43 by
 * default); these sit at the end of their line, where they push no code, so the extension sets
 * it to 0 (no cut) for .nas files (package.json), and a space's summary is kept whole.
 */
import { GrammarUtils, type LangiumDocument } from 'langium';
import type { CancellationToken, MarkupContent } from 'vscode-languageserver';
import type { InlayHintProvider } from 'langium/lsp';
import { InlayHintKind, type InlayHint, type InlayHintParams, type Position } from 'vscode-languageserver';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import { isModelDefinition, type NasAnalysis, type StatementFigures } from './analysis.js';
import { costOf, errorsExplanation, errorsNote, formatShapeText, formatSpaceSize, totalsText, unitLabel, type CostUnit } from './figures.js';
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
            label: statementLabel(figures, settings.cost),
            tooltip: statementTooltip(figures, settings.cost),
            kind: InlayHintKind.Type,
            paddingLeft: true,
          });
        }
      };
      visit(el.body);
      if (el.fixed) hints.push(...this.fixedHints(el, settings.cost, first, last));
    }
    return hints;
  }

  /**
   * A fixed network's `with` block: after a cell's `{` its instances and their cost, after each
   * line the statement it fixes (the first instance's shape, the cost over all instances).
   */
  private fixedHints(def: ast.Definition, unit: CostUnit, first: number, last: number): InlayHint[] {
    const figures = this.analysis.fixedFigures(def);
    if (!figures) return [];
    const hints: InlayHint[] = [];
    const inRange = (p: Position) => p.line >= first && p.line <= last;
    for (const entry of def.fixed!.entries) {
      const lines = entry.$type === 'FixedGroup' ? entry.lines : [entry];
      if (entry.$type === 'FixedGroup' && entry.cell.ref) {
        const runs = figures.cell(entry.cell.ref);
        const brace = entry.$cstNode && GrammarUtils.findNodeForKeyword(entry.$cstNode, '{');
        if (runs && brace && inRange(brace.range.end)) {
          const label = `×${runs.count} · Σ ${formatSI(runs.totals.params)} params · ${formatSI(costOf(runs.totals.macs, unit))} ${unitLabel(unit)}`;
          hints.push({ position: brace.range.end, label, kind: InlayHintKind.Type, paddingLeft: true });
        }
      }
      for (const line of lines) {
        const end = line.$cstNode?.range.end;
        if (!end || !inRange(end)) continue;
        const statements = [
          ...new Set(figures.bindings.filter((b) => b.node.$container === line || b.node.$container?.$container === line).map((b) => b.address.statement)),
        ];
        const runs = statements.map((st) => figures.statement(st)).filter((r) => r !== undefined);
        if (runs.length === 0) continue;
        const params = runs.reduce((s, r) => s + r.totals.params, 0);
        const macs = runs.reduce((s, r) => s + r.totals.macs, 0);
        const shape = runs[runs.length - 1]!.output;
        const count = runs[0]!.count;
        let label = shape ? shapeAndCostLabel(shape, params, macs, unit) : `Σ ${formatSI(params)} params · ${formatSI(costOf(macs, unit))} ${unitLabel(unit)}`;
        if (count > 1) label += ` (×${count})`;
        const tooltip = `${count > 1 ? `Output of the first of ${count} instances; params and ${unitLabel(unit)} over all of them` : `Output, params and ${unitLabel(unit)}`} of the statement${statements.length > 1 ? 's' : ''} this line fixes.`;
        hints.push({ position: end, label, tooltip, kind: InlayHintKind.Type, paddingLeft: true });
      }
    }
    return hints;
  }

  private headerHint(def: ast.Definition, unit: CostUnit): InlayHint | undefined {
    const position = headerPosition(def);
    if (!position) return undefined;
    let label: string | undefined;
    let tooltip: string | undefined;
    const totals = this.analysis.totals(def);
    if (def.kind === 'space') {
      if (totals && totals.layersWithErrors > 0) {
        // The size and range of a space whose first architecture fails would count failures.
        label = `size and costs not shown${errorsNote(totals.layersWithErrors)}`;
        tooltip = errorsExplanation(totals.layersWithErrors);
      } else {
        const outcome = this.analysis.spaceStatsIfReady(def);
        if (!outcome) label = 'counting architectures…';
        else if (outcome.ok) {
          const s = outcome.stats;
          const approx = s.exact ? '' : '~';
          label = `${formatSpaceSize(s.size, s.log10Size)} · ${approx}${formatSIRange(costOf(s.minMacs, unit), costOf(s.maxMacs, unit))} ${unitLabel(unit)} · ${approx}${formatSIRange(s.minParams, s.maxParams)} params`;
          tooltip = [
            `**${def.name}**: ${s.size} architectures.`,
            `${unitLabel(unit)} from ${formatSI(costOf(s.minMacs, unit))} to ${formatSI(costOf(s.maxMacs, unit))} and parameters from ${formatSI(s.minParams)} to ${formatSI(s.maxParams)} over the space${s.exact ? ` (exact: ${s.method})` : ' (~: the extremes found by a search, not proven)'}.`,
          ].join('\n\n');
        }
      }
    } else if (totals) {
      label = `Σ ${totalsText(totals, unit)}`;
      tooltip = [
        `**${def.name}** in total: ${formatSI(totals.totals.params)} parameters, ${formatSI(costOf(totals.totals.macs, unit))} ${unitLabel(unit)}.`,
        errorsExplanation(totals.layersWithErrors),
      ]
        .filter((x) => x)
        .join('\n\n');
    }
    return label ? { position, label, tooltip: tooltip ? markdown(tooltip) : undefined, kind: InlayHintKind.Type, paddingLeft: true } : undefined;
  }
}

/** Where a definition's summary goes: after its `{` (or its name when it has no body). */
export function headerPosition(def: ast.Definition): Position | undefined {
  const brace = def.$cstNode ? GrammarUtils.findNodeForKeyword(def.$cstNode, '{') : undefined;
  return brace?.range.end ?? GrammarUtils.findNodeForProperty(def.$cstNode, 'name')?.range.end;
}

/** `→ 16×32×32 · 464 params · 442k MACs`; the shape alone for a layer without cost; no cost for a statement with errors. */
export function statementLabel(figures: StatementFigures, unit: CostUnit): string {
  if (figures.info.errors > 0) return `→ ${formatShapeText(figures.info.output!.shape)} · not counted (error)`;
  return shapeAndCostLabel(figures.info.output!.shape, figures.totals.params, figures.totals.macs, unit);
}

/** An output shape and its cost, each figure named. */
export function shapeAndCostLabel(shape: { c: number; h: number; w: number }, params: number, macs: number, unit: CostUnit): string {
  const cost = costOf(macs, unit);
  if (params === 0 && cost === 0) return `→ ${formatShapeText(shape)}`;
  return `→ ${formatShapeText(shape)} · ${formatSI(params)} params · ${formatSI(cost)} ${unitLabel(unit)}`;
}

function statementTooltip(figures: StatementFigures, unit: CostUnit): MarkupContent {
  const { info, totals } = figures;
  const lines = [`output shape ${formatShapeText(info.output!.shape)} (channels × height × width)`];
  if (info.errors > 0) {
    lines.push('this statement has errors (see Problems): its layers are not counted in the totals');
  } else {
    lines.push(`${totals.params.toLocaleString('en-US')} parameters`);
    lines.push(
      `${costOf(totals.macs, unit).toLocaleString('en-US')} ${unitLabel(unit)} (${unit === 'flops' ? 'floating-point operations, 2 per multiply-accumulate' : 'multiply-accumulates'})`,
    );
  }
  if (info.instances > 1) lines.push(`figures of the first of ${info.instances} instances`);
  return markdown(lines.join('  \n'));
}

function markdown(value: string): MarkupContent {
  return { kind: 'markdown', value };
}
