/**
 * Calls: binding arguments to a definition's parameters, applying blocks and cells (through
 * the instance memo) and primitive ops (their shape and cost rules, ops.ts), and the built-in
 * functions.
 */
import type { AstNode } from 'langium';
import type * as ast from '../../language/syntax/generated/ast.js';
import { BUILTIN_FUNCTIONS, callBuiltinFunction } from '../builtins.js';
import { OP_RULES, OpError, type AttrValue, type Attrs, type OpRule } from '../ops.js';
import { formatShape, internShape } from '../shape.js';
import { suggestName } from '../suggest.js';
import { POISON, describeValue, isDefinitionValue, isLayer, isPoison, isTensor, type LayerValue, type TensorValue, type Value } from '../values.js';
import { internAttrs } from './attributes.js';
import { fail } from './checks.js';
import { InstancePath } from './choice-keys.js';
import { Frame, join, outermostContext, padInputs, type EvalContext } from './context.js';
import { signatureOf, type Signature } from './definition-state.js';
import { EvalError, MAX_CALL_DEPTH, MAX_NODES, nodeLimit } from './errors.js';
import type { Evaluator } from './interpreter.js';
import { DefinitionLayer, OpLayer, type LayerApplier } from './layers.js';

/** Call arguments bound to parameters: `values` is indexed like the signature's `positional`. */
interface BoundArgs {
  readonly values: readonly Value[];
  readonly rest: Value[];
  readonly restNodes: AstNode[];
}

/**
 * An op declaration's defaults, one object per declaration for every elaboration: graphs keep
 * them per op, and replayed nodes bring those of the elaboration that recorded them, which
 * each graph compared key by key when they were other objects.
 */
const declaredDefaults = new WeakMap<ast.Definition, Attrs>();

export const EMPTY_ATTRS: Attrs = {};
/** The empty lists of a call without tensor arguments (never changed). */
const NO_VALUES: Value[] = Object.freeze([]) as unknown as Value[];
const NO_NODES: AstNode[] = Object.freeze([]) as unknown as AstNode[];
/** No tensors (shared: most op calls capture none). */
const NO_TENSORS: TensorValue[] = [];
/** bareOpAttrs' answer for an op that must be bound as any call. */
const NOT_BARE = Symbol('not bare');

export class Calls implements LayerApplier {
  private readonly defaultsCache = new Map<string, Attrs>();
  /** bareOpAttrs, per op definition. */
  private readonly bareAttrs = new Map<ast.Definition, Attrs | typeof NOT_BARE>();
  /** Definitions being applied (to reject recursion). */
  private readonly active = new Set<ast.Definition>();

  constructor(private readonly ev: Evaluator) {}

  evalCall(e: ast.Call, frame: Frame, ctx: EvalContext): Value {
    const ev = this.ev;
    const callee = e.callee;
    if (callee.$type === 'Ref') {
      const target = callee.target.ref;
      if (!target) {
        ev.reporter.report(callee, '', 'poison'); // the linker reported it
        return POISON;
      }
      if (target.$type === 'Definition') {
        if (target.kind === 'fn') return this.callFunction(target, e, frame, ctx);
        return this.layerOrTensorOfDefinition(target, e.args, frame, ctx, e);
      }
    }
    const f = ev.evalExpr(callee, frame, ctx);
    if (isPoison(f)) return f;
    if (isDefinitionValue(f)) return this.layerOrTensorOfDefinition(f.definition, e.args, frame, ctx, e);
    if (!isLayer(f)) fail(callee, `${describeValue(f)} cannot be called`, 'not-callable');
    const tensors: TensorValue[] = [];
    for (const a of e.args) {
      const v = ev.evalExpr(a.value, frame, ctx);
      if (isPoison(v)) return v;
      if (a.name) fail(a, 'a layer is applied to tensors, not named arguments', 'type-mismatch', 'name');
      if (isTensor(v)) tensors.push(v);
      else if (Array.isArray(v) && v.every(isTensor)) tensors.push(...v);
      else fail(a, `a layer is applied to tensors, found ${describeValue(v)}`, 'type-mismatch');
    }
    if (tensors.length === 0) fail(e, `${f.label} needs input tensors`, 'no-input');
    return f.apply(padInputs(tensors, f.arity), ctx);
  }

