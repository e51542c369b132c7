/**
 * Hover inside a fixed network's `with` block (`network X = S(args) with { ... }`): on the
 * space, the space and what the network fixes; on a cell's genotype, the cell and its
 * instances; on a line's name, the statement it fixes; on an op, the option it names (its
 * expression in the space) and the layers it made; on an input, the inputs allowed there.
 */
import { AstUtils, type AstNode } from 'langium';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import type { GraphNode } from '../src/core/semantics/graph.js';
import type { FixedBinding } from '../src/core/semantics/readable/resolve.js';
import { formatSI } from '../src/shared/format-number.js';
import { signatureText } from './describe.js';
import type { FixedFigures, Runs } from './fixed-figures.js';
import { costOf, formatShapeText, unitLabel, type CostUnit } from './figures.js';

export interface FixedHoverContext {
  readonly figures: FixedFigures;
  readonly unit: CostUnit;
  docOf(def: AstNode): string;
}

/** The hover of the text `node` (the leaf's AST node) inside `fixed`, or undefined. */
export function fixedHover(fixed: ast.Fixed, node: AstNode, ctx: FixedHoverContext): string | undefined {
  const def = fixed.$container;
  switch (node.$type) {
    case 'Fixed':
      return spaceHover(def, fixed, ctx);
    case 'FixedGroup':
      return cellHover(def, node as ast.FixedGroup, ctx);
    default: {
      const bindings = ctx.figures.bindingsAt(node);
      if (bindings.length > 0) return bindingHover(bindings[0]!, bindings.length, ctx);
      if (node.$type === 'FixedLine') return lineHover(node as ast.FixedLine, ctx);
      return undefined;
    }
  }
}

function spaceHover(def: ast.Definition, fixed: ast.Fixed, ctx: FixedHoverContext): string | undefined {
  const space = fixed.space.ref;
  if (!space) return undefined;
  const r = ctx.figures.result;
  const parts = [fence(signatureText(space)), ctx.docOf(space)];
  if (r.output) {
    const t = r.graph.totals();
    parts.push(
      `${def.name} fixes ${ctx.figures.result.trace.length} decisions of ${space.name}: ${r.input ? `input ${formatShapeText(r.input)} → ` : ''}output ${formatShapeText(r.output.shape)}  \n${cost(t, ctx.unit)}`,
    );
  }
  return parts.filter((p) => p).join('\n\n');
}

function cellHover(def: ast.Definition, group: ast.FixedGroup, ctx: FixedHoverContext): string | undefined {
  const cell = group.cell.ref;
  if (!cell) return undefined;
  const parts = [fence(signatureText(cell)), ctx.docOf(cell)];
  const runs = ctx.figures.cell(cell);
  const decisions = new Set(ctx.figures.bindings.filter((b) => b.address.cell === cell).map((b) => b.key)).size;
  if (runs)
    parts.push(
      `${instances(runs.count)} in ${def.name}, sharing this genotype (${decisions} decisions): ${cost(runs.totals, ctx.unit)}${runs.count > 1 ? ' over all' : ''}`,
    );
  return parts.filter((p) => p).join('\n\n');
}

/** A line's name: the statement it fixes, over every instance of its cell. */
function lineHover(line: ast.FixedLine, ctx: FixedHoverContext): string | undefined {
  const b = ctx.figures.bindings.find((x) => x.node.$container === line || x.node.$container?.$container === line);
  const runs = b && ctx.figures.statement(b.address.statement);
  if (!b || !runs) return undefined;
  const of = b.address.cell ? ` of cell ${b.address.cell.name}` : '';
  return `\`${line.name ?? b.address.line ?? 'statement'}\`${of} (${placeOf(b.address.statement)}): ${runsText(runs, ctx.unit)}`;
}

