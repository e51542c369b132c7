/**
 * The interpreter: runs a network's or space's body statement by statement and evaluates
 * expressions, with calls (calls.ts), choices (choices.ts), the operators on plain values
 * (operators.ts) and the instance memo (instance-memo.ts) as its parts. Errors become diagnostics and a poison value that
 * propagates silently, so one error does not hide the others and nothing throws out of `run`.
 */
import type { AstNode } from 'langium';
import type * as ast from '../../language/syntax/generated/ast.js';
import { Graph, noteGraphSize } from '../graph.js';
import { parseNumber } from '../numbers.js';
import type { Shape } from '../shape.js';
import { POISON, describeValue, isDefinitionValue, isLayer, isPoison, isTensor, type LayerValue, type TensorValue, type Value } from '../values.js';
import { Calls, EMPTY_ATTRS } from './calls.js';
import { expectBool, expectInt, expectNumber, fail } from './checks.js';
import { InstancePath } from './choice-keys.js';
import { Choices } from './choices.js';
import { Frame, join, lastK, outermostContext, padInputs, withContext, type BodyState, type EvalContext } from './context.js';
import { signatureOf } from './definition-state.js';
import { DiagnosticLog } from './diagnostics.js';
import { isConstantList, keepList, keptList } from './constant-lists.js';
import { ElaborationLimit, EvalError, MAX_WORK, workLimit } from './errors.js';
import { InstanceMemo, type MemoHost } from './instance-memo.js';
import { applyOperator, roundFloat } from './operators.js';
import { StatementTable } from './statement-table.js';
import type { Decider, ElaborationResult, TopLevelStep } from './types.js';
import type { ElaborationObserver } from '../elaboration-observer.js';

/** No cross-step keys (shared by the results that have none). */
const NO_KEYS: ReadonlySet<string> = new Set<string>();

export class Evaluator implements MemoHost {
  readonly graph = new Graph();
  readonly statements = new StatementTable(this.graph);
  readonly steps: TopLevelStep[] = [];
  /** Top-level statements run so far (steps are kept for spaces only). */
  stepCount = 0;
  /** The network or space being elaborated. */
  model: ast.Definition | undefined;
  /** Expressions evaluated so far, against MAX_WORK. */
  work = 0;
  /** Of `work`, the steps that built constant lists kept for later elaborations. */
  keptWork = 0;
  networkInput: TensorValue | undefined;
  readonly globals = new Frame();
  readonly reporter: DiagnosticLog;
  readonly calls: Calls;
  readonly choices: Choices;
  readonly memo: InstanceMemo;
  /** The outputs of a repeat before its last one, so that a statement `Cell * n` adds every
   * repeat to the sequence (the next two-input cell reads h(i-2), h(i-1) of the repeats). */
  private readonly repeatOutputs = new WeakMap<TensorValue, TensorValue[]>();
  /**
   * Sequences whose last statement failed: a layer applied to one would read the tensor before
   * the failed one and report shapes the user never wrote, so it stays quiet instead.
   */
  private readonly brokenSequences = new WeakSet<TensorValue[]>();
  private readonly letsInProgress = new Set<AstNode>();
  private inputShape: Shape | undefined;

  constructor(
    decider: Decider,
    private readonly root: AstNode,
    memo: boolean,
    readonly observer?: ElaborationObserver,
  ) {
    this.reporter = new DiagnosticLog(root);
    this.calls = new Calls(this);
    this.choices = new Choices(this, decider);
    this.memo = new InstanceMemo(this, memo);
  }

  get errorCount(): number {
    return this.reporter.errorCount;
  }

  get choiceCount(): number {
    return this.choices.choiceCount;
  }

  isRepeatOutput(t: TensorValue): boolean {
    return this.repeatOutputs.has(t);
  }