  /** Binds call arguments to a definition's parameters, in order and by name. */
  bindArgs(def: ast.Definition, sig: Signature, args: readonly ast.Arg[], frame: Frame, ctx: EvalContext, site: AstNode): BoundArgs | undefined {
    const ev = this.ev;
    const { positional, variadic, literalDefaults } = sig;
    // Indexed like `positional` (a Map per call cost more than the rest of binding).
    const values: Array<Value | undefined> = new Array<Value | undefined>(positional.length).fill(undefined);
    // Most calls pass no tensors: their lists are made on the first one.
    let rest: Value[] = NO_VALUES;
    let restNodes: AstNode[] = NO_NODES;
    let pos = 0;
    let sawNamed = false;
    let poisoned = false;
    for (const a of args) {
      if (a.label) fail(a, `\`${a.label}:\` labels an option of choice(...); ${def.name} takes no labels`, 'misplaced-label', 'label');
      if (a.name) {
        sawNamed = true;
        // The first parameter of that name (duplicates are reported by the validator).
        let index = 0;
        while (index < positional.length && positional[index]!.name !== a.name) index++;
        if (index === positional.length) {
          const hint = suggestName(
            a.name,
            positional.map((q) => q.name),
          );
          // Reported and left out: the layer still has its output shape (from its other
          // attributes), so the statements after it see the input they are written for.
          ev.reporter.report(
            a,
            `${def.name} has no attribute \`${a.name}\`${hint ? `; did you mean \`${hint}\`?` : ''} (expected one of: ${positional.map((q) => q.name).join(', ') || 'none'})`,
            'unknown-attribute',
            'name',
            'error',
            ctx.callStack,
          );
          continue;
        }
        const p = positional[index]!;
        if (values[index] !== undefined) fail(a, `attribute \`${a.name}\` is given twice`, 'duplicate-attribute', 'name');
        const v = checkType(p, ev.evalExpr(a.value, frame, ctx), a.value, def);
        if (isPoison(v)) poisoned = true;
        values[index] = v;
        continue;
      }
      if (sawNamed) fail(a, 'a positional argument cannot follow a named one', 'syntax');
      const v = ev.evalExpr(a.value, frame, ctx);
      if (variadic && (pos >= positional.length || isTensor(v) || (Array.isArray(v) && variadic.type === 'tensor'))) {
        if (isPoison(v)) poisoned = true;
        if (rest === NO_VALUES) {
          rest = [];
          restNodes = [];
        }
        rest.push(v);
        restNodes.push(a.value);
        continue;
      }
      const index = pos++;
      const p = positional[index];
      if (!p)
        fail(a, `${def.name} takes at most ${positional.length} positional argument${positional.length === 1 ? '' : 's'}, found more`, 'too-many-arguments');
      const checked = checkType(p, v, a.value, def);
      if (isPoison(checked)) poisoned = true;
      values[index] = checked;
    }
    if (poisoned) return undefined;
    // Defaults see the parameters bound before them (`stride = 1, pad = k // 2`); literal
    // defaults need no frame.
    let defFrame: Frame | undefined;
    for (let i = 0; i < positional.length; i++) {
      const p = positional[i]!;
      let v = values[i];
      if (v === undefined) {
        if (!p.default) {
          fail(site, `${def.name} needs \`${p.name}\`${p.type ? ` (${p.type})` : ''}`, 'missing-argument');
        }
        v = literalDefaults[i];
        if (v === undefined) {
          if (!defFrame) {
            defFrame = new Frame(ev.globals);
            for (let j = 0; j < i; j++) defFrame.set(positional[j]!, values[j]!);
          }
          v = ev.evalExpr(p.default, defFrame, ctx);
        }
        values[i] = v;
      }
      defFrame?.set(p, v);
    }
    return { values: values as Value[], rest, restNodes };
  }

  layerOfDefinition(def: ast.Definition, args: readonly ast.Arg[], frame: Frame, ctx: EvalContext, site: AstNode): LayerValue {
    const v = this.layerOrTensorOfDefinition(def, args, frame, ctx, site);
    if (isLayer(v)) return v;
    if (isPoison(v)) throw new EvalError('', site, 'poison');
    fail(site, `${def.name} is not a layer`, 'type-mismatch');
  }

