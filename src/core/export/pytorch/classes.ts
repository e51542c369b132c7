/**
 * Classes for the instances of the module tree (tree.ts). Instances of one definition with the
 * same structure (the same ops and child classes, wired the same way, the same flags) share a
 * class; each number of an op or of a child's constructor call is a *slot*, and slots whose
 * values differ between the instances become constructor arguments. Slots that vary together
 * (a conv's output channels and the following batch norm's channels) are one argument.
 *
 * Arguments are named after what they set: `cin`, `cout` or `c` for channels, `stride`, `k`,
 * `pad`, ... (with `_2`, `_3` when two differ), children's arguments after the child's own.
 * Structural variants of one definition (an edge of a cell that is a convolution in one place
 * and a pooling in another) get the names of what they hold: `NB201Op_ReLUConvBN`,
 * `NB201Op_avgpool`.
 */
import type { SpecNode } from '../../train/model-builder/spec.js';
import { ExportError, itemInputs, postOrder, valueRefs, type Instance, type ValueRef } from './tree.js';

/**
 * What a slot sets (the argument's name), and for a padding the slot of its kernel size: a
 * padding that is k // 2 in every instance is written so.
 */
interface SlotInfo {
  readonly base: string;
  readonly kernel?: number;
}

export interface PyClass {
  name: string;
  readonly def: string;
  readonly instances: Instance[];
  /** Constructor arguments, in order. */
  readonly params: string[];
  /** Per slot, a Python expression: an argument's name or a literal. */
  readonly slotExprs: string[];
  /** Depth of the class's subtree (0: no child instances). */
  readonly height: number;
}

export interface ClassPlan {
  readonly classes: PyClass[];
  /** The slots of each op node (by id): attribute and base name. */
  readonly slotsOf: (node: SpecNode) => readonly (readonly [string, string])[];
  readonly classOf: Map<Instance, PyClass>;
  /** Each instance's constructor arguments (values of its class's params). */
  readonly argsOf: Map<Instance, number[]>;
}

/** Attributes of an op that are numbers set per instance, with the argument names they suggest. */
const SLOTS: Record<string, readonly (readonly [string, string])[]> = {
  conv: [
    ['in', 'cin'],
    ['out', 'cout'],
    ['kh', 'k'],
    ['kw', 'k'],
    ['stride', 'stride'],
    ['pad_h', 'pad'],
    ['pad_w', 'pad'],
    ['dilation', 'dilation'],
    ['groups', 'groups'],
  ],
  bn: [['c', 'c']],
  gn: [
    ['groups', 'groups'],
    ['c', 'c'],
  ],
  fc: [
    ['in', 'fin'],
    ['out', 'fout'],
  ],
  maxpool: [
    ['k', 'k'],
    ['stride', 'stride'],
    ['pad', 'pad'],
  ],
  zero: [
    ['stride', 'stride'],
    ['out', 'cout'],
  ],
  channel_shuffle: [['groups', 'groups']],
  split: [
    ['parts', 'parts'],
    ['index', 'index'],
  ],
  upsample: [['scale', 'scale']],
  dropout: [['p', 'p']],
};
SLOTS['dwconv'] = SLOTS['conv']!;
SLOTS['avgpool'] = SLOTS['maxpool']!;

/** Ops the export writes; others are refused with a message. */
export const EXPORTED_OPS = new Set([
  'input',
  'conv',
  'dwconv',
  'bn',
  'gn',
  'fc',
  'maxpool',
  'avgpool',
  'gap',
  'flatten',
  'relu',
  'relu6',
  'hswish',
  'hsigmoid',
  'swish',
  'sigmoid',
  'dropout',
  'identity',
  'zero',
  'add',
  'mul',
  'concat',
  'channel_shuffle',
  'split',
  'upsample',
]);

/**
 * The numeric slots of an op node: attribute and base name. A `zero` that keeps its input's
 * channels has no width to set.
 */
export function opSlots(node: SpecNode, inChannels: number): readonly (readonly [string, string])[] {
  if (node.op === 'zero' && node.attrs['out'] === inChannels) return [['stride', 'stride']];
  return SLOTS[node.op] ?? [];
}

/** The flags of an op that change the code written for it (part of the structure, not slots). */
function opFlags(node: SpecNode, inChannels: number): unknown[] {
  const a = node.attrs;
  switch (node.op) {
    case 'conv':
    case 'dwconv':
      return [a['bias']];
    case 'bn':
      if (((a['pad'] as number | undefined) ?? 0) > 0) throw new ExportError(`${node.name}: bn(pad=...) is not supported by the PyTorch export yet`);
      return [a['affine'], a['eps'], a['momentum']];
    case 'gn':
      return [a['eps']];
    case 'fc':
      return [a['bias']];
    case 'avgpool':
      return [a['count_include_pad'], (a['pad'] as number) > 0];
    case 'dropout':
      return [a['p'] === 0];
    case 'zero':
      return [a['out'] === inChannels];
    default:
      return [];
  }
}

