/**
 * `choice(...)` and `choose(k, options)`: each key is decided once per elaboration by the
 * `Decider`, and the decisions are traced in order (space.ts reads the trace). A chosen layer
 * creates its nodes under its key wherever it is applied.
 */
import type { AstNode } from 'langium';
import type * as ast from '../../language/syntax/generated/ast.js';
import { isDefinitionValue, isLayer, isPoison, type Value } from '../values.js';
import { expectBool, fail } from './checks.js';
import { pathText, siteId } from './choice-keys.js';
import { binomialAtMost, unrankCombination } from './combinatorics.js';
import { MAX_CHOICE_OPTIONS } from './errors.js';
import { Frame, withContext, type EvalContext } from './context.js';
import type { Evaluator } from './interpreter.js';
import type { Decider, TraceEntry } from './types.js';

export class Choices {
  readonly trace: TraceEntry[] = [];
  /** Keys decided in one top-level statement and used again in a later one. */
  readonly crossStepKeys = new Set<string>();
  /** Choices consulted so far (an instance that consulted one is not kept for replay). */
  choiceCount = 0;
  private readonly decisions = new Map<string, number>();
  private readonly keySteps = new Map<string, number>();

  constructor(
    private readonly ev: Evaluator,
    private readonly decider: Decider,
  ) {}

  /** `choice(a, b, ...)`, `choice(list)` and their `shared = true` forms. */
  evalChoice(e: ast.Call, frame: Frame, ctx: EvalContext): Value {
    const ev = this.ev;
    let shared = false;
    const options: ast.Expr[] = [];
    for (const a of e.args) {
      if (a.name === 'shared') {
        const v = ev.evalExpr(a.value, frame, ctx);
        shared = expectBool(v, a.value, '`shared`');
      } else if (a.name) {
        fail(a, `choice has no attribute \`${a.name}\` (expected: shared)`, 'unknown-attribute', 'name');
      } else options.push(a.value);
    }
    if (options.length === 0) fail(e, 'empty choice: give at least one option', 'empty-choice');
    const key = siteKey(e, shared, ctx);
    if (options.length === 1) {
      // choice(list): a choice among the list's elements.
      const list = ev.evalExpr(options[0]!, frame, ctx);
      if (isPoison(list)) return list;
      if (!Array.isArray(list)) return list; // a single option is no choice
      if (list.length === 0) fail(e, 'empty choice: the list has no elements', 'empty-choice');
      const i = this.decideAt(key, list.length, e, ctx, list);
      return this.ownedBy(list[i]!, key);
    }
    const i = this.decideAt(key, options.length, e, ctx);
    const inner = withContext(ctx, ctx.path, ctx.scope, [...ctx.choiceStack, key], ctx.repeatIndex, ctx.body);
    return this.ownedBy(ev.evalExpr(options[i]!, frame, inner), key);
  }

  /** `choose(k, options)`: a k-subset of the options, one of C(n, k) at one key. */
  evalChoose(named: Record<string, Value>, e: ast.Call, ctx: EvalContext): Value {
    const k = named['k'] as number;
    const options = named['options'] as Value[];
    const n = options.length;
    if (!(k >= 1 && k <= n)) fail(e, `choose needs 1 <= k <= ${n} options, found k = ${k}`, 'attribute-range');
    const combos = binomialAtMost(n, k, MAX_CHOICE_OPTIONS);
    if (combos > MAX_CHOICE_OPTIONS) {
      fail(e, `choose(${k}, ...) of ${n} options has more than ${MAX_CHOICE_OPTIONS.toLocaleString('en-US')} subsets, the most a choice may have`, 'too-large');
    }
    const key = siteKey(e, named['shared'] as boolean, ctx);
    const idx = this.decideAt(key, combos, e, ctx, options);
    return unrankCombination(n, k, idx).map((i) => options[i]!);
  }

  private decideAt(key: string, n: number, site: AstNode, ctx: EvalContext, values?: readonly Value[]): number {
    if (n > MAX_CHOICE_OPTIONS) {
      fail(site, `a choice of ${n.toLocaleString('en-US')} options: a choice may have at most ${MAX_CHOICE_OPTIONS.toLocaleString('en-US')}`, 'too-large');
    }
    this.choiceCount++;
    const step = this.ev.stepCount;
    const previous = this.decisions.get(key);
    if (previous !== undefined) {
      if (this.keySteps.get(key) !== step) this.crossStepKeys.add(key);
      return previous;
    }
    this.keySteps.set(key, step);
    const taken = this.decider.decide(key, n, site, ctx.path, values);
    if (!(Number.isInteger(taken) && taken >= 0 && taken < n)) throw new Error(`decider returned ${taken} for ${key} with ${n} options`);
    this.decisions.set(key, taken);
    this.trace.push({ key, options: n, site, taken, nested: ctx.choiceStack.length > 0, step, callSite: ctx.callStack[0] });
    return taken;
  }

  /** A layer chosen at `key` creates its nodes under that key wherever it is applied. */
  private ownedBy(v: Value, key: string): Value {
    const ev = this.ev;
    if (isDefinitionValue(v) && v.definition.kind !== 'fn') {
      const def = v.definition;
      // Bare op/block reference: apply with defaults, lazily, under the key.
      return {
        kind: 'layer',
        arity: 1,
        label: def.name,
        sharesChoices: def.kind === 'cell',
        apply: (inputs, c) => {
          const layer = ev.calls.layerOfDefinition(def, [], new Frame(ev.globals), c, def);
          return layer.apply(inputs, withContext(c, c.path, c.scope, [...c.choiceStack, key], c.repeatIndex, c.body));
        },
      };
    }
    if (!isLayer(v)) return v;
    // Listed, not spread: a spread of a layer object copies its own fields too (OpLayer's,
    // DefinitionLayer's), on a slow path, per sampled choice.
    return {
      kind: 'layer',
      arity: v.arity,
      label: v.label,
      sharesChoices: v.sharesChoices,
      apply: (inputs, c) => v.apply(inputs, withContext(c, c.path, c.scope, [...c.choiceStack, key], c.repeatIndex, c.body)),
    };
  }
}

/** The key of the choice at `e`: its site id, and unless shared the instance path around it. */
function siteKey(e: ast.Call, shared: boolean, ctx: EvalContext): string {
  return shared ? siteId(e) : `${siteId(e)}${pathText(ctx.path)}`;
}
