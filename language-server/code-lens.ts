/**
 * Code lenses above each network, space and search: totals (or size and cost range) and the
 * actions that run: "Show graph"; "Fuse for deployment" only on networks that use
 * training-time blocks (RepVGG, ACNet, DBB, MobileOne) and elaborate; above each cell and block
 * of a file with a network or space, and above each cell of a fixed network's `with` block,
 * "Show graph" (its cell view). A lens with an empty command is shown as plain text. A lens
 * sits where its element starts. "Export to PyTorch" on networks, "▶ Search" on search blocks.
 */
import type { LangiumDocument } from 'langium';
import type { CodeLensProvider } from 'langium/lsp';
import type { CodeLens, CodeLensParams, Range } from 'vscode-languageserver';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import type { NasAnalysis } from './analysis.js';
import { costOf, formatSpaceSize, totalsText, unitLabel, type CostUnit } from './figures.js';
import { formatSIRange } from '../src/shared/format-number.js';
import { NasCommands } from '../src/protocol/lsp-extensions.js';
import type { NasConfigurationProvider } from './settings.js';
import { fusableUses } from '../src/core/reparam/source-fusion.js';

export class NasCodeLensProvider implements CodeLensProvider {
  constructor(
    private readonly analysis: NasAnalysis,
    private readonly settings: NasConfigurationProvider,
  ) {}

  async provideCodeLens(document: LangiumDocument, _params: CodeLensParams): Promise<CodeLens[]> {
    const unit = (await this.settings.inlayHintSettings()).cost;
    const root = document.parseResult.value as ast.Document;
    const uri = document.uri.toString();
    const lenses: CodeLens[] = [];
    const lens = (range: Range, title: string, command = '', args: unknown[] = []): void => {
      lenses.push({ range, command: { title, command, arguments: command ? args : undefined } });
    };
    const hasModel = (root.elements ?? []).some((el) => el.$type === 'Definition' && (el.kind === 'network' || el.kind === 'space'));
    for (const el of root.elements ?? []) {
      // A cell or block is drawn as a network or space of the file instantiates it (nas/graph's `focus`).
      if (hasModel && el.$type === 'Definition' && (el.kind === 'cell' || el.kind === 'block')) {
        const start = el.$cstNode?.range.start;
        if (start) lens({ start, end: start }, 'Show graph', NasCommands.showGraph, [uri, el.name]);
        continue;
      }
      if (!(el.$type === 'Definition' && (el.kind === 'network' || el.kind === 'space')) && el.$type !== 'Search') continue;
      const start = el.$cstNode?.range.start;
      if (!start) continue;
      const range = { start, end: start };
      if (el.$type === 'Definition' && el.kind === 'network') {
        lens(range, this.networkSummary(el, unit));
        lens(range, 'Show graph', NasCommands.showGraph, [uri, el.name]);
        // Only where the command has something to do: training-time blocks, and a network that elaborates.
        if (fusableUses(el) > 0 && this.analysis.elaborate(el).output) lens(range, 'Fuse for deployment', NasCommands.fuse, [uri, el.name]);
        lens(range, 'Export to PyTorch', NasCommands.exportPytorch, [uri, el.name]);
        // A fixed network's cells (`with { NormalCell { ... } }`), defined in the space's file, drawn as instantiated here.
        for (const entry of el.fixed?.entries ?? []) {
          const at = entry.$type === 'FixedGroup' && entry.cell.ref ? entry.$cstNode?.range.start : undefined;
          if (at) lens({ start: at, end: at }, 'Show graph', NasCommands.showGraph, [uri, (entry as ast.FixedGroup).cell.ref!.name]);
        }
      } else if (el.$type === 'Definition' && el.kind === 'space') {
        lens(range, this.spaceSummary(el, unit));
        lens(range, 'Show graph', NasCommands.showGraph, [uri, el.name]);
      } else if (el.$type === 'Search') {
        const space = el.items.find((i): i is ast.SpaceItem => i.$type === 'SpaceItem')?.space.ref;
        if (space) lens(range, space.kind === 'space' ? this.spaceSummary(space, unit) : this.networkSummary(space, unit));
        lens(range, '▶ Search', NasCommands.search, [uri, el.name]);
      }
    }
    return lenses;
  }

  private networkSummary(def: ast.Definition, unit: CostUnit): string {
    const totals = this.analysis.totals(def);
    if (!totals) return `${def.name}: does not elaborate (see Problems)`;
    return totalsText(totals, unit, true);
  }

  private spaceSummary(def: ast.Definition, unit: CostUnit): string {
    const outcome = this.analysis.spaceStatsIfReady(def);
    if (!outcome) return `${def.name}: counting architectures…`;
    if (!outcome.ok) return `${def.name}: ${outcome.message}`;
    const s = outcome.stats;
    const approx = s.exact ? '' : ' (range from a search, not exact)';
    return `${formatSpaceSize(s.size, s.log10Size)} · ${formatSIRange(costOf(s.minMacs, unit), costOf(s.maxMacs, unit))} ${unitLabel(unit)} · ${formatSIRange(s.minParams, s.maxParams)} params${approx}`;
  }
}
