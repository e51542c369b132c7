/**
 * Instance memo. Applying a block or cell is a pure function of its definition (and what it
 * references), its argument values and its input shapes, unless it consults a choice or
 * reports an error. Real networks apply the same block the same way many times (ResNet-50's
 * 16 bottlenecks have 8 distinct configurations), so the first run of each configuration is
 * recorded and later ones replay its nodes with new ids, scopes and inputs, skipping the
 * interpretation. Records are kept per definition while its fingerprint is unchanged
 * (semantics/dependencies.ts), across elaborations: the networks of one file share them.
 * `test/core/instance-memo.test.ts` checks that a replay is indistinguishable from a run.
 */
import { AstUtils, type AstNode, type URI } from 'langium';
import type * as ast from '../../language/syntax/generated/ast.js';
import { isBuiltinUri } from '../../language/services/imports.js';
import { opCodeOf, type Graph } from '../graph.js';
import type { Attrs } from '../ops.js';
import type { Shape } from '../shape.js';
import { isTensor, type TensorValue, type Value } from '../values.js';
import type { EvalContext } from './context.js';
import { MAX_NODES, MAX_WORK, nodeLimit, workLimit } from './errors.js';
import { NO_OUTPUT, REF_STRIDE, decodeNode, findInstance, instanceSlot, keepInstance, type InstanceRecord, type InstanceSlot } from './instance-table.js';
import type { StatementTable } from './statement-table.js';

/** What the memo reads and updates of the elaboration it serves. */
export interface MemoHost {
  readonly graph: Graph;
  readonly statements: StatementTable;
  /** Evaluation steps so far (a replay adds those of its first run). */
  work: number;
  readonly networkInput: TensorValue | undefined;
  /** Errors seen (reported or not) and choices consulted so far: a run that saw either is not kept. */
  readonly errorCount: number;
  readonly choiceCount: number;
  /** Whether `t` is the last output of a repeat, whose earlier outputs join the sequence too. */
  isRepeatOutput(t: TensorValue): boolean;
}

interface LoggedStatement {
  readonly stmt: ast.Statement;
  readonly first: number;
  readonly end: number;
  /** -1 for none. */
  readonly outputNode: number;
}

/** The elaboration's counters when a recording started. */
export interface RecordingMark {
  readonly nodes: number;
  readonly log: number;
  readonly work: number;
  readonly errors: number;
  readonly choices: number;
  readonly deepest: number;
}

export class InstanceMemo {
  /** Instances replayed rather than interpreted. */
  replays = 0;
  /** Instances being recorded, and the statements run meanwhile (see noteStatement). */
  private recording = 0;
  private readonly statementLog: LoggedStatement[] = [];
  /** The deepest call stack reached since the innermost recording started. */
  private deepest = 0;

  constructor(
    private readonly host: MemoHost,
    private readonly enabled: boolean,
  ) {}

  /** Where applying a definition this way is kept, or undefined when it is not replayed (instance-table.ts). */
  slotOf(values: readonly Value[], inputs: readonly TensorValue[]): InstanceSlot | undefined {
    return this.enabled ? instanceSlot(values, inputs, this.host.networkInput) : undefined;
  }

  find(def: ast.Definition, slot: InstanceSlot, values: readonly Value[], inputs: readonly TensorValue[]): InstanceRecord | undefined {
    return findInstance(def, slot, values, inputs, this.host.networkInput);
  }

  /** A call stack of `depth` sites was reached. */
  noteDepth(depth: number): void {
    if (depth > this.deepest) this.deepest = depth;
  }

  /**
   * Records that `stmt` ran once, making nodes [first, end) and meeting `errors` errors; logged
   * for an instance being recorded (only instances without errors are kept, so a replay meets none).
   */
  noteStatement(stmt: ast.Statement, first: number, end: number, outputNode: number, errors: number): void {
    this.host.statements.note(stmt, first, end, outputNode, errors);
    if (this.recording > 0) this.statementLog.push({ stmt, first, end, outputNode });
  }

  /** Starts recording an instance applied at call depth `depth`; `stop` must follow, then `finish` if it ran to its end. */
  start(depth: number): RecordingMark {
    const h = this.host;
    const mark: RecordingMark = {
      nodes: h.graph.size,
      log: this.statementLog.length,
      work: h.work,
      errors: h.errorCount,
      choices: h.choiceCount,
      deepest: this.deepest,
    };
    this.deepest = depth;
    this.recording++;
    return mark;
  }

  /** The instance's body ended, normally or not. */
  stop(): void {
    this.recording--;
  }