const refKey = (r: ValueRef | undefined): string => (r === undefined ? '?' : 'input' in r ? `i${r.input}` : `${r.item}.${r.out}`);

/** Groups instances into classes and works out each class's constructor arguments. */
export function planClasses(root: Instance, ranks: readonly number[], channelsOf: (id: number) => number): ClassPlan {
  const order = postOrder(root);
  const sigOf = new Map<Instance, number>();
  const sigIds = new Map<string, number>();
  const heightOf = new Map<Instance, number>();
  for (const inst of order) {
    const refs = valueRefs(inst);
    let height = 0;
    const items = inst.items.map((it) => {
      const ins = itemInputs(it).map((id) => refKey(refs.get(id)));
      if (it.kind === 'op') {
        if (!EXPORTED_OPS.has(it.node.op)) throw new ExportError(`${it.node.name}: the PyTorch export has no implementation of op '${it.node.op}'`);
        const inC = it.node.inputs.length ? channelsOf(it.node.inputs[0]!) : 0;
        return ['op', it.local.join('.'), it.node.op, opFlags(it.node, inC), ins];
      }
      height = Math.max(height, heightOf.get(it.inst)! + 1);
      return ['child', it.local.join('.'), sigOf.get(it.inst), ins];
    });
    const inRanks = inst.inputs.map((id) => ranks[id]);
    const outs = inst.outputs.map((id) => refKey(refs.get(id)));
    const sig = JSON.stringify([inst.def, inRanks, items, outs]);
    if (!sigIds.has(sig)) sigIds.set(sig, sigIds.size);
    sigOf.set(inst, sigIds.get(sig)!);
    heightOf.set(inst, height);
  }
  // Classes, children first (height ascending, then first appearance).
  const groups = new Map<number, Instance[]>();
  for (const inst of order) {
    const key = sigOf.get(inst)!;
    (groups.get(key) ?? (groups.set(key, []), groups.get(key)!)).push(inst);
  }
  const classes: PyClass[] = [];
  const classOf = new Map<Instance, PyClass>();
  const argsOf = new Map<Instance, number[]>();
  const slotsOf = (node: SpecNode) => opSlots(node, node.inputs.length ? channelsOf(node.inputs[0]!) : 0);
  const position = new Map(order.map((inst, i) => [inst, i]));
  const sorted = [...groups.values()].sort((a, b) => heightOf.get(a[0]!)! - heightOf.get(b[0]!)! || position.get(a[0]!)! - position.get(b[0]!)!);
  for (const instances of sorted) {
    const proto = instances[0]!;
    const slotInfo: SlotInfo[] = [];
    const values: number[][] = instances.map(() => []);
    proto.items.forEach((it, j) => {
      if (it.kind === 'op') {
        const slots = slotsOf(it.node);
        const first = slotInfo.length;
        for (const [attr, base] of slots) {
          const kernelAttr = attr === 'pad_h' ? 'kh' : attr === 'pad_w' ? 'kw' : attr === 'pad' ? 'k' : undefined;
          const kernel = kernelAttr ? slots.findIndex(([a]) => a === kernelAttr) : -1;
          // (dilated kernels keep an explicit padding)
          const dilated = it.node.attrs['dilation'] !== undefined && it.node.attrs['dilation'] !== 1;
          slotInfo.push(kernel >= 0 && !dilated ? { base, kernel: first + kernel } : { base });
          instances.forEach((inst, n) => {
            const node = (inst.items[j] as { node: SpecNode }).node;
            values[n]!.push(node.attrs[attr] as number);
          });
        }
      } else {
        const child = classOf.get(it.inst)!;
        for (const p of child.params) slotInfo.push({ base: p });
        instances.forEach((inst, n) => {
          const c = (inst.items[j] as { inst: Instance }).inst;
          values[n]!.push(...argsOf.get(c)!);
        });
      }
    });
    const { params, slotExprs, columns } = columnsOf(slotInfo, values);
    const cls: PyClass = { name: proto.def, def: proto.def, instances, params, slotExprs, height: heightOf.get(proto)! };
    classes.push(cls);
    instances.forEach((inst, n) => {
      classOf.set(inst, cls);
      argsOf.set(
        inst,
        columns.map((slot) => values[n]![slot]!),
      );
    });
  }
  nameClasses(classes, root, classOf);
  return { classes, classOf, argsOf, slotsOf };
}

/** Python's literal of a slot value (JavaScript's shortest round-trip form is valid Python). */
export function literal(v: number): string {
  return String(v);
}

/**
 * Constructor arguments from the slots' values: a slot constant over the instances is a
 * literal; slots with equal value vectors share one argument. `columns[k]` is the first slot
 * of argument k.
 */
