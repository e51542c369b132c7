/**
 * std/blocks' DBBlock and MobileOneBlock against the reference modules built in PyTorch with
 * the reference layer order (test/reparam/torch_reparam.py): output shape, parameters and MACs
 * on a grid of widths, kernels, strides, groups, internal widths and branch counts; and both
 * reject the same configurations.
 */
import { describe, expect, it } from 'vitest';
import { elaborate } from '../../src/core/semantics/evaluator/index.js';
import { build } from '../helpers/nas.js';
import { type CostSpec, runTorch } from './torch-harness.js';

function grid(): CostSpec[] {
  const specs: CostSpec[] = [];
  for (const [cin, C] of [
    [8, 8],
    [8, 16],
    [6, 12],
  ] as const)
    for (const k of [1, 3, 5])
      for (const stride of [1, 2])
        for (const groups of [1, 2, cin]) {
          for (const internal of [undefined, 12]) specs.push({ block: 'DBBlock', in: cin, C, k, stride, groups, h: 9, ...(internal ? { internal } : {}) });
          for (const branches of [1, 3]) specs.push({ block: 'MobileOneBlock', in: cin, C, k, stride, groups, h: 9, branches });
        }
  return specs;
}

function call(s: CostSpec): string {
  const extra = s.block === 'DBBlock' ? (s.internal ? `, internal=${s.internal}` : '') : `, branches=${s.branches}`;
  return `${s.block}(${s.C}, k=${s.k}, stride=${s.stride}, groups=${s.groups}${extra})`;
}

describe('DBBlock and MobileOneBlock agree with their reference implementations', () => {
  it('in output shape, parameters and MACs, and in which configurations are invalid', async () => {
    const specs = grid();
    const text = ['import "std/blocks"', ...specs.map((s, i) => `network S${i} {\n  input(${s.in}, ${s.h}, ${s.h})\n  ${call(s)}\n}`)].join('\n');
    const doc = await build(text);
    const ref = runTorch('cost', specs);
    let valid = 0;
    let invalid = 0;
    specs.forEach((s, i) => {
      const r = elaborate(doc.def(`S${i}`));
      const label = `${call(s)} on ${s.in}x${s.h}x${s.h}: torch ${JSON.stringify(ref[i])}`;
      const ok = !r.diagnostics.some((d) => d.severity === 'error');
      expect(ok, `${label}; ours: ${r.diagnostics.map((d) => d.message).join('; ')}`).toBe(ref[i]!.ok);
      if (!ok) {
        invalid++;
        return;
      }
      valid++;
      const t = r.graph.totals();
      const o = r.output!.shape;
      expect([o.c, o.h, o.w], label).toEqual(ref[i]!.shape);
      expect(t.params, label).toBe(ref[i]!.params);
      expect(t.macs, label).toBe(ref[i]!.macs);
    });
    // Both sides of the grid are exercised: groups that do not divide the widths are invalid.
    expect(valid).toBeGreaterThan(80);
    expect(invalid).toBeGreaterThan(5);
  });
});