  private layerOrTensorOfDefinition(def: ast.Definition, args: readonly ast.Arg[], frame: Frame, ctx: EvalContext, site: AstNode): Value {
    if (def.kind === 'fn') fail(site, `${def.name} is a function: call it with (...)`, 'type-mismatch');
    const sig = signatureOf(def);
    // A bare op (`-> bn`, `-> relu`) whose defaults are all literals binds to the same
    // attributes every time: bound once per elaboration, as binding would (nothing to evaluate).
    if (args.length === 0 && def.kind === 'op') {
      const attrs = this.bareOpAttrs(def, sig, site);
      if (attrs) return new OpLayer(this, def.name, attrs, NO_TENSORS, site);
    }
    const bound = this.bindArgs(def, sig, args, frame, ctx, site);
    if (!bound) return POISON;
    if (def.kind === 'op') {
      const rule = this.ruleOf(def, site);
      const attrs = internAttrs(def, bound.values);
      let captured: TensorValue[] = NO_TENSORS;
      for (let i = 0; i < bound.rest.length; i++) {
        const v = bound.rest[i]!;
        if (captured === NO_TENSORS) captured = [];
        if (isTensor(v)) captured.push(v);
        else if (Array.isArray(v) && v.every(isTensor)) captured.push(...v);
        else fail(bound.restNodes[i]!, `${def.name} takes tensors, found ${describeValue(v)}`, 'type-mismatch');
      }
      const minInputs = rule.inputs[0];
      if (captured.length >= minInputs && captured.length > 0) return this.applyPrimitive(def.name, attrs, captured, ctx, site);
      return new OpLayer(this, def.name, attrs, captured, site);
    }
    if (bound.rest.length > 0) fail(bound.restNodes[0]!, `${def.name} takes parameters, not tensors: apply it with -> or ${def.name}(...)(x)`, 'type-mismatch');
    return new DefinitionLayer(this, def, sig, bound.values, site);
  }

  /** The op's rule; also evaluates its declared defaults once (applyPrimitive reads them). */
  private ruleOf(def: ast.Definition, site: AstNode): OpRule {
    const rule = OP_RULES[def.name];
    if (!rule) fail(site, `op ${def.name} has no implementation`, 'unknown-op');
    this.opDefaults(def);
    return rule;
  }

  /**
   * The attributes of `def` applied with no arguments, when binding could neither fail nor
   * evaluate anything (every parameter has a literal default, none takes tensors); else
   * undefined, and the call is bound as any other.
   */
  private bareOpAttrs(def: ast.Definition, sig: Signature, site: AstNode): Attrs | undefined {
    const known = this.bareAttrs.get(def);
    if (known !== undefined) return known === NOT_BARE ? undefined : known;
    let attrs: Attrs | typeof NOT_BARE = NOT_BARE;
    if (!sig.variadic && sig.literalDefaults.every((v) => v !== undefined)) {
      this.ruleOf(def, site);
      attrs = internAttrs(def, sig.literalDefaults as Value[]);
    }
    this.bareAttrs.set(def, attrs);
    return attrs === NOT_BARE ? undefined : attrs;
  }

