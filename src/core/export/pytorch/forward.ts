/**
 * The `forward` method of one class of the export: one line per layer in graph order, as
 * torchvision writes its models, with the work the training engine also skips (model-builder/
 * build.ts): a `zero` op's output is known to be zero, so a sum leaves it out and a class whose
 * outputs are all zero is not called (NAS-Bench-201's and DARTS' `none` edges); identities pass
 * their input on; layers the outputs do not depend on are not run (their parameters exist).
 * Operands of a sum, product or concatenation that are used once are written inside it.
 */
import type { SpecNode } from '../../train/model-builder/spec.js';
import { PYTHON_KEYWORDS, type ClassPlan, type PyClass } from './classes.js';
import { itemInputs, valueRefs, type Instance, type Item } from './tree.js';

/** A value of the forward pass: a Python expression, or a known zero with how to make it. */
interface Value {
  readonly rank: number;
  /** Known zero: `make` is an expression that builds the zero tensor when a consumer needs one. */
  readonly zero?: { readonly make: () => string };
  /** The expression (a variable, or a call written inside its consumer). */
  expr?: string;
}

export interface ForwardCode {
  readonly lines: string[];
  /** Per output of the class: known to be zero. */
  readonly zeroOutputs: boolean[];
}

/** `self.a.b` for a module path below the class (getattr for names that are not Python attributes). */
export function accessor(tokens: readonly string[], base = 'self'): string {
  return tokens.reduce((e, t) => (isAttributeName(t) ? `${e}.${t}` : `getattr(${e}, ${JSON.stringify(t)})`), base);
}

export const isAttributeName = (t: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(t) && !PYTHON_KEYWORDS.has(t);

const COMBINE = new Set(['add', 'mul', 'concat']);
const ELEMENTWISE: Record<string, string> = {
  relu: 'F.relu',
  relu6: 'F.relu6',
  hswish: 'F.hardswish',
  hsigmoid: 'F.hardsigmoid',
  swish: 'F.silu',
  sigmoid: 'torch.sigmoid',
};
const NEEDS_4D = new Set(['conv', 'dwconv', 'bn', 'gn', 'maxpool', 'avgpool', 'gap', 'upsample', 'channel_shuffle']);

/** The attribute that keeps constructor argument `name` (its own name unless a submodule has it). */
export function keptName(cls: PyClass, name: string): string {
  const tokens = new Set(cls.instances[0]!.items.map((it) => it.local[0]));
  let n = name;
  while (tokens.has(n)) n += '_';
  return n;
}

/**
 * Each op item's slot expressions by attribute, as the forward pass reads them: a constructor
 * argument `a` is `self.a` there (the constructor keeps those the forward pass reads).
 */
function forwardArgs(cls: PyClass, plan: ClassPlan): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  let k = 0;
  for (const it of cls.instances[0]!.items) {
    const slots = it.kind === 'op' ? plan.slotsOf(it.node) : [];
    const n = it.kind === 'op' ? slots.length : plan.classOf.get(it.inst)!.params.length;
    const exprs = cls.slotExprs
      .slice(k, k + n)
      .map((e) => e.replace(/^[A-Za-z_]\w*/, (name) => (cls.params.includes(name) ? `self.${keptName(cls, name)}` : name)));
    out.push(opArgs(slots, exprs));
    k += n;
  }
  return out;
}

/** Named slot expressions of an op item. */
export function opArgs(slots: readonly (readonly [string, string])[], exprs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  slots.forEach(([attr], i) => (out[attr] = exprs[i]!));
  return out;
}

/** What the forward pass of a class needs to know about the whole network. */
export interface ForwardContext {
  readonly plan: ClassPlan;
  readonly ranks: readonly number[];
  /** Channels of a node's output. */
  readonly channelsOf: (id: number) => number;
  /** Per class already written: which of its outputs are known zeros. */
  readonly zeroOutputsOf: Map<PyClass, boolean[]>;
}

