/** Native built-in functions declared in the standard library (src/core/stdlib/ops.ts). */
import { OpError } from './ops.js';
import type { Value } from './values.js';

export const BUILTIN_FUNCTIONS = new Set(['len', 'round', 'floor', 'ceil', 'min', 'max', 'make_divisible', 'round_repeats', 'regnet_stages']);

function num(v: Value | undefined, what: string): number {
  if (typeof v !== 'number') throw new OpError(`${what} must be a number`, 'type-mismatch');
  return v;
}

/** numpy's np.round: round half to even (pycls' RegNet generator relies on it). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * RegNet stage widths and depths (Radosavovic et al., "Designing Network Design Spaces",
 * CVPR 2020), as pycls `generate_regnet` + `adjust_block_compatibility`:
 * u_j = w0 + wa*j, s_j = round(log(u_j/w0)/log(wm)), w_j = q*round(w0*wm^s_j/q);
 * equal widths form a stage. Returns [[width, depth, groupWidth], ...].
 */
export function regnetStages(d: number, w0: number, wa: number, wm: number, g: number, b: number, q: number): number[][] {
  if (!(wa >= 0 && w0 > 0 && wm > 1 && w0 % q === 0 && d >= 1)) {
    throw new OpError(`RegNet needs wa >= 0, w0 > 0, wm > 1, w0 % q == 0 and d >= 1 (found d=${d}, w0=${w0}, wa=${wa}, wm=${wm}, q=${q})`, 'attribute-range');
  }
  const widths: number[] = [];
  for (let j = 0; j < d; j++) {
    const cont = j * wa + w0;
    const s = roundHalfEven(Math.log(cont / w0) / Math.log(wm));
    widths.push(roundHalfEven((w0 * Math.pow(wm, s)) / q) * q);
  }
  const stages: number[][] = [];
  for (const w of [...new Set(widths)].sort((x, y) => x - y)) {
    const depth = widths.filter((x) => x === w).length;
    // adjust_block_compatibility: width*b must be a multiple of the group width.
    const v = Math.max(1, Math.trunc(w * b));
    const gw = Math.min(g, v);
    const m = b > 1 ? (gw * b) / gcd(gw, b) : gw;
    const vv = Math.max(m, Math.round(v / m) * m);
    stages.push([Math.trunc(vv / b), depth, gw]);
  }
  return stages;
}

/** TF/torchvision `_make_divisible` (MobileNetV2, EfficientNet channel rounding). */
export function makeDivisible(v: number, divisor: number, minValue: number): number {
  const min = minValue < 0 ? divisor : minValue;
  let out = Math.max(min, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * v) out += divisor;
  return out;
}

export function callBuiltinFunction(name: string, a: Record<string, Value>, rest: Value[]): Value {
  switch (name) {
    case 'len': {
      const items = a['items'];
      if (!Array.isArray(items)) throw new OpError('len needs a list', 'type-mismatch');
      return items.length;
    }
    case 'round':
      return Math.sign(num(a['x'], 'x')) * Math.round(Math.abs(num(a['x'], 'x')));
    case 'floor':
      return Math.floor(num(a['x'], 'x'));
    case 'ceil':
      return Math.ceil(num(a['x'], 'x') - 1e-12);
    case 'min':
    case 'max': {
      const xs = rest.flatMap((v) => (Array.isArray(v) ? v : [v])).map((v) => num(v, 'an argument'));
      if (xs.length === 0) throw new OpError(`${name} needs at least one number`, 'missing-argument');
      return name === 'min' ? Math.min(...xs) : Math.max(...xs);
    }
    case 'make_divisible':
      return makeDivisible(num(a['v'], 'v'), num(a['divisor'], 'divisor'), num(a['min_value'], 'min_value'));
    case 'round_repeats':
      return Math.ceil(num(a['repeats'], 'repeats') * num(a['coefficient'], 'coefficient') - 1e-12);
    case 'regnet_stages':
      return regnetStages(num(a['d'], 'd'), num(a['w0'], 'w0'), num(a['wa'], 'wa'), num(a['wm'], 'wm'), num(a['g'], 'g'), num(a['b'], 'b'), num(a['q'], 'q'));
  }
  throw new OpError(`unknown function ${name}`, 'unknown-op');
}