  /**
   * Elaborates `def`; with `fixed`, `def` is the space a fixed network (`network X = S(args)
   * with { ... }`) names, its parameters bound to the network's arguments.
   */
  run(def: ast.Definition, fixed?: ast.Fixed): ElaborationResult {
    this.model = def;
    // In a fixed network, what fails in a space of another file is reported on the network.
    const ctx = fixed ? { ...outermostContext(), callStack: [fixed] } : outermostContext();
    let output: TensorValue | undefined;
    try {
      const frame = new Frame(this.globals);
      if (fixed) {
        const sig = signatureOf(def);
        const bound = this.calls.bindArgs(def, sig, fixed.args, frame, ctx, fixed);
        if (!bound) return this.result(undefined);
        if (bound.rest.length > 0) fail(bound.restNodes[0]!, `${def.name} takes parameters, not tensors`, 'type-mismatch');
        for (let i = 0; i < sig.positional.length; i++) frame.set(sig.positional[i]!, bound.values[i]!);
      } else {
        for (const p of def.params) {
          if (!p.default) {
            this.reporter.report(p, `${def.kind} ${def.name} cannot be elaborated: parameter \`${p.name}\` has no default`, 'missing-default');
            return this.result(undefined);
          }
          frame.set(p, this.evalExpr(p.default, frame, ctx));
        }
      }
      const out = this.execDefinitionBody(def, frame, [], ctx);
      if (isTensor(out)) output = out;
      else if (!isPoison(out)) this.reporter.report(def, `${def.kind} ${def.name} produces ${describeValue(out)}, not a tensor`, 'not-a-tensor', 'name');
      if (output) this.reporter.reportDeadNodes(this.graph, output);
    } catch (e) {
      const r = this.reporter;
      if (e instanceof ElaborationLimit) r.report(e.node, e.message, e.code, undefined, 'error', e.callStack);
      else if (e instanceof EvalError) r.report(e.node, e.message, e.code, e.property);
      else if (e instanceof RangeError) r.report(def, `elaboration of ${def.name} is too deep or too large: ${e.message}`, 'too-large', 'name');
      else if (!hasSyntaxErrors(this.root)) {
        // Never let an elaboration bug take validation down: say so where the user looks.
        r.report(def, `internal error while elaborating ${def.name}: ${(e as Error).message} (please report this)`, 'internal-error', 'name');
      }
    }
    return this.result(output);
  }

  /** The result of an elaboration that could not start. */
  empty(): ElaborationResult {
    return this.result(undefined);
  }

  private result(output: TensorValue | undefined): ElaborationResult {
    noteGraphSize(this.graph.size);
    const crossStepKeys = this.choices.crossStepKeys;
    return {
      graph: this.graph,
      steps: this.steps,
      // A result is kept per network: no empty set for each.
      crossStepKeys: crossStepKeys.size > 0 ? crossStepKeys : NO_KEYS,
      statements: this.statements,
      output,
      input: this.inputShape,
      diagnostics: this.reporter.list,
      trace: this.choices.trace,
      replays: this.memo.replays,
      work: this.work,
      keptWork: this.keptWork,
    };
  }

  /**
   * The last k tensors of the sequence a multi-input layer reads: the network's input counts
   * only while nothing else has been computed, so the first two-input cell after a
   * one-statement stem gets (stem, stem) as in NASNet and DARTS, not (image, stem). The
   * history is not copied: a network's grows by a tensor a statement, and a copy per
   * statement made its walk quadratic.
   */
  private lastInputs(history: TensorValue[], k: number): readonly TensorValue[] {
    const skip = history.length > 1 && history[0] === this.networkInput ? 1 : 0;
    const n = history.length;
    if (n - skip >= k) return k === 1 ? [history[n - 1]!] : history.slice(n - k);
    return lastK(skip === 1 ? history.slice(1) : history, k);
  }

  // ---------------------------------------------------------------- bodies

