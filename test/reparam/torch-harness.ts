/** Builds random conv/BN weights and runs test/reparam/torch_reparam.py on them. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BatchNorm, type Conv2d, type ConvGeometry, makeConv } from '../../src/core/reparam/conv.js';
import { Rng } from '../../src/core/util/random.js';

const SCRIPT = path.join(__dirname, 'torch_reparam.py');

export function b64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** Uniform in [lo, hi). */
function uniform(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.next();
  return a;
}

/** A conv with Kaiming-uniform-like weights (no bias unless asked). */
export function randomConv(rng: Rng, g: ConvGeometry, bias = false): Conv2d {
  const groups = g.groups ?? 1;
  const kw = g.kw ?? g.kh;
  const fanIn = (g.in / groups) * g.kh * kw;
  const bound = 1 / Math.sqrt(fanIn);
  return makeConv(g, uniform(rng, g.out * (g.in / groups) * g.kh * kw, -bound, bound), bias ? uniform(rng, g.out, -0.5, 0.5) : undefined);
}

/** Running statistics far from the identity, as after training. */
export function randomBN(rng: Rng, c: number): BatchNorm {
  return { gamma: uniform(rng, c, 0.5, 1.5), beta: uniform(rng, c, -0.5, 0.5), mean: uniform(rng, c, -0.5, 0.5), variance: uniform(rng, c, 0.3, 2), eps: 1e-5 };
}

export type Layer = Record<string, unknown>;

export function convLayer(c: Conv2d): Layer {
  return {
    op: 'conv',
    out: c.out,
    groups: c.groups,
    kh: c.kh,
    kw: c.kw,
    stride: c.stride,
    pad: c.pad,
    dilation: c.dilation,
    weight: b64(c.weight),
    bias: c.bias ? b64(c.bias) : null,
  };
}

/** An eval-mode BN; `pad` > 0 makes it DBB's BN-and-pad (the border holds BN(0)). */
export function bnLayer(bn: BatchNorm, pad = 0): Layer {
  return { op: 'bn', gamma: b64(bn.gamma), beta: b64(bn.beta), mean: b64(bn.mean), var: b64(bn.variance), eps: bn.eps, pad };
}

export interface TorchCase {
  id: string;
  n: number;
  c: number;
  h: number;
  w: number;
  x: string;
  /** Each branch is a list of layers applied to the input; the block is their sum. */
  branches: Layer[][];
  fused?: Layer;
}

export function randomInput(rng: Rng, n: number, c: number, h: number, w: number): string {
  return b64(uniform(rng, n * c * h * w, -1, 1));
}

export interface FuseResult {
  id: string;
  ok: boolean;
  error?: string;
  shape?: number[];
  fusedShape?: number[];
  maxAbs?: number;
  maxAbsDiff?: number;
}

export interface CostSpec {
  block: 'DBBlock' | 'MobileOneBlock';
  in: number;
  C: number;
  k: number;
  stride: number;
  groups: number;
  h: number;
  internal?: number;
  branches?: number;
}

export interface CostResult {
  ok: boolean;
  error?: string;
  shape?: number[];
  params?: number;
  macs?: number;
}

/** Runs the PyTorch script on data written to a temporary file (cases can be megabytes). */
export function runTorch(mode: 'fuse', data: TorchCase[]): FuseResult[];
export function runTorch(mode: 'cost', data: CostSpec[]): CostResult[];
export function runTorch(mode: 'fuse' | 'cost', data: unknown[]): unknown[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-reparam-'));
  try {
    const file = path.join(dir, 'cases.json');
    fs.writeFileSync(file, JSON.stringify(data));
    const py = spawnSync('/usr/bin/python3', [SCRIPT, mode, file], { encoding: 'utf8', maxBuffer: 256 << 20 });
    if (py.status !== 0) throw new Error(`torch_reparam.py failed: ${py.stderr}`);
    return JSON.parse(py.stdout) as unknown[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