  /**
   * Keeps what applying the instance did, for replaying it: only when it was pure, so that a
   * replay is indistinguishable from running it again (no choice consulted, no error seen,
   * no node reached from outside its inputs, a single tensor out).
   */
  finish(
    def: ast.Definition,
    slot: InstanceSlot,
    values: readonly Value[],
    mark: RecordingMark,
    inputs: readonly TensorValue[],
    out: Value,
    scope: string,
    outerDepth: number,
  ): void {
    try {
      const h = this.host;
      const depth = this.deepest - outerDepth;
      this.deepest = Math.max(this.deepest, mark.deepest);
      if (h.errorCount !== mark.errors || h.choiceCount !== mark.choices) return;
      if (!isTensor(out) || h.isRepeatOutput(out)) return;
      const first = mark.nodes;
      const g = h.graph;
      const end = g.size;
      const encode = (id: number): number | undefined => {
        if (id >= first) return id - first;
        for (let k = 0; k < inputs.length; k++) if (inputs[k]!.node === id) return -1 - k;
        return undefined;
      };
      // The record lives as long as `def`: it may hold AST nodes of def's own document and of the
      // standard library only (a user's block passed to a library block as a layer would make a
      // library record keep the user's document alive).
      const home = AstUtils.findRootNode(def);
      let lastRoot: AstNode | undefined;
      // Consecutive sources are mostly siblings: their container's answer is theirs.
      let lastContainer: AstNode | undefined;
      const outlives = (node: AstNode | undefined): boolean => {
        if (!node) return true;
        if (node.$container !== undefined && node.$container === lastContainer) return true;
        const root = AstUtils.findRootNode(node);
        if (root !== home && root !== lastRoot) {
          if (!isBuiltinDocument(root)) return false;
          lastRoot = root;
        }
        lastContainer = node.$container;
        return true;
      };
      const prefix = `${scope}/`;
      // Sized exactly (records are kept: an array grown by push keeps up to half again as much room).
      const statementCount = this.statementLog.length - mark.log;
      let inputCount = 0;
      for (let id = first; id < end; id++) inputCount += g.inputCount(id);
      const nums = new Array<number>(5 * (end - first) + inputCount + 3 * statementCount);
      const refs = new Array<unknown>(REF_STRIDE * (end - first) + statementCount);
      let at = 0;
      let o = 0;
      for (let id = first; id < end; id++, o += REF_STRIDE) {
        const below = g.scopeBelow(id, scope, prefix);
        if (below === undefined) return;
        const source = g.sourceOf(id);
        if (!outlives(source)) return;
        const op = g.opOf(id);
        const n = g.inputCount(id);
        nums[at] = opCodeOf(op);
        nums[at + 1] = g.costOf(id, 0);
        nums[at + 2] = g.costOf(id, 1);
        nums[at + 3] = g.costOf(id, 2);
        nums[at + 4] = n;
        for (let k = 0; k < n; k++) {
          const e = encode(g.inputAt(id, k));
          if (e === undefined) return;
          nums[at + 5 + k] = e;
        }
        at += 5 + n;
        refs[o] = g.attrsOf(id);
        refs[o + 1] = g.defaultsOf(op);
        refs[o + 2] = g.shapeOf(id);
        refs[o + 3] = source;
        refs[o + 4] = below;
      }
      const output = encode(out.node);
      if (output === undefined) return;
      for (let i = mark.log; i < this.statementLog.length; i++, at += 3, o++) {
        const s = this.statementLog[i]!;
        const encoded = s.outputNode >= 0 ? encode(s.outputNode) : NO_OUTPUT;
        if (encoded === undefined) return;
        if (!outlives(s.stmt)) return;
        nums[at] = s.first - first;
        nums[at + 1] = s.end - first;
        nums[at + 2] = encoded;
        refs[o] = s.stmt;
      }
      keepInstance(def, slot, values, inputs, h.networkInput, {
        count: end - first,
        nums,
        refs,
        statementCount,
        output,
        outputShape: out.shape,
        work: h.work - mark.work,
        depth,
      });
    } finally {
      // No recording reads the log any more: start it afresh.
      if (this.recording === 0) this.statementLog.length = 0;
    }
  }

  /** Applies a recorded instance: its nodes again, on these inputs, under this scope. */
  replay(r: InstanceRecord, inputs: readonly TensorValue[], ctx: EvalContext, scope: string, site: AstNode): TensorValue {
    const h = this.host;
    const g = h.graph;
    const base = g.size;
    this.replays++;
    const refs = r.refs;
    if (base + r.count > MAX_NODES) {
      // Where interpreting the instance would have stopped: at its node that crosses the limit.
      const at = (refs[REF_STRIDE * Math.max(0, MAX_NODES - base) + 3] as AstNode | undefined) ?? site;
      throw nodeLimit(at, [...ctx.callStack, site]);
    }
    h.work += r.work;
    if (h.work > MAX_WORK) throw workLimit((refs[3] as AstNode | undefined) ?? site, [...ctx.callStack, site]);
    const nums = r.nums;
    let at = 0;
    for (let i = 0, o = 0; i < r.count; i++, o += REF_STRIDE) {
      const code = nums[at]!;
      const n = nums[at + 4]!;
      for (let k = 0; k < n; k++) g.input(decodeNode(nums[at + 5 + k]!, base, inputs));
      g.add(
        code,
        refs[o] as Attrs,
        refs[o + 1] as Attrs,
        refs[o + 2] as Shape,
        nums[at + 1]!,
        nums[at + 2]!,
        nums[at + 3]!,
        scope,
        refs[o + 4] as string,
        refs[o + 3] as AstNode | undefined,
        ctx.choiceStack,
      );
      at += 5 + n;
    }
    for (let j = 0, o = REF_STRIDE * r.count; j < r.statementCount; j++, at += 3) {
      const output = nums[at + 2]!;
      this.noteStatement(refs[o + j] as ast.Statement, base + nums[at]!, base + nums[at + 1]!, output === NO_OUTPUT ? -1 : decodeNode(output, base, inputs), 0);
    }
    this.noteDepth(ctx.callStack.length + r.depth);
    return { kind: 'tensor', node: decodeNode(r.output, base, inputs), shape: r.outputShape };
  }
}

/** Whether `root` is the AST of a standard-library document (they live as long as the process). */
function isBuiltinDocument(root: AstNode): boolean {
  const uri = (root as { $document?: { uri: URI } }).$document?.uri;
  return uri !== undefined && isBuiltinUri(uri);
}