function columnsOf(slots: readonly SlotInfo[], values: readonly number[][]): { params: string[]; slotExprs: string[]; columns: number[] } {
  const n = values.length;
  const vec = (s: number): string => values.map((v) => v[s]).join(',');
  const byVec = new Map<string, number[]>();
  const slotExprs: string[] = [];
  for (let s = 0; s < slots.length; s++) {
    const first = values[0]![s]!;
    if (n === 1 || values.every((v) => v[s] === first)) continue;
    const key = vec(s);
    (byVec.get(key) ?? (byVec.set(key, []), byVec.get(key)!)).push(s);
  }
  // A padding of k // 2 (PyTorch's "same" for odd kernels) follows its kernel's argument.
  const derived = new Map<number, number>();
  for (const [key, group] of [...byVec]) {
    const rest = group.filter((s) => {
      const k = slots[s]!.kernel;
      if (k === undefined || !byVec.has(vec(k)) || !values.every((v) => v[s] === Math.floor(v[k]! / 2))) return true;
      derived.set(s, k);
      return false;
    });
    if (rest.length) byVec.set(key, rest);
    else byVec.delete(key);
  }
  const params: string[] = [];
  const columns: number[] = [];
  const nameOf = new Map<number, string>();
  for (const group of byVec.values()) {
    const name = uniqueName(argumentName(group.map((s) => slots[s]!.base)), params);
    params.push(name);
    columns.push(group[0]!);
    for (const s of group) nameOf.set(s, name);
  }
  for (let s = 0; s < slots.length; s++) {
    const k = derived.get(s);
    slotExprs.push(k !== undefined ? `${nameOf.get(k)} // 2` : (nameOf.get(s) ?? literal(values[0]![s]!)));
  }
  return { params, slotExprs, columns };
}

const CHANNEL_NAMES = new Set(['cin', 'cout', 'c']);

/** The name of an argument that sets the slots with these base names. */
function argumentName(bases: readonly string[]): string {
  const plain = new Set(bases.map((b) => b.replace(/_\d+$/, '')));
  if (plain.size === 1) return [...plain][0]!;
  if ([...plain].every((b) => CHANNEL_NAMES.has(b))) {
    // Channels: what goes in, what comes out, or both (an expanded width, a cell's C).
    if (!plain.has('cout')) return 'cin';
    if (!plain.has('cin')) return 'cout';
    return 'c';
  }
  return bases[0]!.replace(/_\d+$/, '');
}

function uniqueName(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let k = 2; ; k++) if (!taken.includes(`${base}_${k}`)) return `${base}_${k}`;
}

/** Names that the generated module defines or imports, which a class may not take. */
const RESERVED = new Set([
  'torch',
  'nn',
  'F',
  'Scope',
  'channel_shuffle',
  'load_nas_safetensors',
  'save_nas_safetensors',
  'math',
  'json',
  'struct',
  'sys',
  'Model',
]);

/** Ops that join or pass values on: they do not tell variants apart. */
const PLUMBING = new Set(['input', 'add', 'mul', 'concat']);

/**
 * Class names: the definition's; variants of one definition are named after what they hold
 * (their ops and child definitions, a child variant by what it holds), else numbered.
 */
function nameClasses(classes: PyClass[], root: Instance, classOf: Map<Instance, PyClass>): void {
  const byDef = new Map<string, PyClass[]>();
  for (const c of classes) (byDef.get(c.def) ?? (byDef.set(c.def, []), byDef.get(c.def)!)).push(c);
  const content = new Map<PyClass, string[]>();
  // Classes come children first, so a child's content is known before its parent's.
  for (const c of classes) {
    const parts: string[] = [];
    for (const it of c.instances[0]!.items) {
      const child = it.kind === 'child' ? classOf.get(it.inst)! : undefined;
      const p = child
        ? byDef.get(child.def)!.length > 1
          ? content.get(child)!
          : [child.def]
        : it.kind === 'op' && !PLUMBING.has(it.node.op)
          ? [it.node.op]
          : [];
      for (const x of p) if (!parts.includes(x)) parts.push(x);
    }
    content.set(c, parts);
  }
  const taken = new Set<string>(RESERVED);
  const assign = (c: PyClass, name: string): void => {
    let n = pythonIdentifier(name);
    if (taken.has(n) || PYTHON_KEYWORDS.has(n)) n = uniqueName(`${n}_`, [...taken]);
    taken.add(n);
    c.name = n;
  };
  for (const [def, list] of byDef) {
    if (list.length === 1 || list.some((c) => c.instances.includes(root))) {
      for (const c of list) assign(c, def);
      continue;
    }
    const described = list.map((c) => content.get(c)!.slice(0, 3).join('_'));
    const unique = new Set(described).size === described.length && described.every((d) => d !== '');
    list.forEach((c, i) => assign(c, unique ? `${def}_${described[i]}` : `${def}_v${i + 1}`));
  }
}

function pythonIdentifier(s: string): string {
  const t = s.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(t) ? `_${t}` : t;
}

export const PYTHON_KEYWORDS = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
]);