  execDefinitionBody(
    def: ast.Definition,
    frame: Frame,
    inputs: readonly TensorValue[],
    ctx: EvalContext,
    inputDecl: ast.InputStmt | undefined = signatureOf(def).inputDecl,
  ): Value {
    const history: TensorValue[] = [];
    if (inputDecl) {
      const names = inputDecl.names;
      for (let i = 0; i < names.length; i++) {
        const t = inputs[Math.min(i, inputs.length - 1)];
        if (t) {
          frame.set(names[i]!, t);
          history.push(t);
        }
      }
    } else {
      for (let i = 0; i < inputs.length; i++) history.push(inputs[i]!);
    }
    const body: BodyState = { created: [], inputs: [...history] };
    const inner = withContext(ctx, ctx.path, ctx.scope, ctx.choiceStack, ctx.repeatIndex, body);
    let output: Value | undefined;
    for (const stmt of def.body) {
      const out = this.execStatement(stmt, frame, history, inner);
      if (out !== undefined) output = out;
    }
    if (output !== undefined) return output;
    if (def.kind === 'cell') return this.concatLooseEnds(def, body, inner);
    const last = history[history.length - 1];
    if (!last) fail(def, `${def.kind} ${def.name} has no layers and no input`, 'empty-body', 'name');
    return last;
  }

  private concatLooseEnds(site: AstNode, body: BodyState, ctx: EvalContext): Value {
    const loose = body.created.filter((t) => this.graph.consumersOf(t.node) === 0);
    if (loose.length === 0) fail(site, 'the cell has no loose ends to concatenate', 'empty-body');
    if (loose.length === 1) return loose[0]!;
    return this.calls.applyPrimitive('concat', {}, loose, ctx, site);
  }

  /** Returns a value when the statement is an `output`. */
  private execStatement(stmt: ast.Statement, frame: Frame, history: TensorValue[], ctx: EvalContext): Value | undefined {
    const first = this.graph.size;
    const traceFirst = this.choices.trace.length;
    const errorsBefore = this.reporter.errorCount;
    const out = this.execStatementInner(stmt, frame, history, ctx);
    // Statements of the network itself (those of its top-level for loops included) are the
    // steps of the sequential DP in space.ts.
    if (ctx.callStack.length === 0 && stmt.$type !== 'ForStmt') {
      this.stepCount++;
      if (this.model?.kind === 'space')
        this.steps.push({ nodeFirst: first, nodeEnd: this.graph.size, traceFirst, traceEnd: this.choices.trace.length, history: history.slice(-2) });
    }
    if (stmt.$type !== 'ForStmt' && stmt.$type !== 'Let') {
      const produced = stmt.$type === 'Node' ? frame.get(stmt) : stmt.$type === 'InputStmt' ? history[history.length - 1] : out;
      this.memo.noteStatement(stmt, first, this.graph.size, produced && isTensor(produced) ? produced.node : -1, this.reporter.errorCount - errorsBefore);
    }
    if (this.observer && stmt.$type !== 'ForStmt') {
      const produced = stmt.$type === 'Node' || stmt.$type === 'Let' ? frame.get(stmt) : stmt.$type === 'InputStmt' ? history[history.length - 1] : out;
      this.observer.statement(stmt, first, this.graph.size, produced && isTensor(produced) ? produced.node : -1);
    }
    return out;
  }