  /** Applies block or cell `def`, its arguments bound to `values`, to `inputs` (see DefinitionLayer). */
  applyDefinition(def: ast.Definition, sig: Signature, values: readonly Value[], site: AstNode, inputs: readonly TensorValue[], c: EvalContext): Value {
    const ev = this.ev;
    const memo = ev.memo;
    if (c.callStack.length >= MAX_CALL_DEPTH) fail(site, `calls nested deeper than ${MAX_CALL_DEPTH} (is ${def.name} recursive?)`, 'too-deep');
    // Networks are finite graphs: a definition may not use itself, directly or not (each
    // level would multiply the work; an accidental self-reference would hang the editor).
    if (def === ev.model || this.active.has(def)) fail(site, `${def.kind} ${def.name} uses itself (recursion is not allowed)`, 'recursion');
    const rep = c.repeatIndex;
    const scope = join(c.scope, rep !== undefined ? `${def.name}.${rep}` : def.name);
    const slot = memo.slotOf(values, inputs);
    if (slot !== undefined) {
      const known = memo.find(def, slot, values, inputs);
      if (known && c.callStack.length + known.depth < MAX_CALL_DEPTH) return memo.replay(known, inputs, c, scope, site);
    }
    const path = def.kind === 'cell' ? c.path : new InstancePath(c.path, site, rep !== undefined ? `#${rep}` : '');
    const inner: EvalContext = { path, scope, callStack: [...c.callStack, site], choiceStack: c.choiceStack, repeatIndex: undefined, body: undefined };
    memo.noteDepth(inner.callStack.length);
    const f = new Frame(ev.globals);
    const positional = sig.positional;
    for (let i = 0; i < positional.length; i++) f.set(positional[i]!, values[i]!);
    const mark = slot !== undefined ? memo.start(inner.callStack.length) : undefined;
    this.active.add(def);
    let out: Value = POISON;
    ev.observer?.enterInstance(def, site, rep, values, inputs, ev.graph.size, c.choiceStack.length);
    try {
      out = ev.execDefinitionBody(def, f, inputs, inner, sig.inputDecl);
    } finally {
      this.active.delete(def);
      if (mark) memo.stop();
      ev.observer?.leaveInstance(ev.graph.size, isTensor(out) ? out : undefined);
    }
    if (mark) memo.finish(def, slot!, values, mark, inputs, out, scope, c.callStack.length);
    return out;
  }

  /** Default attributes of an op declaration, for printing only what differs. */
  private opDefaults(def: ast.Definition): Attrs {
    let d = this.defaultsCache.get(def.name);
    if (!d) d = declaredDefaults.get(def);
    if (!d) {
      d = {};
      for (const p of def.params) {
        if (p.default) d[p.name] = this.ev.evalExpr(p.default, this.ev.globals, outermostContext()) as AttrValue;
      }
      declaredDefaults.set(def, Object.freeze(d));
    }
    this.defaultsCache.set(def.name, d);
    return d;
  }

  applyPrimitive(op: string, attrs: Attrs, inputs: readonly TensorValue[], ctx: EvalContext, site: AstNode): Value {
    const graph = this.ev.graph;
    const rule = OP_RULES[op]!;
    const min = rule.inputs[0];
    const max = rule.inputs[1];
    if (inputs.length < min || inputs.length > max) {
      fail(site, `${op} takes ${min === max ? min : `${min} or more`} input${max === 1 ? '' : 's'}, found ${inputs.length}`, 'input-count');
    }
    if (graph.size >= MAX_NODES) throw nodeLimit(site, ctx.callStack);
    try {
      const r = rule.infer(
        inputs.map((t) => t.shape),
        attrs,
      );
      // After the shape rule, which may throw: inputs given to the graph belong to its next node.
      for (let k = 0; k < inputs.length; k++) graph.input(inputs[k]!.node);
      const defaults = this.defaultsCache.get(op) ?? EMPTY_ATTRS;
      const shape = internShape(r.shape);
      const node = graph.add(op, attrs, defaults, shape, r.params, r.macs, r.acts, ctx.scope, op, site, ctx.choiceStack);
      return { kind: 'tensor', node, shape };
    } catch (err) {
      if (!(err instanceof OpError)) throw err;
      let node: AstNode = site;
      let property: string | undefined;
      if (err.attr && site.$type === 'Call') {
        const arg = (site as ast.Call).args.find((a) => a.name === err.attr);
        if (arg) node = arg;
      }
      // Name each input by its text where the call spells them out: `add(x, y)` says which is which.
      const operands = rule.inputs[1] === Infinity ? operandTexts(site, inputs.length) : undefined;
      const inShapes = inputs.map((t, i) => `${operands?.[i] ? `${operands[i]} ` : ''}${formatShape(t.shape)}`).join(', ');
      fail(node, `${op}: ${err.message} (${inputs.length === 1 ? 'input' : operands ? 'inputs:' : 'inputs'} ${inShapes})`, err.code, property);
    }
  }