export function writeForward(cls: PyClass, ctx: ForwardContext, isRoot: boolean): ForwardCode {
  const { plan, ranks, zeroOutputsOf } = ctx;
  const inst = cls.instances[0]!;
  const refs = valueRefs(inst);
  const slots = forwardArgs(cls, plan);
  const items = inst.items;
  const inputNames = inst.inputs.length === 1 ? ['x'] : inst.inputs.map((_, k) => `x${k}`);
  const values = new Map<number, Value>();
  inst.inputs.forEach((id, k) => values.set(id, { rank: ranks[id]!, expr: inputNames[k] }));

  // 1. Known zeros and identities, in order (structure only: the same for every instance of the class).
  const alias = new Map<number, number>();
  const canon = (id: number): number => alias.get(id) ?? id;
  const isZero = (id: number): boolean => values.get(canon(id))?.zero !== undefined;
  items.forEach((it) => {
    if (it.kind === 'child') {
      const zeros = zeroOutputsOf.get(plan.classOf.get(it.inst)!)!;
      it.inst.outputs.forEach((id, o) => values.set(id, { rank: ranks[id]!, ...(zeros[o] ? { zero: { make: () => '' } } : {}) }));
      return;
    }
    const n = it.node;
    const ins = n.inputs.map(canon);
    if (n.op === 'identity' || (n.op === 'dropout' && n.attrs['p'] === 0) || (n.op === 'input' && isRoot)) {
      if (n.op === 'input') values.set(n.id, { rank: 4, expr: 'x' });
      else alias.set(n.id, ins[0]!);
      return;
    }
    const zero = n.op === 'zero' || (n.op === 'add' && ins.every((i) => isZero(i)));
    values.set(n.id, { rank: ranks[n.id]!, ...(zero ? { zero: { make: () => '' } } : {}) });
  });

  // 2. What runs: backward from the outputs; a sum does not need its zero operands, a zero made
  //    for a consumer needs what it is made from.
  const liveItems = new Set<number>();
  const neededValue = new Set<number>();
  const producer = (id: number): number | undefined => {
    const r = refs.get(canon(id));
    return r && 'item' in r ? r.item : undefined;
  };
  // A sum reads its nonzero operands (an all-zero sum is made from its first).
  const readsOf = (it: Item): number[] => {
    if (it.kind !== 'op' || it.node.op !== 'add') return itemInputs(it).map(canon);
    const live = it.node.inputs.filter((i) => !isZero(i));
    return (live.length ? live : it.node.inputs.slice(0, 1)).map(canon);
  };
  const need = (id: number): void => {
    const c = canon(id);
    if (neededValue.has(c)) return;
    neededValue.add(c);
    const j = producer(c);
    if (j === undefined) return;
    liveItems.add(j);
    const it = items[j]!;
    for (const i of readsOf(it)) need(i);
  };
  for (const id of inst.outputs) need(id);

  // 3. Uses of each value by the live items (operands written inside their consumer).
  const uses = new Map<number, number[]>();
  [...liveItems].forEach((j) => {
    for (const i of readsOf(items[j]!)) (uses.get(i) ?? (uses.set(i, []), uses.get(i)!)).push(j);
  });
  const outputsSet = new Set(inst.outputs.map(canon));
  const inlined = new Set<number>();
  const sortedLive = [...liveItems].sort((a, b) => a - b);
  sortedLive.forEach((j, at) => {
    const it = items[j]!;
    if (it.kind !== 'op' || !COMBINE.has(it.node.op)) return;
    const operands = new Set(it.node.inputs.map(canon));
    // The run of live items right before this one whose values only it reads.
    for (let p = at - 1; p >= 0; p--) {
      const q = sortedLive[p]!;
      const qi = items[q]!;
      const id = qi.kind === 'op' ? qi.node.id : qi.inst.outputs.length === 1 ? qi.inst.outputs[0]! : -1;
      if (id < 0 || !operands.has(id) || outputsSet.has(id) || isZero(id) || uses.get(id)?.length !== 1) break;
      inlined.add(q);
    }
  });

  // 4. Lines, with variable names: the statement a layer belongs to (`n2`), else `x`; a name
  //    is reused once the value it holds has no reader left.
  const lastUse = new Map<number, number>();
  for (const [id, js] of uses) lastUse.set(id, Math.max(...js));
  for (const id of outputsSet) lastUse.set(id, Infinity);
  const holder = new Map<string, number>();
  inst.inputs.forEach((id, k) => holder.set(inputNames[k]!, id));
  for (const it of items) if (it.kind === 'op' && it.node.op === 'input') holder.set('x', it.node.id);
  const lines: string[] = [];
  const materialize = (id: number): string => {
    const v = values.get(canon(id))!;
    return v.zero ? v.zero.make() : v.expr!;
  };
  const as4d = (id: number): string => {
    const e = materialize(id);
    return values.get(canon(id))!.rank === 2 ? `${e}[:, :, None, None]` : e;
  };
  const nameFor = (it: Item, j: number, id: number): string => {
    const stmts = it.local.slice(0, -1).filter(isAttributeName);
    let base = stmts.length ? stmts.join('_') : 'x';
    if (inputNames.includes(base) && base !== 'x') base = `${base}_`;
    for (let k = 1; ; k++) {
      const name = k === 1 ? base : `${base}_${k}`;
      const held = holder.get(name);
      if (held === undefined || held === id || (lastUse.get(held) ?? -1) <= j) {
        holder.set(name, id);
        return name;
      }
    }
  };
  for (let j = 0; j < items.length; j++) {
    const it = items[j]!;
    if (!liveItems.has(j)) {
      if (it.kind === 'child' && zeroOutputsOf.get(plan.classOf.get(it.inst)!)!.every(Boolean)) {
        lines.push(`# ${accessor(it.local)} (${plan.classOf.get(it.inst)!.name}) gives zeros: not run, left out of the sums`);
      }
      continue;
    }
    if (it.kind === 'child') {
      const cls2 = plan.classOf.get(it.inst)!;
      const zeros = zeroOutputsOf.get(cls2)!;
      const call = `${accessor(it.local)}(${it.inst.inputs.map(materialize).join(', ')})`;
      const outs = it.inst.outputs;
      if (zeros.every(Boolean)) {
        // Run only because a consumer needs the zeros as a tensor: the call makes them.
        outs.forEach((id, o) => {
          const v = values.get(id)!;
          values.set(id, { ...v, zero: { make: () => (outs.length === 1 ? call : `${call}[${o}]`) } });
        });
        continue;
      }
      if (inlined.has(j)) {
        values.get(outs[0]!)!.expr = call;
        continue;
      }
      const names = outs.map((id) => nameFor(it, j, id));
      outs.forEach((id, o) => (values.get(id)!.expr = names[o]));
      lines.push(`${names.join(', ')} = ${call}`);
      continue;
    }
    const n = it.node;
    const v = values.get(n.id);
    if (!v || n.op === 'input') continue; // an identity, the network's input
    if (v.zero) {
      const keepsChannels = n.op === 'zero' && n.attrs['out'] === ctx.channelsOf(n.inputs[0]!);
      values.set(n.id, { ...v, zero: { make: () => zeroExpr(n, slots[j]!, keepsChannels, values, canon, materialize) } });
      continue;
    }
    const expr = opExpr(n, it.local, slots[j]!, values, canon, materialize, as4d, isZero);
    if (inlined.has(j)) v.expr = COMBINE.has(n.op) ? `(${expr})` : expr;
    else {
      const name = nameFor(it, j, n.id);
      lines.push(`${name} = ${expr}`);
      v.expr = name;
    }
  }
  const outExprs = inst.outputs.map((id) => {
    const e = materialize(id);
    return isRoot && values.get(canon(id))!.rank === 4 ? `torch.flatten(${e}, 1)` : e;
  });
  lines.push(`return ${outExprs.join(', ')}`);
  return { lines, zeroOutputs: inst.outputs.map((id) => isZero(id)) };
}

