// The message NAS: Fuse for Deployment shows once it has written the deployment form: what was
// renamed, the figures before and after, and how to fuse trained weights. Free of the vscode
// API so that it is unit-tested in plain Node.
import type { FuseSourceResult } from '../protocol/fuse.js';
import { formatSI } from '../shared/format-number.js';

type Fused = Pick<Extract<FuseSourceResult, { ok: true }>, 'name' | 'before' | 'after' | 'renamed' | 'external'>;

const change = (a: number, b: number) => `${formatSI(a)} → ${formatSI(b)} (${b <= a ? '−' : '+'}${(Math.abs(1 - b / a) * 100).toFixed(1)} %)`;

/** `file` and `target` are the paths to show (relative to the workspace). */
export function describeFusion(r: Fused, file: string, target: string): string {
  const uses = r.renamed.map((x) => `${x.uses} ${x.from} → ${x.to}`).join(', ');
  const external = r.external.length
    ? ` ${r.external.length} block${r.external.length === 1 ? '' : 's'} of imported files (${r.external.map((e) => e.definition).join(', ')}) use training-time blocks and were left as they are: fuse those files too.`
    : '';
  return (
    `NAS Studio: wrote ${target} (${r.name}: ${uses}). Params ${change(r.before.params, r.after.params)}, MACs ${change(r.before.macs, r.after.macs)}.` +
    `${external} Trained weights: nas fuse ${file} --network ${r.name} --weights W.safetensors --out ${target} --out-weights D.safetensors --verify`
  );
}