  /** A call of a built-in function (`choice`, `repeat`, `sum`, `range`, ...). */
  private callFunction(def: ast.Definition, e: ast.Call, frame: Frame, ctx: EvalContext): Value {
    const ev = this.ev;
    if (def.name === 'choice') return ev.choices.evalChoice(e, frame, ctx);
    const bound = this.bindArgs(def, signatureOf(def), e.args, frame, ctx, e);
    if (!bound) return POISON;
    const named: Record<string, Value> = {};
    const positional = signatureOf(def).positional;
    for (let i = 0; i < positional.length; i++) named[positional[i]!.name] = bound.values[i]!;
    switch (def.name) {
      case 'choose':
        return ev.choices.evalChoose(named, e, ctx);
      case 'repeat': {
        const layer = ev.asLayerOrUndefined(named['layer']!, frame, ctx, e);
        if (!layer) fail(e, `repeat needs a layer, found ${describeValue(named['layer']!)}`, 'type-mismatch');
        return ev.repeatLayer(layer, named['n'] as number, named['shared'] as boolean, e);
      }
      case 'sum': {
        const items = named['items'] as Value[];
        if (!items.every(isTensor) || items.length === 0) fail(e, 'sum needs a non-empty list of tensors', 'type-mismatch');
        return items.length === 1 ? items[0]! : this.applyPrimitive('add', {}, items, ctx, e);
      }
      case 'loose_ends': {
        if (!ctx.body) fail(e, 'loose_ends() is only meaningful inside a cell or block body', 'no-value');
        return ctx.body.created.filter((t) => ev.graph.consumersOf(t.node) === 0);
      }
    }
    if (!BUILTIN_FUNCTIONS.has(def.name)) fail(e, `function ${def.name} has no implementation`, 'unknown-op');
    try {
      return callBuiltinFunction(def.name, named, bound.rest);
    } catch (err) {
      if (err instanceof OpError) fail(e, `${def.name}: ${err.message}`, err.code);
      throw err;
    }
  }
}

/** The source text of each input of `site` when it is a call whose inputs are all written out (`x -> add(y)`: x, y). */
function operandTexts(site: AstNode, count: number): string[] | undefined {
  if (site.$type !== 'Call') return undefined;
  const call = site as ast.Call;
  const texts: string[] = [];
  const parent = call.$container;
  if (parent?.$type === 'BinaryExpr' && (parent as ast.BinaryExpr).operator === '->' && (parent as ast.BinaryExpr).right === call) {
    texts.push(shortText((parent as ast.BinaryExpr).left));
  }
  for (const a of call.args) if (!a.name) texts.push(shortText(a.value));
  return texts.length === count ? texts.map((t) => `\`${t}\``) : undefined;
}

function shortText(e: AstNode): string {
  const t = (e.$cstNode?.text ?? '?').replace(/\s+/g, ' ');
  return t.length > 24 ? `${t.slice(0, 23)}…` : t;
}

function checkType(p: ast.Param, v: Value, node: AstNode, def: ast.Definition): Value {
  if (isPoison(v) || !p.type || p.type === 'any') return v;
  switch (p.type) {
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v))
        fail(node, `${paramWhere(p, def)} must be an integer, found ${typeof v === 'number' ? v : describeValue(v)}`, 'type-mismatch');
      return v;
    case 'float':
      if (typeof v !== 'number') fail(node, `${paramWhere(p, def)} must be a number, found ${describeValue(v)}`, 'type-mismatch');
      return v;
    case 'bool':
      if (typeof v !== 'boolean') fail(node, `${paramWhere(p, def)} must be true or false, found ${describeValue(v)}`, 'type-mismatch');
      return v;
    case 'string':
      if (typeof v !== 'string') fail(node, `${paramWhere(p, def)} must be a string, found ${describeValue(v)}`, 'type-mismatch');
      return v;
    case 'list':
      if (!Array.isArray(v)) fail(node, `${paramWhere(p, def)} must be a list, found ${describeValue(v)}`, 'type-mismatch');
      return v;
    case 'tensor':
      if (!isTensor(v)) fail(node, `${paramWhere(p, def)} must be a tensor, found ${describeValue(v)}`, 'type-mismatch');
      return v;
    case 'layer':
      if (!isLayer(v) && !isDefinitionValue(v)) fail(node, `${paramWhere(p, def)} must be a layer, found ${describeValue(v)}`, 'type-mismatch');
      return v;
  }
  return v;
}

/** "`k` of conv", for messages (made only when one is: a string per typed argument was a tenth of binding). */
function paramWhere(p: ast.Param, def: ast.Definition): string {
  return `\`${p.name}\` of ${def.name}`;
}
