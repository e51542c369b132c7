/** `nas cost FILE [--network NAME] [--per-layer] [--json]`: costs of networks and statistics of spaces. */
import type { Command } from 'commander';
import { formatDiagnostic, loadFiles, modelsOf, UsageError } from '../load.js';
import { elaborateCached } from '../../core/semantics/evaluator/index.js';
import { computeSpaceStats, SpaceAnalysisError } from '../../core/semantics/space.js';
import { networkFigures, spaceFigures } from '../../core/semantics/figures.js';
import { formatSI } from '../../shared/format-number.js';
import type { Definition } from '../../core/language/syntax/generated/ast.js';
import type { NetworkCost, SpaceCost, LayerCost } from '../json-types.js';
import { approximateFields, formatCount, isExact } from '../figures-text.js';
import { printable } from '../printable.js';

export function register(program: Command): void {
  program
    .command('cost')
    .description('params, MACs and activations of each network; size and cost range of each space')
    .argument('<file>', '.nas file')
    .option('--network <name>', 'only this network or space')
    .option('--per-layer', 'list every primitive op with its shape and cost')
    .option('--flops', 'also report FLOPs (= 2 x MACs)')
    .option('--json', 'print JSON (docs/cli.md)')
    .action(async (file: string, opts: { network?: string; perLayer?: boolean; flops?: boolean; json?: boolean }) => {
      const [loaded] = await loadFiles([file]);
      const errors = loaded!.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length) {
        for (const d of errors) process.stderr.write(formatDiagnostic(d) + '\n');
        process.exitCode = 1;
        return;
      }
      const models = modelsOf(loaded!.root, opts.network);
      if (models.length === 0) throw new UsageError(`${file} has no network or space`);
      const results: Array<NetworkCost | SpaceCost> = [];
      for (const m of models) {
        try {
          results.push(costOf(m, !!opts.perLayer, !!opts.flops));
        } catch (e) {
          // A space too large to analyse within the limits: say so, report the others.
          if (!(e instanceof SpaceAnalysisError)) throw e;
          process.stderr.write(printable(`${file}: ${e.message}`) + '\n');
          process.exitCode = 1;
        }
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify(results, null, 2) + '\n');
        return;
      }
      for (const r of results) process.stdout.write(formatHuman(r) + '\n');
    });
}

export function costOf(def: Definition, perLayer: boolean, flops: boolean): NetworkCost | SpaceCost {
  if (def.kind === 'space') {
    const s = computeSpaceStats(def);
    const out: SpaceCost = {
      name: def.name,
      kind: 'space',
      ...spaceFigures(s),
      choices: s.decisions,
    };
    if (flops) {
      out.minFlops = 2 * s.minMacs;
      out.maxFlops = 2 * s.maxMacs;
    }
    const { minParams, maxParams, minMacs, maxMacs, minFlops, maxFlops } = out;
    const approximate = approximateFields({ minParams, maxParams, minMacs, maxMacs, minFlops, maxFlops });
    if (approximate) out.approximate = approximate;
    return out;
  }
  const r = elaborateCached(def);
  const f = networkFigures(r);
  const t = f.totals!;
  const out: NetworkCost = {
    name: def.name,
    kind: 'network',
    input: f.input ?? [],
    output: f.output!,
    params: t.params,
    macs: t.macs,
    activations: t.acts,
  };
  if (flops) out.flops = 2 * t.macs;
  const approximate = approximateFields({ params: out.params, macs: out.macs, flops: out.flops, activations: out.activations });
  if (approximate) out.approximate = approximate;
  if (perLayer) {
    out.layers = r.graph.nodes
      .filter((n) => n.op !== 'input')
      .map((n): LayerCost => {
        const layer: LayerCost = { name: n.scope, op: n.op, output: [n.shape.c, n.shape.h, n.shape.w], params: n.params, macs: n.macs };
        const inexact = approximateFields({ params: n.params, macs: n.macs });
        if (inexact) layer.approximate = inexact;
        return layer;
      });
  }
  return out;
}

function formatHuman(r: NetworkCost | SpaceCost): string {
  if (r.kind === 'space') {
    return [
      `space ${r.name}: ${BigInt(r.size).toLocaleString('en-US')} architectures (10^${r.log10Size.toFixed(2)}), ${r.choices} choices`,
      `  params ${formatCount(r.minParams)} .. ${formatCount(r.maxParams)}   MACs ${formatSI(r.minMacs)} .. ${formatSI(r.maxMacs)}${r.exact ? '' : '   (not exact: best found by search)'}`,
    ].join('\n');
  }
  const lines = [
    `network ${r.name}: input ${r.input.join('×')} → output ${r.output.join('×')}`,
    `  params ${formatCount(r.params)}   MACs ${formatCount(r.macs)}${isExact(r.macs) ? ` (${formatSI(r.macs, 4)})` : ''}   activations ${formatSI(r.activations)}${r.flops !== undefined ? `   FLOPs ${formatSI(r.flops, 4)}` : ''}`,
  ];
  if (r.layers) {
    const w = Math.min(60, Math.max(...r.layers.map((l) => l.name.length)));
    for (const l of r.layers) {
      lines.push(`  ${l.name.padEnd(w)}  ${l.output.join('×').padStart(14)}  ${formatCount(l.params).padStart(12)}  ${formatCount(l.macs).padStart(14)}`);
    }
  }
  return lines.join('\n');
}