function bindingHover(b: FixedBinding, count: number, ctx: FixedHoverContext): string {
  const n = b.options.subset ? undefined : b.options.names.length;
  const inSpace = AstUtils.getContainerOfType(b.site, (x): x is ast.Definition => x.$type === 'Definition');
  const place = `${inSpace ? `\`${inSpace.name}\`` : 'the space'} (${placeOf(b.site)})`;
  const where = `${b.address.line ? `\`${b.address.line}\`` : 'a decision'}${b.address.name ? ` (\`${b.address.name}\`)` : ''} of ${b.address.cell ? `cell ${b.address.cell.name}` : 'the space'}`;
  const parts: string[] = [];
  if (b.options.subset || b.options.input) {
    const elements = b.options.subset?.elements ?? b.options.names;
    const written = AstUtils.getDocument(b.node).textDocument.getText(b.node.$cstNode!.range);
    parts.push(`**input ${written}** of ${where}${count > 1 ? ` (${count} inputs in all)` : ''}`);
    parts.push(`inputs allowed: ${elements.map((e, i) => `${i} \`${e}\``).join(', ')} — chosen in ${place}`);
    const shape = inputShape(b, written, ctx);
    if (shape) parts.push(`\`${written}\`: ${shape} (first instance)`);
    return parts.join('\n\n');
  }
  const name = b.options.names[b.taken] || `option ${b.taken}`;
  const option = optionText(b.site, b.taken);
  parts.push(`**${name}** of ${where}: option ${b.taken} of ${n} of ${place}`);
  if (option && option !== name) parts.push(fence(option));
  const first = ctx.figures.firstNodesOf(b);
  if (first.length > 0) {
    const ids = new Set(first.map((x) => x.id));
    const graph = ctx.figures.result.graph;
    const inputs = [...new Set(first.flatMap((x) => x.inputs.filter((i) => !ids.has(i))))].map((i) => formatShapeText(graph.nodes[i]!.shape));
    const t = sum(first);
    const all = ctx.figures.totalsOf(b);
    const lines = [`input ${inputs.join(', ') || '—'} → output ${formatShapeText(first[first.length - 1]!.shape)} · ${cost(t, ctx.unit)} (${layers(first)})`];
    if (all.instances > 1) lines[0] += ', first instance';
    if (all.instances > 1) lines.push(`${instances(all.instances)}: ${cost(all, ctx.unit)}`);
    parts.push(lines.join('  \n'));
  }
  parts.push(`options: ${b.options.names.map((o, i) => (i === b.taken ? `**${o || i}**` : o || String(i))).join(' · ')}`);
  return parts.join('\n\n');
}

function runsText(runs: Runs, unit: CostUnit): string {
  const out = runs.output ? `output ${formatShapeText(runs.output)} · ` : '';
  return `${out}${cost(runs.totals, unit)}${runs.count > 1 ? ` over ${instances(runs.count)}` : ''}`;
}

/** The shape of an input as the first instance made it: the statement of that name in the cell (or space). */
function inputShape(b: FixedBinding, name: string, ctx: FixedHoverContext): string | undefined {
  const body = b.address.cell?.body ?? AstUtils.getContainerOfType(b.address.statement, (x): x is ast.Definition => x.$type === 'Definition')?.body;
  const stmt = body?.find((s) => (s.$type === 'Node' || s.$type === 'Let') && (s as ast.Node | ast.Let).name === name);
  const runs = stmt && ctx.figures.result.statements.get(stmt);
  return runs?.output ? formatShapeText(runs.output.shape) : undefined;
}

/** The option's expression as written in the space (`SepConv(C, k=3, stride=stride)`). */
function optionText(site: AstNode, taken: number): string | undefined {
  if (site.$type !== 'Call') return undefined;
  const args = (site as ast.Call).args.filter((a) => !a.name);
  return args.length > 1 ? args[taken]?.value.$cstNode?.text : undefined;
}

function placeOf(site: AstNode): string {
  const doc = AstUtils.getDocument(site);
  const file = doc.uri.path.split('/').pop();
  return `${file}, line ${(site.$cstNode?.range.start.line ?? 0) + 1}`;
}

function layers(nodes: readonly GraphNode[]): string {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  return [...counts].map(([op, c]) => (c > 1 ? `${c} ${op}` : op)).join(', ');
}

function sum(nodes: readonly GraphNode[]): { params: number; macs: number } {
  return { params: nodes.reduce((s, n) => s + n.params, 0), macs: nodes.reduce((s, n) => s + n.macs, 0) };
}

function cost(t: { params: number; macs: number }, unit: CostUnit): string {
  return `params ${formatSI(t.params)} · ${unitLabel(unit)} ${formatSI(costOf(t.macs, unit))}`;
}

function instances(n: number): string {
  return `${n} instance${n === 1 ? '' : 's'}`;
}

function fence(code: string): string {
  return '```nas\n' + code + '\n```';
}