/** The forward's parameter list. */
export function forwardParams(inst: Instance): string {
  return ['self', ...(inst.inputs.length === 1 ? ['x'] : inst.inputs.length === 0 ? ['x'] : inst.inputs.map((_, k) => `x${k}`))].join(', ');
}

/** The expression that makes a known zero: a `zero` op's, or an all-zero sum's (its first operand's). */
function zeroExpr(
  n: SpecNode,
  a: Record<string, string>,
  keepsChannels: boolean,
  values: Map<number, Value>,
  canon: (id: number) => number,
  materialize: (id: number) => string,
): string {
  if (n.op === 'add') return materialize(n.inputs[0]!);
  const x = materialize(n.inputs[0]!);
  const s = a['stride']!;
  // As NAS-Bench-201's and DARTS' Zero: x[:, :, ::s, ::s].mul(0.), new zeros for another width.
  if (values.get(canon(n.inputs[0]!))!.rank === 2) return keepsChannels ? `torch.zeros_like(${x})` : `${paren(x)}.new_zeros(${paren(x)}.shape[0], ${a['out']})`;
  if (keepsChannels) return s === '1' ? `torch.zeros_like(${x})` : `torch.zeros_like(${paren(x)}[:, :, ::${s}, ::${s}])`;
  const px = paren(x);
  return `${px}.new_zeros(${px}.shape[0], ${a['out']}, (${px}.shape[2] - 1) // ${s} + 1, (${px}.shape[3] - 1) // ${s} + 1)`;
}

