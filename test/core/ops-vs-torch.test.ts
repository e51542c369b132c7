/**
 * Shape and cost rules against PyTorch (a second engine): for a grid of convolution,
 * pooling, linear and normalization configurations, PyTorch builds the module, runs it on a
 * zero input and reports the output shape and the parameter count; MACs are checked as
 * output elements x weight elements per output (fvcore's convolution rule) on PyTorch's
 * tensors.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { OP_RULES, OpError } from '../../src/core/semantics/ops.js';

interface Case {
  op: 'conv' | 'maxpool' | 'avgpool' | 'fc' | 'bn';
  c: number;
  h: number;
  w: number;
  attrs: Record<string, number | boolean>;
}

function grid(): Case[] {
  const cases: Case[] = [];
  for (const h of [1, 5, 8, 13])
    for (const k of [1, 2, 3, 5])
      for (const stride of [1, 2, 3])
        for (const pad of [-1, 0, 2])
          for (const dilation of [1, 2])
            for (const groups of [1, 2, 4]) {
              cases.push({ op: 'conv', c: 8, h, w: h + 3, attrs: { out: 12, k, stride, pad, dilation, groups, bias: (k + stride) % 2 === 0, kh: -1, kw: -1 } });
            }
  cases.push({ op: 'conv', c: 6, h: 9, w: 9, attrs: { out: 6, k: 3, stride: 1, pad: -1, dilation: 1, groups: 6, bias: false, kh: 1, kw: 3 } });
  cases.push({ op: 'conv', c: 6, h: 9, w: 9, attrs: { out: 6, k: 3, stride: 2, pad: -1, dilation: 1, groups: 1, bias: false, kh: 3, kw: 1 } });
  for (const h of [2, 7, 8])
    for (const k of [2, 3])
      for (const stride of [-1, 1, 2])
        for (const pad of [0, 1]) {
          cases.push({ op: 'maxpool', c: 4, h, w: h, attrs: { k, stride, pad } });
          cases.push({ op: 'avgpool', c: 4, h, w: h, attrs: { k, stride, pad, count_include_pad: true } });
        }
  for (const [c, h] of [
    [64, 1],
    [8, 3],
  ] as const)
    cases.push({ op: 'fc', c, h, w: h, attrs: { out: 10, bias: true } });
  cases.push({ op: 'bn', c: 32, h: 4, w: 4, attrs: { affine: true } });
  return cases;
}

const PY = String.raw`
import json, sys, torch, torch.nn as nn
cases = json.load(sys.stdin)
out = []
for cs in cases:
    a = cs['attrs']; c, h, w = cs['c'], cs['h'], cs['w']
    try:
        if cs['op'] == 'conv':
            kh = a['k'] if a['kh'] < 0 else a['kh']; kw = a['k'] if a['kw'] < 0 else a['kw']
            pad = (a['dilation'] * (kh - 1) // 2, a['dilation'] * (kw - 1) // 2) if a['pad'] < 0 else a['pad']
            m = nn.Conv2d(c, a['out'], (kh, kw), a['stride'], pad, a['dilation'], a['groups'], a['bias'])
        elif cs['op'] == 'maxpool':
            m = nn.MaxPool2d(a['k'], None if a['stride'] < 0 else a['stride'], a['pad'])
        elif cs['op'] == 'avgpool':
            m = nn.AvgPool2d(a['k'], None if a['stride'] < 0 else a['stride'], a['pad'])
        elif cs['op'] == 'fc':
            m = nn.Sequential(nn.Flatten(), nn.Linear(c * h * w, a['out'], a['bias']))
        elif cs['op'] == 'bn':
            m = nn.BatchNorm2d(c, affine=a['affine'])
        y = m(torch.zeros(1, c, h, w))
        shape = list(y.shape[1:]) + [1] * (4 - y.dim())
        params = sum(p.numel() for p in m.parameters())
        weight = [p for n, p in m.named_parameters() if n.endswith('weight')]
        per_out = weight[0][0].numel() if weight and cs['op'] in ('conv', 'fc') else 0
        out.append({'ok': True, 'shape': shape, 'params': params, 'macs': y.numel() * per_out})
    except Exception as e:
        out.append({'ok': False, 'error': str(e).split('\n')[0]})
print(json.dumps(out))
`;

describe('op rules agree with PyTorch', () => {
  it('on a grid of convolutions, poolings, linear and batch-norm layers', () => {
    const cases = grid();
    const py = spawnSync('/usr/bin/python3', ['-c', PY], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(py.status, py.stderr).toBe(0);
    const ref = JSON.parse(py.stdout) as Array<{ ok: boolean; shape?: number[]; params?: number; macs?: number; error?: string }>;
    expect(ref).toHaveLength(cases.length);
    let agreedValid = 0;
    let agreedInvalid = 0;
    cases.forEach((cs, i) => {
      const r = ref[i]!;
      let mine: ReturnType<(typeof OP_RULES)['conv']['infer']> | undefined;
      try {
        mine = OP_RULES[cs.op]!.infer([{ c: cs.c, h: cs.h, w: cs.w }], cs.attrs);
      } catch (e) {
        if (!(e instanceof OpError)) throw e;
      }
      const label = JSON.stringify(cs);
      // Both engines must agree on validity: PyTorch raises where we report a diagnostic.
      expect(mine !== undefined, `${label}: torch ${r.ok ? 'accepts' : `rejects (${r.error})`}`).toBe(r.ok);
      if (!mine || !r.ok) {
        agreedInvalid++;
        return;
      }
      agreedValid++;
      expect([mine.shape.c, mine.shape.h, mine.shape.w], label).toEqual(r.shape);
      expect(mine.params, label).toBe(r.params);
      if (cs.op === 'conv' || cs.op === 'fc') expect(mine.macs, label).toBe(r.macs);
    });
    // The grid must exercise both sides.
    expect(agreedValid).toBeGreaterThan(300);
    expect(agreedInvalid).toBeGreaterThan(20);
  });
});