  private execStatementInner(stmt: ast.Statement, frame: Frame, history: TensorValue[], ctx: EvalContext): Value | undefined {
    try {
      switch (stmt.$type) {
        case 'Let':
          frame.set(stmt, this.evalExpr(stmt.value, frame, ctx));
          return undefined;
        case 'InputStmt': {
          if (stmt.dims.length === 0) return undefined;
          if (history.length > 0) return undefined; // applied as a layer: the caller's tensor is the input
          const dims = stmt.dims.map((d) => expectInt(this.evalExpr(d, frame, ctx), d, 'an input dimension'));
          if (dims.some((d) => d < 1) || dims.length > 3) {
            fail(stmt, `input(...) takes C, H[, W] with positive sizes, found (${dims.join(', ')})`, 'attribute-range');
          }
          const shape: Shape = { c: dims[0]!, h: dims[1] ?? 1, w: dims[2] ?? dims[1] ?? 1 };
          this.inputShape ??= shape;
          const node = this.graph.add('input', {}, EMPTY_ATTRS, shape, 0, 0, 0, '', 'input', stmt, ctx.choiceStack);
          const t: TensorValue = { kind: 'tensor', node, shape };
          this.networkInput ??= t;
          history.push(t);
          return undefined;
        }
        case 'OutputStmt': {
          let v = this.evalExpr(stmt.value, frame, ctx);
          if (isDefinitionValue(v)) v = this.calls.layerOfDefinition(v.definition, [], frame, ctx, stmt.value);
          if (isLayer(v)) {
            if (this.brokenSequences.has(history)) throw new EvalError('', stmt.value, 'poison');
            v = v.apply(lastK(history, v.arity), ctx);
          }
          if (!isTensor(v) && !isPoison(v)) fail(stmt.value, `output must be a tensor, found ${describeValue(v)}`, 'not-a-tensor');
          if (isPoison(v)) this.reporter.report(stmt, '', 'poison');
          return v;
        }
        case 'ForStmt': {
          const it = this.evalExpr(stmt.iterable, frame, ctx);
          if (isPoison(it)) return undefined;
          if (!Array.isArray(it)) fail(stmt.iterable, `for needs a list, found ${describeValue(it)}`, 'type-mismatch');
          // Each iteration is an instance, as each repeat of `Layer * n` is: choices in the
          // body are decided per iteration (a layer-wise space written as a loop over stages).
          for (const [i, item] of it.entries()) {
            const f = new Frame(frame);
            f.set(stmt.variable, item);
            const iteration = withContext(ctx, new InstancePath(ctx.path, stmt, `#${i}`), ctx.scope, ctx.choiceStack, ctx.repeatIndex, ctx.body);
            for (const s of stmt.body) {
              const out = this.execStatement(s, f, history, iteration);
              if (out !== undefined) return out;
            }
          }
          return undefined;
        }
        case 'Node': {
          const scoped = stmt.name ? withContext(ctx, ctx.path, join(ctx.scope, stmt.name), ctx.choiceStack, ctx.repeatIndex, ctx.body) : ctx;
          let v = this.evalExpr(stmt.value, frame, scoped);
          if (isDefinitionValue(v)) v = this.calls.layerOfDefinition(v.definition, [], frame, scoped, stmt.value);
          if (isLayer(v)) {
            if (history.length === 0) fail(stmt.value, `${v.label} has no input: add an input(...) statement before it`, 'no-input');
            if (this.brokenSequences.has(history)) throw new EvalError('', stmt.value, 'poison');
            v = v.apply(this.lastInputs(history, v.arity), scoped);
          }
          if (isTensor(v)) {
            const repeats = this.repeatOutputs.get(v);
            if (repeats !== undefined) for (let k = 0; k < repeats.length; k++) history.push(repeats[k]!);
            history.push(v);
            this.brokenSequences.delete(history);
            ctx.body?.created.push(v);
          } else if (isPoison(v)) {
            // Keep later statements quiet: they see the poison through this name, or through
            // the sequence. Counted as an error: the statement's layers are missing from the graph.
            this.reporter.report(stmt, '', 'poison');
            this.brokenSequences.add(history);
          }
          frame.set(stmt, v);
          return undefined;
        }
      }
    } catch (e) {
      if (!(e instanceof EvalError) || e instanceof ElaborationLimit) throw e;
      this.reporter.report(e.node, e.message, e.code, e.property, 'error', ctx.callStack);
      if (stmt.$type === 'Node') {
        frame.set(stmt, POISON);
        this.brokenSequences.add(history);
      }
      if (stmt.$type === 'OutputStmt') return POISON;
      return undefined;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- expressions

  evalExpr(e: ast.Expr, frame: Frame, ctx: EvalContext): Value {
    // A partial AST (after a syntax error) can miss an expression: nothing more to report.
    if (!e) throw new EvalError('', this.root, 'poison');
    if (++this.work > MAX_WORK) throw workLimit(e, ctx.callStack);
    // The most frequent kinds first (a switch on strings tests its cases in order).
    switch (e.$type) {
      case 'NumberLit':
        return parseNumber(e.value);
      case 'Ref':
        return this.evalRef(e, frame, ctx);
      case 'BinaryExpr':
        return this.evalBinary(e, frame, ctx);
      case 'Call':
        return this.calls.evalCall(e, frame, ctx);
      case 'StringLit':
        return e.value; // the value converter already removed the quotes
      case 'BoolLit':
        return e.value === 'true';
      case 'ListLit':
        return this.evalList(e, frame, ctx);
      case 'Paren':
        return this.evalExpr(e.inner, frame, ctx);
      case 'Unary': {
        const v = this.evalExpr(e.operand, frame, ctx);
        if (isPoison(v)) return v;
        if (e.op === '-') return -expectNumber(v, e.operand, "the operand of '-'");
        return !expectBool(v, e.operand, "the operand of 'not'");
      }
      case 'IfExpr': {
        const c = this.evalExpr(e.condition, frame, ctx);
        if (isPoison(c)) return c;
        return expectBool(c, e.condition, 'an if condition') ? this.evalExpr(e.then, frame, ctx) : this.evalExpr(e.else, frame, ctx);
      }
      case 'Member':
        return this.evalMember(e, frame, ctx);
      case 'Index': {
        const r = this.evalExpr(e.receiver, frame, ctx);
        const i = this.evalExpr(e.index, frame, ctx);
        if (isPoison(r) || isPoison(i)) return POISON;
        if (!Array.isArray(r)) fail(e.receiver, `only lists can be indexed, found ${describeValue(r)}`, 'type-mismatch');
        const k = expectInt(i, e.index, 'an index');
        const j = k < 0 ? r.length + k : k;
        if (j < 0 || j >= r.length) fail(e.index, `index ${k} is out of range for a list of ${r.length}`, 'index-range');
        return r[j]!;
      }
    }
  }

  private evalRef(e: ast.Ref, frame: Frame, ctx: EvalContext): Value {
    const target = e.target.ref;
    if (!target) {
      // The linker reported it; counted so that figures over this statement say they are incomplete.
      this.reporter.report(e, '', 'poison');
      return POISON;
    }
    switch (target.$type) {
      case 'Definition':
        return { kind: 'definition', definition: target };
      case 'Let':
        if (target.$container.$type === 'Document') return this.evalGlobalLet(target, ctx);
        break;
    }
    const v = frame.get(target);
    if (v !== undefined) return v;
    if (target.$type === 'Node' || target.$type === 'Let') {
      fail(
        e,
        `\`${e.target.$refText}\` is used before it is defined (a body is a DAG in the order written: a node can only use nodes defined above it, so a reference to a later node would form a cycle)`,
        'use-before-definition',
      );
    }
    if (target.$type === 'InputName') {
      fail(e, `input \`${e.target.$refText}\` has no tensor here`, 'no-input');
    }
    fail(e, `\`${e.target.$refText}\` has no value here`, 'no-value');
  }

  private evalGlobalLet(l: ast.Let, ctx: EvalContext): Value {
    const cached = this.globals.get(l);
    if (cached !== undefined) return cached;
    if (this.letsInProgress.has(l)) fail(l, `let ${l.name} refers to itself`, 'cycle', 'name');
    this.letsInProgress.add(l);
    try {
      const v = this.evalExpr(l.value, this.globals, withContext(ctx, ctx.path, ctx.scope, ctx.choiceStack, ctx.repeatIndex, undefined));
      this.globals.set(l, v);
      return v;
    } finally {
      this.letsInProgress.delete(l);
    }
  }

  private evalMember(e: ast.Member, frame: Frame, ctx: EvalContext): Value {
    const r = this.evalExpr(e.receiver, frame, ctx);
    if (isPoison(r)) return r;
    if (isTensor(r)) {
      switch (e.member) {
        case 'c':
        case 'channels':
          return r.shape.c;
        case 'h':
        case 'height':
          return r.shape.h;
        case 'w':
        case 'width':
          return r.shape.w;
      }
      fail(e, `a tensor has members c (channels), h (height), w (width); found \`${e.member}\``, 'unknown-member', 'member');
    }
    if (Array.isArray(r) && (e.member === 'length' || e.member === 'len')) return r.length;
    fail(e, `${describeValue(r)} has no member \`${e.member}\``, 'unknown-member', 'member');
  }

  /** `[a, b, ...]`; one of literals only is built once (constant-lists.ts). */
  private evalList(e: ast.ListLit, frame: Frame, ctx: EvalContext): Value {
    const hit = keptList(e);
    if (hit) return hit;
    const before = this.work;
    const list = e.items.map((i) => this.evalExpr(i, frame, ctx));
    if (isConstantList(e) && keepList(e, list)) this.keptWork += this.work - before;
    return list;
  }

  /** `a..b` and `a..b step s`: inclusive lists, built once for the same bounds (constant-lists.ts). */
  private evalRange(e: ast.BinaryExpr, frame: Frame, ctx: EvalContext): Value {
    const range = e.operator === 'step' ? e.left : e;
    if (range.$type !== 'BinaryExpr' || range.operator !== '..') fail(e, '`step` needs a range on its left: `16..64 step 8`', 'syntax');
    const from = expectNumber(this.evalExpr(range.left, frame, ctx), range.left, 'a range start');
    const to = expectNumber(this.evalExpr(range.right, frame, ctx), range.right, 'a range end');
    const step = e.operator === 'step' ? expectNumber(this.evalExpr(e.right, frame, ctx), e.right, 'a range step') : 1;
    if (!(step > 0)) fail(e.operator === 'step' ? e.right : e, `a range step must be positive, found ${step}`, 'attribute-range');
    const hit = keptList(e, [from, to, step]);
    if (hit) return hit;
    const n = Math.floor((to - from) / step + 1e-9) + 1;
    if (n > 1_000_000) fail(e, `the range ${from}..${to} step ${step} has ${n} elements (at most 1,000,000)`, 'too-large');
    // Each element is a step of work: a large range evaluated in a loop must meet the limit.
    if (n > 0 && this.work + n > MAX_WORK) throw workLimit(e, ctx.callStack);
    if (n > 0) this.work += n;
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(roundFloat(from + i * step));
    if (keepList(e, out, [from, to, step])) this.keptWork += Math.max(0, n);
    return out;
  }

  private evalBinary(e: ast.BinaryExpr, frame: Frame, ctx: EvalContext): Value {
    if (e.operator === '..' || e.operator === 'step') return this.evalRange(e, frame, ctx);
    if (e.operator === 'and' || e.operator === 'or') {
      const l = this.evalExpr(e.left, frame, ctx);
      if (isPoison(l)) return l;
      const lb = expectBool(l, e.left, `the left side of '${e.operator}'`);
      if (e.operator === 'and' ? !lb : lb) return lb;
      const r = this.evalExpr(e.right, frame, ctx);
      if (isPoison(r)) return r;
      return expectBool(r, e.right, `the right side of '${e.operator}'`);
    }
    const l = this.evalExpr(e.left, frame, ctx);
    const r = this.evalExpr(e.right, frame, ctx);
    if (isPoison(l) || isPoison(r)) return POISON;
    switch (e.operator) {
      case '->':
        return this.pipe(l, r, e, frame, ctx);
      case '+':
        if (isTensor(l) && isTensor(r)) return this.calls.applyPrimitive('add', {}, [l, r], ctx, e);
        break;
      case '*': {
        const layerSide = this.asLayerOrUndefined(l, frame, ctx, e.left) ?? this.asLayerOrUndefined(r, frame, ctx, e.right);
        if (layerSide) {
          const countNode = isLayer(l) || isDefinitionValue(l) ? e.right : e.left;
          const count = isLayer(l) || isDefinitionValue(l) ? r : l;
          return this.repeatLayer(layerSide, expectInt(count, countNode, 'a repeat count'), false, countNode);
        }
        break;
      }
    }
    return applyOperator(e, l, r);
  }

  asLayerOrUndefined(v: Value, frame: Frame, ctx: EvalContext, node: AstNode): LayerValue | undefined {
    if (isLayer(v)) return v;
    if (isDefinitionValue(v) && v.definition.kind !== 'fn') return this.calls.layerOfDefinition(v.definition, [], frame, ctx, node);
    return undefined;
  }

  /** `a -> b`: a tensor or list of tensors through a layer, or the composition of two layers. */
  private pipe(l: Value, r: Value, e: ast.BinaryExpr, frame: Frame, ctx: EvalContext): Value {
    const right = this.asLayerOrUndefined(r, frame, ctx, e.right);
    if (!right) fail(e.right, `the right side of '->' must be a layer, found ${describeValue(r)}`, 'type-mismatch');
    if (isTensor(l)) return right.apply(padInputs([l], right.arity), ctx);
    if (Array.isArray(l) && l.every(isTensor)) return right.apply(padInputs(l, right.arity), ctx);
    const left = this.asLayerOrUndefined(l, frame, ctx, e.left);
    if (!left) fail(e.left, `the left side of '->' must be a tensor or a layer, found ${describeValue(l)}`, 'type-mismatch');
    return {
      kind: 'layer',
      arity: left.arity,
      label: `${left.label} -> ${right.label}`,
      sharesChoices: false,
      apply: (inputs, c) => {
        const mid = left.apply(inputs, c);
        if (isPoison(mid)) return mid;
        if (!isTensor(mid)) fail(e.left, `${left.label} did not produce a tensor`, 'not-a-tensor');
        return right.apply(padInputs([mid], right.arity), c);
      },
    };
  }

  /** `layer * n` and `repeat(layer, n, shared)`: each repeat is an instance unless shared. */
  repeatLayer(layer: LayerValue, n: number, shared: boolean, site: AstNode): LayerValue {
    if (n < 0) fail(site, `a repeat count must be >= 0, found ${n}`, 'attribute-range');
    return {
      kind: 'layer',
      arity: layer.arity,
      label: `${layer.label} * ${n}`,
      sharesChoices: layer.sharesChoices,
      apply: (inputs, ctx) => {
        if (n === 0) return inputs[inputs.length - 1]!;
        const hist = [...inputs];
        let out: Value = POISON;
        this.observer?.enterRepeat(site, n, this.graph.size);
        try {
          for (let i = 0; i < n; i++) {
            out = layer.apply(lastK(hist, layer.arity), shared ? ctx : withContext(ctx, ctx.path, ctx.scope, ctx.choiceStack, i, ctx.body));
            if (!isTensor(out)) return out;
            hist.push(out);
          }
        } finally {
          this.observer?.leaveRepeat(this.graph.size);
        }
        if (n > 1 && isTensor(out)) this.repeatOutputs.set(out, hist.slice(inputs.length, -1));
        return out;
      },
    };
  }
}

function hasSyntaxErrors(root: AstNode): boolean {
  const doc = (root as { $document?: { parseResult: { parserErrors: unknown[]; lexerErrors: unknown[] } } }).$document;
  return !!doc && (doc.parseResult.parserErrors.length > 0 || doc.parseResult.lexerErrors.length > 0);
}