const paren = (e: string): string => (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(e) ? e : `(${e})`);

function opExpr(
  n: SpecNode,
  local: readonly string[],
  a: Record<string, string>,
  values: Map<number, Value>,
  canon: (id: number) => number,
  materialize: (id: number) => string,
  as4d: (id: number) => string,
  isZero: (id: number) => boolean,
): string {
  const x = n.inputs.length ? (NEEDS_4D.has(n.op) ? as4d(n.inputs[0]!) : materialize(n.inputs[0]!)) : 'x';
  const self = accessor(local);
  const rankOf = (id: number): number => values.get(canon(id))!.rank;
  switch (n.op) {
    case 'conv':
    case 'dwconv':
    case 'bn':
    case 'gn':
      return `${self}(${x})`;
    case 'fc':
      return rankOf(n.inputs[0]!) === 4 ? `${self}(torch.flatten(${x}, 1))` : `${self}(${x})`;
    case 'maxpool':
      return `F.max_pool2d(${x}, ${a['k']}, stride=${a['stride']}${a['pad'] === '0' ? '' : `, padding=${a['pad']}`})`;
    case 'avgpool': {
      const exclude = n.attrs['count_include_pad'] === false && (n.attrs['pad'] as number) > 0;
      return `F.avg_pool2d(${x}, ${a['k']}, stride=${a['stride']}${a['pad'] === '0' ? '' : `, padding=${a['pad']}`}${exclude ? ', count_include_pad=False' : ''})`;
    }
    case 'gap':
      return `F.adaptive_avg_pool2d(${x}, 1)`;
    case 'flatten':
      return rankOf(n.inputs[0]!) === 4 ? `torch.flatten(${x}, 1)` : x;
    case 'dropout':
      return `F.dropout(${x}, ${a['p']}, self.training)`;
    case 'channel_shuffle':
      return `channel_shuffle(${x}, ${a['groups']})`;
    case 'split':
      return `torch.chunk(${x}, ${a['parts']}, 1)[${a['index']}]`;
    case 'upsample':
      return `F.interpolate(${x}, scale_factor=${a['scale']}, mode="nearest")`;
    case 'add':
    case 'mul':
    case 'concat': {
      const ins = n.op === 'add' ? n.inputs.filter((i) => !isZero(i)) : [...n.inputs];
      const four = n.op !== 'add' || ins.length > 1 ? ins.some((i) => rankOf(i) === 4) : false;
      const operands = ins.map((i) => (four ? as4d(i) : materialize(i)));
      if (n.op === 'concat') return operands.length === 1 ? operands[0]! : `torch.cat([${operands.join(', ')}], 1)`;
      return operands.join(n.op === 'add' ? ' + ' : ' * ');
    }
    default: {
      const f = ELEMENTWISE[n.op];
      if (!f) throw new Error(`no expression for op ${n.op}`);
      return `${f}(${x})`;
    }
  }
}
