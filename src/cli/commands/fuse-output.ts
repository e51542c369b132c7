/** `nas fuse`'s human-readable report (its JSON is `FuseJson`, src/cli/json-types.ts). */
import { formatSI } from '../../shared/format-number.js';
import type { FuseJson } from '../json-types.js';

const exp = (v: number) => v.toExponential(2);

export function formatFuseHuman(r: FuseJson): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const uses = r.renamed.map((x) => `${x.uses} use${x.uses === 1 ? '' : 's'} of ${x.from} → ${x.to}`).join(', ');
  const lines = [
    `network ${r.name}: wrote ${r.out} (${uses})`,
    `  params ${n(r.before.params)} → ${n(r.after.params)}`,
    `  MACs   ${n(r.before.macs)} → ${n(r.after.macs)} (${formatSI(r.before.macs, 5)} → ${formatSI(r.after.macs, 5)})`,
  ];
  if (r.outWeights) lines.push(`  weights ${r.weights === 'random' ? 'random (self-check)' : r.weights} → ${r.outWeights}`);
  if (r.outOnnx) lines.push(`  ONNX (opset 17) → ${r.outOnnx.file}: ${n(r.outOnnx.nodes)} nodes, ${formatSI(r.outOnnx.bytes)}B`);
  if (r.blocks && r.network && r.verify) {
    const v = r.verify;
    const worst = r.blocks.reduce<(typeof r.blocks)[number] | undefined>((w, b) => (!w || b.maxRelDiff > w.maxRelDiff ? b : w), undefined);
    lines.push(
      `  verified on ${v.images} random image${v.images === 1 ? '' : 's'} (${v.backend}, eval mode${r.weights === 'random' ? ', random weights and BN statistics' : ''}): ` +
        `${r.blocks.length} fused block${r.blocks.length === 1 ? '' : 's'}, tolerance ${v.tolerance} relative`,
    );
    if (worst) lines.push(`    worst block ${worst.name} → ${worst.deploy}: max abs ${exp(worst.maxAbsDiff)}, rel ${exp(worst.maxRelDiff)}`);
    lines.push(`    network outputs: max abs ${exp(r.network.maxAbsDiff)}, rel ${exp(r.network.maxRelDiff)}`);
  }
  return lines.join('\n') + '\n';
}
