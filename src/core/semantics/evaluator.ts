/**
 * Elaboration: evaluates a `network` or `space` definition, with every choice decided by a
 * `Decider`, into a `Graph` of primitive ops with shapes and costs. Errors become
 * diagnostics and a poison value that propagates silently, so one error does not hide the
 * others and never throws out of here.
 *
 * Choice identity (docs/dsl.md, "Choices"): a choice is decided once per key; the key is its
 * site plus the instance path of enclosing block calls (and repeat indices). Cells add
 * nothing to the path: a cell's choices form one genotype shared by all its instances, as in
 * NASNet (Zoph et al. 2018), DARTS (Liu et al. 2019) and NAS-Bench-201 (Dong & Yang 2020);
 * blocks add their call site, so a layer-wise space (SPOS, Guo et al. 2020; MnasNet, Tan et
 * al. 2019) decides each position independently.
 */
import { AstUtils, type AstNode, type URI } from 'langium';
import type * as ast from '../language/generated/ast.js';
import { OP_RULES, OpError, type Attrs, type AttrValue, type OpRule } from './ops.js';
import { Graph, noteGraphSize, opCodeOf } from './graph.js';
import { formatShape, internShape, type Shape } from './shape.js';
import { POISON, describeValue, isDefinitionValue, isLayer, isPoison, isTensor, type LayerValue, type TensorValue, type Value } from './values.js';
import { callBuiltinFunction, BUILTIN_FUNCTIONS } from './builtins.js';
import { parseNumber } from './numbers.js';
import { suggestName } from './suggest.js';
import { fingerprintOf } from './dependencies.js';
import { isBuiltinUri } from '../language/imports.js';
import { NodeSlot } from '../util/node-slot.js';
import type { ElaborationObserver } from './elaboration-observer.js';

export interface Decider {
  /** Index in [0, options) of the option taken at this key. */
  decide(key: string, options: number, site: AstNode): number;
}

export const FIRST_OPTION: Decider = { decide: () => 0 };

export interface SemanticDiagnostic {
  readonly node: AstNode;
  readonly property?: string;
  readonly message: string;
  readonly code: string;
  readonly severity: 'error' | 'warning';
}

export interface TraceEntry {
  readonly key: string;
  readonly options: number;
  readonly site: AstNode;
  readonly taken: number;
  /** True when decided while another choice's option was being evaluated. */
  readonly nested: boolean;
  /** Index of the network statement (see TopLevelStep) during which it was decided. */
  readonly step: number;
}

export interface EvalContext {
  /** Instance path for choice keys. */
  readonly path: InstancePath | undefined;
  /** Readable scope for graph node names. */
  readonly scope: string;
  /** Call sites from the outermost inwards, for mapping positions and recursion limits. */
  readonly callStack: readonly AstNode[];
  /** Keys of the choices whose selected option is being evaluated or applied. */
  readonly choiceStack: readonly string[];
  readonly repeatIndex?: number;
  /** Tensors created by the statements of the innermost body (for `loose_ends()`). */
  readonly body?: BodyState;
}

interface BodyState {
  readonly created: TensorValue[];
  readonly inputs: readonly TensorValue[];
}

export class EvalError extends Error {
  constructor(
    message: string,
    readonly node: AstNode,
    readonly code: string,
    readonly property?: string,
  ) {
    super(message);
  }
}

/**
 * A global limit (work, graph size) was reached: the whole elaboration stops. Other errors are
 * caught per statement so that one does not hide the next; this one must not be, or a repeat
 * of 21e9 layers would hit the limit again on every repeat (the fuzz test found that hang).
 */
class ElaborationLimit extends EvalError {
  constructor(
    message: string,
    node: AstNode,
    /** Where it happened, for reporting it at a call site in the checked document. */
    readonly callStack: readonly AstNode[],
  ) {
    super(message, node, 'too-large');
  }
}

class Frame {
  private readonly vars = new Map<AstNode, Value>();
  constructor(readonly parent?: Frame) {}
  get(node: AstNode): Value | undefined {
    const v = this.vars.get(node);
    if (v !== undefined) return v;
    return this.parent?.get(node);
  }
  set(node: AstNode, v: Value): void {
    this.vars.set(node, v);
  }
}

/**
 * What calls need to know of a definition's parameters and body, computed once per definition
 * object (every call used to search and filter the parameter list, and every call of an op
 * re-evaluated its literal defaults).
 */
interface Signature {
  readonly positional: readonly ast.Param[];
  readonly variadic: ast.Param | undefined;
  /** Defaults that are literals, evaluated once (a default may refer to earlier parameters),
   * indexed like `positional` (arrays, not maps: a definition has a few parameters, and two
   * maps per definition were 400 hash tables a 5,000-line file kept alive). */
  readonly literalDefaults: ReadonlyArray<Value | undefined>;
  /** The `input a, b` statement of a block or cell body, if any. */
  readonly inputDecl: ast.InputStmt | undefined;
}

/**
 * What the evaluator keeps per definition object (signature, instance records, interned
 * attributes), in one slot of the AST node (util/node-slot.ts): read on every call, where a
 * lookup in a WeakMap per call (two for an op, three for a block) cost more than the property
 * read. The slot lives and dies with the node.
 */
const evaluatorState = new NodeSlot<ast.Definition, DefinitionState>('evaluator state');

interface DefinitionState {
  sig: Signature | undefined;
  instances: InstanceTable | undefined;
  attrs: AttrTable | undefined;
}

function stateOf(def: ast.Definition): DefinitionState {
  let state = evaluatorState.get(def);
  if (state === undefined) {
    state = { sig: undefined, instances: undefined, attrs: undefined };
    evaluatorState.set(def, state);
  }
  return state;
}

function signatureOf(def: ast.Definition): Signature {
  const state = stateOf(def);
  let sig = state.sig;
  if (!sig) {
    const positional: ast.Param[] = [];
    const literalDefaults: Array<Value | undefined> = [];
    let variadic: ast.Param | undefined;
    for (const p of def.params) {
      if (p.variadic) {
        variadic ??= p;
        continue;
      }
      positional.push(p);
      const d = p.default;
      let literal: Value | undefined;
      if (d?.$type === 'NumberLit') literal = parseNumber(d.value);
      else if (d?.$type === 'BoolLit') literal = d.value === 'true';
      else if (d?.$type === 'StringLit') literal = d.value;
      else if (d?.$type === 'Unary' && d.op === '-' && d.operand?.$type === 'NumberLit') literal = -parseNumber(d.operand.value);
      literalDefaults.push(literal);
    }
    const inputDecl = def.body.find((x): x is ast.InputStmt => x.$type === 'InputStmt' && x.names.length > 0);
    sig = { positional, variadic, literalDefaults, inputDecl };
    state.sig = sig;
  }
  return sig;
}

/**
 * An op declaration's defaults, one object per declaration for every elaboration: graphs keep
 * them per op, and replayed nodes bring those of the elaboration that recorded them, which
 * each graph compared key by key when they were other objects.
 */
const declaredDefaults = new WeakMap<ast.Definition, Attrs>();

const MAX_CALL_DEPTH = 64;
/** A bound on work, so that any input elaborates in bounded time (about a second). */
const MAX_WORK = 3_000_000;
const EMPTY_ATTRS: Attrs = {};
/** A bound on the graph, for the same reason (elaboration makes about 250,000 nodes a second;
 * the largest reference network, ResNet-50, has a few hundred). */
const MAX_NODES = 100_000;

/**
 * Instance memo. Applying a block or cell is a pure function of its definition (and what it
 * references), its argument values and its input shapes, unless it consults a choice or
 * reports an error. Real networks apply the same block the same way many times (ResNet-50's
 * 16 bottlenecks have 8 distinct configurations; a 5,000-line file of 100 networks over 100
 * blocks has 1,700 instances and 500 distinct ones), so the first run of each configuration
 * is recorded and later ones replay its nodes with new ids, scopes and inputs, skipping the
 * interpretation. Records are kept per definition while its fingerprint is unchanged
 * (semantics/dependencies.ts), across elaborations: the networks of one file share them.
 */
interface InstanceRecord {
  /**
   * The nodes of the first run, in order, and the statements it ran, in two arrays: numbers
   * and objects (ten arrays and an object per statement were most of the objects the records
   * of a 5,000-line file kept alive, each copied by the collector). Copied, not the graph's
   * node objects: those reach their graph, and through it the whole network and its
   * document, which a record of a standard-library block would keep alive after the document
   * is closed.
   *
   * `nums`, per node: op code (graph.ts), params, MACs, activations, input count, then its
   * inputs (k >= 0 is the instance's k-th node, k < 0 the instance input -1-k); then per
   * statement: first node, end node, output (encoded as inputs; NO_OUTPUT for none).
   * `refs`, per node (REF_STRIDE): attributes, the op's defaults, shape, source, scope below
   * the instance's; then per statement: the statement.
   */
  readonly count: number;
  readonly nums: readonly number[];
  readonly refs: readonly unknown[];
  readonly statementCount: number;
  readonly output: number;
  readonly outputShape: Shape;
  /** Evaluation steps of the first run (replays count them against MAX_WORK too). */
  readonly work: number;
  /** Call depth below the call site. */
  readonly depth: number;
}

/** Entries per node in InstanceRecord.refs. */
const REF_STRIDE = 5;
/** InstanceRecord.nums' output of a statement that produced no tensor. */
const NO_OUTPUT = 2 ** 31;

interface LoggedStatement {
  readonly stmt: ast.Statement;
  readonly first: number;
  readonly end: number;
  /** -1 for none. */
  readonly outputNode: number;
}

interface RecordingMark {
  readonly nodes: number;
  readonly log: number;
  readonly work: number;
  readonly errors: number;
  readonly choices: number;
  readonly deepest: number;
}

/** A bound on the configurations kept per definition (a search samples many). */
const MAX_INSTANCES_PER_DEFINITION = 256;

/**
 * The instances recorded for one definition. Most are found by a number: a hash of their
 * argument values (numbers, booleans, strings) and input signature, checked against the kept
 * values and signature; a key string per call (every value and shape printed and joined) was
 * the largest cost of finding one. Arguments a hash does not cover (lists, layers) use the
 * key string of `instanceKey`.
 */
interface InstanceTable {
  readonly fingerprint: string;
  readonly byHash: Map<number, HashedInstance>;
  /** Made on the first instance with a key string (most definitions have none). */
  byKey: Map<string, InstanceRecord> | undefined;
  size: number;
}

interface HashedInstance {
  readonly values: readonly Value[];
  /** Per input (see inputSignature): c, h, w, the index of its first occurrence among the
   * inputs, 1 if it is the network's input. */
  readonly inputs: readonly number[];
  readonly record: InstanceRecord;
  readonly next: HashedInstance | undefined;
}

/** Where an instance is kept in its table: a hash (byHash) or a key string (byKey). */
type InstanceSlot = number | string;

function instanceTableOf(def: ast.Definition): InstanceTable {
  const fingerprint = fingerprintOf(def);
  const state = stateOf(def);
  let table = state.instances;
  if (!table || table.fingerprint !== fingerprint) {
    table = { fingerprint, byHash: new Map(), byKey: undefined, size: 0 };
    state.instances = table;
  }
  return table;
}

/** Which of `inputs` is the first with the same tensor as input k (an instance reads its inputs by position). */
function aliasOf(inputs: readonly TensorValue[], k: number): number {
  const node = inputs[k]!.node;
  let alias = 0;
  while (inputs[alias]!.node !== node) alias++;
  return alias;
}

/** Per input: c, h, w, which input it first appears as, and whether it is the network's input. */
function inputSignature(inputs: readonly TensorValue[], networkInput: TensorValue | undefined): number[] {
  const out: number[] = [];
  for (let k = 0; k < inputs.length; k++) {
    const t = inputs[k]!;
    const alias = aliasOf(inputs, k);
    out.push(t.shape.c, t.shape.h, t.shape.w, alias, t === networkInput ? 1 : 0);
  }
  return out;
}

function sameSignature(kept: readonly number[], inputs: readonly TensorValue[], networkInput: TensorValue | undefined): boolean {
  if (kept.length !== 5 * inputs.length) return false;
  for (let k = 0, at = 0; k < inputs.length; k++, at += 5) {
    const t = inputs[k]!;
    const alias = aliasOf(inputs, k);
    if (
      kept[at] !== t.shape.c ||
      kept[at + 1] !== t.shape.h ||
      kept[at + 2] !== t.shape.w ||
      kept[at + 3] !== alias ||
      kept[at + 4] !== (t === networkInput ? 1 : 0)
    )
      return false;
  }
  return true;
}

/**
 * One attribute object per op and attribute values, shared by every node that has them (they
 * are never changed): a network applies a few distinct convolutions thousands of times, and an
 * object per application was kept alive by its node. Frozen, so that a change would throw.
 */
interface AttrTable {
  /** Attribute lists of numbers, booleans and strings, by a hash of their values (no key string
   * to build and hash: that was most of the time of interning). */
  readonly byHash: Map<number, AttrEntry>;
  /** Lists with list values, by their key text. */
  readonly byKey: Map<string, Attrs>;
  size: number;
}
interface AttrEntry {
  readonly values: readonly Value[];
  readonly attrs: Attrs;
  readonly next: AttrEntry | undefined;
}
const MAX_ATTRS_PER_OP = 4096;

function internAttrs(def: ast.Definition, values: readonly Value[]): Attrs {
  const state = stateOf(def);
  let table = state.attrs;
  if (!table) {
    table = { byHash: new Map(), byKey: new Map(), size: 0 };
    state.attrs = table;
  }
  const hash = flatHash(values);
  if (hash !== undefined) {
    const first = table.byHash.get(hash);
    for (let e = first; e !== undefined; e = e.next) if (sameValues(e.values, values)) return e.attrs;
    const attrs = Object.freeze(makeAttrs(def, values));
    if (table.size < MAX_ATTRS_PER_OP) {
      table.byHash.set(hash, { values, attrs, next: first });
      table.size++;
    }
    return attrs;
  }
  // Only plain values: a shared attribute object outlives the document, and must not hold its
  // definitions.
  const key = values.every(isPlainValue) ? valuesKey(values) : undefined;
  if (key === undefined) return makeAttrs(def, values);
  let attrs = table.byKey.get(key);
  if (!attrs) {
    attrs = Object.freeze(makeAttrs(def, values));
    if (table.size < MAX_ATTRS_PER_OP) {
      table.byKey.set(key, attrs);
      table.size++;
    }
  }
  return attrs;
}

/** A hash of a list of numbers, booleans and strings (FNV-1a over 32-bit words); undefined for
 * any other value. Equal lists (by `Object.is`) have equal hashes. */
function flatHash(values: readonly Value[]): number | undefined {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let x: number;
    if (typeof v === 'number') x = (v | 0) === v ? v | 0 : Number.isFinite(v) ? Math.imul((v * 4096) | 0, 0x9e3779b1) ^ ((v / 4096) | 0) : 0x7ff;
    else if (typeof v === 'boolean') x = v ? 0x55555555 : 0x2aaaaaaa;
    else if (typeof v === 'string') {
      x = v.length;
      for (let k = 0; k < v.length; k++) x = Math.imul(x ^ v.charCodeAt(k), 0x01000193);
    } else return undefined;
    h = Math.imul(h ^ x, 0x01000193);
  }
  return h;
}

function sameValues(a: readonly Value[], b: readonly Value[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function makeAttrs(def: ast.Definition, values: readonly Value[]): Attrs {
  const attrs: Attrs = {};
  // Declaration order, so printing can put the leading attribute first.
  const positional = signatureOf(def).positional;
  for (let i = 0; i < positional.length; i++) attrs[positional[i]!.name] = values[i] as AttrValue;
  return attrs;
}

/** Whether `root` is the AST of a standard-library document (they live as long as the process). */
function isBuiltinDocument(root: AstNode): boolean {
  const uri = (root as { $document?: { uri: URI } }).$document?.uri;
  return uri !== undefined && isBuiltinUri(uri);
}

/** A recorded node reference (see InstanceRecord.nodeInputs) as a node id of this graph. */
function decodeNode(e: number, base: number, inputs: readonly TensorValue[]): number {
  return e >= 0 ? base + e : inputs[-1 - e]!.node;
}

/**
 * A key for an argument value: a number, string, boolean, reference to a definition (`act =
 * relu6`: the definition's identity and fingerprint), or a list of them; undefined for
 * anything else (tensors, layers built by expressions), whose effect a key cannot capture.
 */
function valueKey(v: Value): string | undefined {
  switch (typeof v) {
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'boolean':
      return v ? 'T' : 'F';
    case 'string':
      return JSON.stringify(v);
  }
  if (isDefinitionValue(v)) return `<${fingerprintOf(v.definition)}>`;
  if (!Array.isArray(v)) return undefined;
  const items = valuesKey(v);
  return items === undefined ? undefined : `[${items}]`;
}

/** A number, string, boolean or list of them. */
function isPlainValue(v: Value): boolean {
  return typeof v !== 'object' || (Array.isArray(v) && v.every(isPlainValue));
}

/** The keys of a list of values, each followed by a comma; undefined if one has none. */
function valuesKey(values: readonly Value[]): string | undefined {
  let key = '';
  for (const v of values) {
    const k = valueKey(v);
    if (k === undefined) return undefined;
    key += k;
    key += ',';
  }
  return key;
}

/** Call arguments bound to parameters: `values` is indexed like the signature's `positional`. */
interface BoundArgs {
  readonly values: readonly Value[];
  readonly rest: Value[];
  readonly restNodes: AstNode[];
}

/** What one statement produced, in its first elaboration (blocks run once per instance). */
export interface StatementInfo {
  /** Graph nodes [first, end) were created while the statement ran (nested calls included). */
  readonly first: number;
  readonly end: number;
  readonly output: TensorValue | undefined;
  /** How many times the statement ran (instances of its block, loop iterations). */
  readonly instances: number;
}

/**
 * The statements of an elaboration with what they produced, in columns: an object per
 * statement (and a tensor object for its output) were 24,000 objects kept alive per
 * 5,000-line file. `get` and iteration make `StatementInfo` objects when read.
 */
export class StatementTable implements Iterable<[AstNode, StatementInfo]> {
  /**
   * Every run of a statement, in the order they ended; `columns` holds first node, end node and
   * output node (-1: none) of each, in a typed array (outside the collected heap). Which run is
   * a statement's first, and how many it had, is worked out when first read: a check reads
   * none of it, and a map per elaboration was 100 hash tables a 5,000-line file kept alive.
   */
  private readonly runs: AstNode[] = [];
  // Room for 256 runs: a network of the generated 5,000-line file has about 140 (its own
  // statements and those of the block instances it replays), and each growth is an allocation
  // outside the heap.
  private columns = new Int32Array(3 * 256);
  private index: Map<AstNode, number> | undefined;
  private counts: Int32Array | undefined;

  constructor(private readonly graph: Graph) {}

  get size(): number {
    return this.built().size;
  }

  get(stmt: AstNode): StatementInfo | undefined {
    const i = this.built().get(stmt);
    return i === undefined ? undefined : this.infoAt(i);
  }

  *[Symbol.iterator](): Iterator<[AstNode, StatementInfo]> {
    for (const [stmt, i] of this.built()) yield [stmt, this.infoAt(i)];
  }

  /** Records one run of `stmt`, which made nodes [first, end). */
  note(stmt: AstNode, first: number, end: number, outputNode: number): void {
    const at = 3 * this.runs.length;
    if (at + 3 > this.columns.length) {
      const grown = new Int32Array(this.columns.length * 2);
      grown.set(this.columns);
      this.columns = grown;
    }
    this.columns[at] = first;
    this.columns[at + 1] = end;
    this.columns[at + 2] = outputNode;
    this.runs.push(stmt);
    this.index = undefined;
  }

  /** Each statement's first run (in the order first runs ended) and its number of runs. */
  private built(): Map<AstNode, number> {
    if (this.index !== undefined) return this.index;
    const index = new Map<AstNode, number>();
    const counts = new Int32Array(this.runs.length);
    for (let r = 0; r < this.runs.length; r++) {
      const stmt = this.runs[r]!;
      const first = index.get(stmt);
      if (first === undefined) {
        index.set(stmt, r);
        counts[r] = 1;
      } else counts[first]!++;
    }
    this.index = index;
    this.counts = counts;
    return index;
  }

  private infoAt(r: number): StatementInfo {
    const c = this.columns;
    const node = c[3 * r + 2]!;
    return {
      first: c[3 * r]!,
      end: c[3 * r + 1]!,
      output: node < 0 ? undefined : { kind: 'tensor', node, shape: this.graph.shapeOf(node) },
      instances: this.counts![r]!,
    };
  }
}

/** One statement of the network's own body (top-level for loops flattened): the nodes and
 * decisions it made. */
export interface TopLevelStep {
  readonly nodeFirst: number;
  readonly nodeEnd: number;
  readonly traceFirst: number;
  readonly traceEnd: number;
  /** The sequence after the statement (most recent last), as the next statement sees it. */
  readonly history: readonly TensorValue[];
}

export interface ElaborationResult {
  readonly graph: Graph;
  /** Spaces only (the sequential DP of space.ts reads them; a network's would only be kept alive). */
  readonly steps: readonly TopLevelStep[];
  /** Keys decided in one top-level statement and used again in a later one. */
  readonly crossStepKeys: ReadonlySet<string>;
  readonly statements: StatementTable;
  readonly output: TensorValue | undefined;
  readonly input: Shape | undefined;
  readonly diagnostics: SemanticDiagnostic[];
  readonly trace: TraceEntry[];
  /** Block and cell instances replayed from a record rather than interpreted (InstanceRecord). */
  readonly replays: number;
}

export interface ElaborateOptions {
  readonly decider?: Decider;
  /** Diagnostics on nodes of other documents are moved to the outermost call site in this one. */
  readonly rootDocument?: AstNode;
  /** Replay recorded block instances (see InstanceRecord); off only to test that it changes nothing. */
  readonly memo?: boolean;
  /** Told where instances, repeats and statements begin and end (the views); turns the memo off. */
  readonly observer?: ElaborationObserver;
}

/** Elaborates a network or space with every choice decided by `decider`. */
export function elaborate(def: ast.Definition, options: ElaborateOptions = {}): ElaborationResult {
  const ev = new Evaluator(
    options.decider ?? FIRST_OPTION,
    options.rootDocument ?? AstUtils.findRootNode(def),
    (options.memo ?? true) && !options.observer,
    options.observer,
  );
  return ev.run(def);
}

class Evaluator {
  readonly graph = new Graph();
  readonly statements = new StatementTable(this.graph);
  readonly steps: TopLevelStep[] = [];
  /** Top-level statements run so far (steps are kept for spaces only). */
  private stepCount = 0;
  readonly crossStepKeys = new Set<string>();
  private readonly keySteps = new Map<string, number>();
  private model: ast.Definition | undefined;
  readonly diagnostics: SemanticDiagnostic[] = [];
  readonly trace: TraceEntry[] = [];
  private readonly decisions = new Map<string, number>();
  /** The outputs of a repeat before its last one, so that a statement `Cell * n` adds every
   * repeat to the sequence (the next two-input cell reads h(i-2), h(i-1) of the repeats). */
  private readonly repeatOutputs = new WeakMap<TensorValue, TensorValue[]>();
  private readonly reported = new Set<string>();
  private readonly globals = new Frame();
  private readonly letsInProgress = new Set<AstNode>();
  private readonly defaultsCache = new Map<string, Attrs>();
  /** bareOpAttrs, per op definition. */
  private readonly bareAttrs = new Map<ast.Definition, Attrs | typeof NOT_BARE>();
  /** Definitions being applied (to reject recursion). */
  private readonly active = new Set<ast.Definition>();
  /** Expressions evaluated so far, against MAX_WORK. */
  private work = 0;
  /** Errors seen (reported or not) and choices consulted: an instance that saw either is not
   * kept for replay. */
  private errorCount = 0;
  private choiceCount = 0;
  /** Instances being recorded, and the statements run meanwhile (see noteStatement). */
  private recording = 0;
  private replays = 0;
  private readonly statementLog: LoggedStatement[] = [];
  /** The deepest call stack reached since the innermost recording started. */
  private deepest = 0;
  private inputShape: Shape | undefined;
  private networkInput: TensorValue | undefined;

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

  constructor(
    private readonly decider: Decider,
    private readonly root: AstNode,
    private readonly memo: boolean,
    private readonly observer?: ElaborationObserver,
  ) {}

  run(def: ast.Definition): ElaborationResult {
    this.model = def;
    const ctx: EvalContext = { path: undefined, scope: '', callStack: [], choiceStack: [], repeatIndex: undefined, body: undefined };
    let output: TensorValue | undefined;
    try {
      const frame = new Frame(this.globals);
      for (const p of def.params) {
        if (!p.default) {
          this.report(p, `${def.kind} ${def.name} cannot be elaborated: parameter \`${p.name}\` has no default`, 'missing-default');
          return this.result(undefined);
        }
        frame.set(p, this.evalExpr(p.default, frame, ctx));
      }
      const out = this.execDefinitionBody(def, frame, [], ctx);
      if (isTensor(out)) output = out;
      else if (!isPoison(out)) this.report(def, `${def.kind} ${def.name} produces ${describeValue(out)}, not a tensor`, 'not-a-tensor', 'name');
      if (output) this.reportDeadNodes(output);
    } catch (e) {
      if (e instanceof ElaborationLimit) this.report(e.node, e.message, e.code, undefined, 'error', e.callStack);
      else if (e instanceof EvalError) this.report(e.node, e.message, e.code, e.property);
      else if (e instanceof RangeError) this.report(def, `elaboration of ${def.name} is too deep or too large: ${e.message}`, 'too-large', 'name');
      else if (!hasSyntaxErrors(this.root)) {
        // Never let an elaboration bug take validation down: say so where the user looks.
        this.report(def, `internal error while elaborating ${def.name}: ${(e as Error).message} (please report this)`, 'internal-error', 'name');
      }
    }
    return this.result(output);
  }

  private result(output: TensorValue | undefined): ElaborationResult {
    noteGraphSize(this.graph.size);
    return {
      graph: this.graph,
      steps: this.steps,
      // A result is kept per network: no empty set for each.
      crossStepKeys: this.crossStepKeys.size > 0 ? this.crossStepKeys : NO_KEYS,
      statements: this.statements,
      output,
      input: this.inputShape,
      diagnostics: this.diagnostics,
      trace: this.trace,
      replays: this.replays,
    };
  }

  private reportDeadNodes(output: TensorValue): void {
    const seen = new Set<AstNode>();
    for (const n of this.graph.deadNodes(output.node)) {
      if (n.op === 'input' || !n.source || seen.has(n.source)) continue;
      // One warning per statement: report where the dead value is produced.
      const stmt = AstUtils.getContainerOfType(n.source, (x): x is ast.Node => x.$type === 'Node') ?? n.source;
      if (seen.has(stmt)) continue;
      seen.add(stmt);
      seen.add(n.source);
      const name = (stmt as ast.Node).name;
      this.report(
        stmt,
        `dead node: the output of ${name ? `\`${name}\`` : `this ${n.op}`} (${formatShape(n.shape)}) never reaches the network's output`,
        'dead-node',
        undefined,
        'warning',
      );
    }
  }

  // ---------------------------------------------------------------- diagnostics

  private report(
    node: AstNode,
    message: string,
    code: string,
    property?: string,
    severity: 'error' | 'warning' = 'error',
    callStack: readonly AstNode[] = [],
  ): void {
    this.errorCount++;
    if (code === 'poison') return;
    let target = node;
    let prop = property;
    if (AstUtils.findRootNode(node) !== this.root) {
      const site = callStack.find((s) => AstUtils.findRootNode(s) === this.root);
      if (!site) return;
      target = site;
      prop = undefined;
    }
    const key = `${target.$cstNode?.offset}:${prop}:${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.diagnostics.push({ node: target, property: prop, message, code, severity });
  }

  private fail(node: AstNode, message: string, code: string, property?: string): never {
    throw new EvalError(message, node, code, property);
  }

  // ---------------------------------------------------------------- bodies

  private execDefinitionBody(
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
    if (!last) this.fail(def, `${def.kind} ${def.name} has no layers and no input`, 'empty-body', 'name');
    return last;
  }

  private concatLooseEnds(site: AstNode, body: BodyState, ctx: EvalContext): Value {
    const loose = body.created.filter((t) => this.graph.consumersOf(t.node) === 0);
    if (loose.length === 0) this.fail(site, 'the cell has no loose ends to concatenate', 'empty-body');
    if (loose.length === 1) return loose[0]!;
    return this.applyPrimitive('concat', {}, loose, ctx, site);
  }

  /** Returns a value when the statement is an `output`. */
  private execStatement(stmt: ast.Statement, frame: Frame, history: TensorValue[], ctx: EvalContext): Value | undefined {
    const first = this.graph.size;
    const traceFirst = this.trace.length;
    const out = this.execStatementInner(stmt, frame, history, ctx);
    // Statements of the network itself (those of its top-level for loops included) are the
    // steps of the sequential DP in space.ts.
    if (ctx.callStack.length === 0 && stmt.$type !== 'ForStmt') {
      this.stepCount++;
      if (this.model?.kind === 'space')
        this.steps.push({ nodeFirst: first, nodeEnd: this.graph.size, traceFirst, traceEnd: this.trace.length, history: history.slice(-2) });
    }
    if (stmt.$type !== 'ForStmt' && stmt.$type !== 'Let') {
      const produced = stmt.$type === 'Node' ? frame.get(stmt) : stmt.$type === 'InputStmt' ? history[history.length - 1] : out;
      this.noteStatement(stmt, first, this.graph.size, produced && isTensor(produced) ? produced.node : -1);
    }
    if (this.observer && stmt.$type !== 'ForStmt') {
      const produced = stmt.$type === 'Node' || stmt.$type === 'Let' ? frame.get(stmt) : stmt.$type === 'InputStmt' ? history[history.length - 1] : out;
      this.observer.statement(stmt, first, this.graph.size, produced && isTensor(produced) ? produced.node : -1);
    }
    return out;
  }

  /** Records that `stmt` ran once, making nodes [first, end); logged for an instance being recorded. */
  private noteStatement(stmt: ast.Statement, first: number, end: number, outputNode: number): void {
    this.statements.note(stmt, first, end, outputNode);
    if (this.recording > 0) this.statementLog.push({ stmt, first, end, outputNode });
  }

  // ---------------------------------------------------------------- instance memo

  /**
   * The memo key of applying block or cell `def` with these arguments to these inputs, or
   * undefined where the instance cannot be replayed: an argument whose effect a key cannot
   * capture (see valueKey). The key holds the input shapes, which inputs are the same tensor, and which
   * is the network's input (the body's first multi-input layer skips it, see
   * lastInputs).
   */
  private instanceSlot(values: readonly Value[], inputs: readonly TensorValue[]): InstanceSlot | undefined {
    let h = flatHash(values);
    if (h === undefined) return this.instanceKey(values, inputs);
    for (let k = 0; k < inputs.length; k++) {
      const t = inputs[k]!;
      const alias = aliasOf(inputs, k);
      h = Math.imul(h ^ t.shape.c, 0x01000193);
      h = Math.imul(h ^ t.shape.h, 0x01000193);
      h = Math.imul(h ^ t.shape.w, 0x01000193);
      h = Math.imul(h ^ (2 * alias + (t === this.networkInput ? 1 : 0)), 0x01000193);
    }
    return h;
  }

  private findInstance(table: InstanceTable, slot: InstanceSlot, values: readonly Value[], inputs: readonly TensorValue[]): InstanceRecord | undefined {
    if (typeof slot === 'string') return table.byKey?.get(slot);
    for (let e = table.byHash.get(slot); e !== undefined; e = e.next) {
      if (sameValues(e.values, values) && sameSignature(e.inputs, inputs, this.networkInput)) return e.record;
    }
    return undefined;
  }

  private keepInstance(table: InstanceTable, slot: InstanceSlot, values: readonly Value[], inputs: readonly TensorValue[], record: InstanceRecord): void {
    if (table.size >= MAX_INSTANCES_PER_DEFINITION) return;
    table.size++;
    if (typeof slot === 'string') (table.byKey ??= new Map()).set(slot, record);
    else table.byHash.set(slot, { values, inputs: inputSignature(inputs, this.networkInput), record, next: table.byHash.get(slot) });
  }

  private instanceKey(values: readonly Value[], inputs: readonly TensorValue[]): string | undefined {
    let key = valuesKey(values);
    if (key === undefined) return undefined;
    for (let k = 0; k < inputs.length; k++) {
      const t = inputs[k]!;
      const alias = aliasOf(inputs, k);
      key += `|${t.shape.c}x${t.shape.h}x${t.shape.w}@${alias}${t === this.networkInput ? '!' : ''}`;
    }
    return key;
  }

  private startRecording(depth: number): RecordingMark {
    const mark: RecordingMark = {
      nodes: this.graph.size,
      log: this.statementLog.length,
      work: this.work,
      errors: this.errorCount,
      choices: this.choiceCount,
      deepest: this.deepest,
    };
    this.deepest = depth;
    this.recording++;
    return mark;
  }

  /**
   * Keeps what applying the instance did, for replaying it: only when it was pure, so that a
   * replay is indistinguishable from running it again (no choice consulted, no error seen,
   * no node reached from outside its inputs, a single tensor out).
   */
  private finishRecording(
    def: ast.Definition,
    slot: InstanceSlot,
    values: readonly Value[],
    mark: RecordingMark,
    inputs: readonly TensorValue[],
    out: Value,
    scope: string,
    outerDepth: number,
  ): void {
    const depth = this.deepest - outerDepth;
    this.deepest = Math.max(this.deepest, mark.deepest);
    if (this.errorCount !== mark.errors || this.choiceCount !== mark.choices) return;
    if (!isTensor(out) || this.repeatOutputs.has(out)) return;
    const first = mark.nodes;
    const g = this.graph;
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
    const table = instanceTableOf(def);
    if (table.size >= MAX_INSTANCES_PER_DEFINITION) return;
    this.keepInstance(table, slot, values, inputs, {
      count: end - first,
      nums,
      refs,
      statementCount,
      output,
      outputShape: out.shape,
      work: this.work - mark.work,
      depth,
    });
  }

  /** Applies a recorded instance: its nodes again, on these inputs, under this scope. */
  private replayInstance(r: InstanceRecord, inputs: readonly TensorValue[], ctx: EvalContext, scope: string, site: AstNode): TensorValue {
    const base = this.graph.size;
    this.replays++;
    const refs = r.refs;
    if (base + r.count > MAX_NODES) {
      // Where interpreting the instance would have stopped: at its node that crosses the limit.
      const at = (refs[REF_STRIDE * Math.max(0, MAX_NODES - base) + 3] as AstNode | undefined) ?? site;
      throw new ElaborationLimit(`the network has more than ${MAX_NODES.toLocaleString('en-US')} nodes`, at, [...ctx.callStack, site]);
    }
    this.work += r.work;
    if (this.work > MAX_WORK)
      throw new ElaborationLimit(
        `elaboration stopped after ${MAX_WORK.toLocaleString('en-US')} evaluation steps: the network is too large or loops`,
        (refs[3] as AstNode | undefined) ?? site,
        [...ctx.callStack, site],
      );
    const g = this.graph;
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
      this.noteStatement(refs[o + j] as ast.Statement, base + nums[at]!, base + nums[at + 1]!, output === NO_OUTPUT ? -1 : decodeNode(output, base, inputs));
    }
    if (ctx.callStack.length + r.depth > this.deepest) this.deepest = ctx.callStack.length + r.depth;
    return { kind: 'tensor', node: decodeNode(r.output, base, inputs), shape: r.outputShape };
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
          const dims = stmt.dims.map((d) => this.expectInt(this.evalExpr(d, frame, ctx), d, 'an input dimension'));
          if (dims.some((d) => d < 1) || dims.length > 3) {
            this.fail(stmt, `input(...) takes C, H[, W] with positive sizes, found (${dims.join(', ')})`, 'attribute-range');
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
          if (isDefinitionValue(v)) v = this.layerOfDefinition(v.definition, [], frame, ctx, stmt.value);
          if (isLayer(v)) v = v.apply(lastK(history, v.arity), ctx);
          if (!isTensor(v) && !isPoison(v)) this.fail(stmt.value, `output must be a tensor, found ${describeValue(v)}`, 'not-a-tensor');
          return v;
        }
        case 'ForStmt': {
          const it = this.evalExpr(stmt.iterable, frame, ctx);
          if (isPoison(it)) return undefined;
          if (!Array.isArray(it)) this.fail(stmt.iterable, `for needs a list, found ${describeValue(it)}`, 'type-mismatch');
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
          if (isDefinitionValue(v)) v = this.layerOfDefinition(v.definition, [], frame, scoped, stmt.value);
          if (isLayer(v)) {
            if (history.length === 0) this.fail(stmt.value, `${v.label} has no input: add an input(...) statement before it`, 'no-input');
            v = v.apply(this.lastInputs(history, v.arity), scoped);
          }
          if (isTensor(v)) {
            const repeats = this.repeatOutputs.get(v);
            if (repeats !== undefined) for (let k = 0; k < repeats.length; k++) history.push(repeats[k]!);
            history.push(v);
            ctx.body?.created.push(v);
          } else if (isPoison(v)) {
            // Keep later statements quiet: they see the poison through this name.
          }
          frame.set(stmt, v);
          return undefined;
        }
      }
    } catch (e) {
      if (!(e instanceof EvalError) || e instanceof ElaborationLimit) throw e;
      this.report(e.node, e.message, e.code, e.property, 'error', ctx.callStack);
      if (stmt.$type === 'Node') frame.set(stmt, POISON);
      if (stmt.$type === 'OutputStmt') return POISON;
      return undefined;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- expressions

  evalExpr(e: ast.Expr, frame: Frame, ctx: EvalContext): Value {
    // A partial AST (after a syntax error) can miss an expression: nothing more to report.
    if (!e) throw new EvalError('', this.root, 'poison');
    if (++this.work > MAX_WORK)
      throw new ElaborationLimit(
        `elaboration stopped after ${MAX_WORK.toLocaleString('en-US')} evaluation steps: the network is too large or loops`,
        e,
        ctx.callStack,
      );
    // The most frequent kinds first (a switch on strings tests its cases in order).
    switch (e.$type) {
      case 'NumberLit':
        return parseNumber(e.value);
      case 'Ref':
        return this.evalRef(e, frame, ctx);
      case 'BinaryExpr':
        return this.evalBinary(e, frame, ctx);
      case 'Call':
        return this.evalCall(e, frame, ctx);
      case 'StringLit':
        return e.value; // the value converter already removed the quotes
      case 'BoolLit':
        return e.value === 'true';
      case 'ListLit':
        return e.items.map((i) => this.evalExpr(i, frame, ctx));
      case 'Paren':
        return this.evalExpr(e.inner, frame, ctx);
      case 'Unary': {
        const v = this.evalExpr(e.operand, frame, ctx);
        if (isPoison(v)) return v;
        if (e.op === '-') return -this.expectNumber(v, e.operand, "the operand of '-'");
        return !this.expectBool(v, e.operand, "the operand of 'not'");
      }
      case 'IfExpr': {
        const c = this.evalExpr(e.condition, frame, ctx);
        if (isPoison(c)) return c;
        return this.expectBool(c, e.condition, 'an if condition') ? this.evalExpr(e.then, frame, ctx) : this.evalExpr(e.else, frame, ctx);
      }
      case 'Member':
        return this.evalMember(e, frame, ctx);
      case 'Index': {
        const r = this.evalExpr(e.receiver, frame, ctx);
        const i = this.evalExpr(e.index, frame, ctx);
        if (isPoison(r) || isPoison(i)) return POISON;
        if (!Array.isArray(r)) this.fail(e.receiver, `only lists can be indexed, found ${describeValue(r)}`, 'type-mismatch');
        const k = this.expectInt(i, e.index, 'an index');
        const j = k < 0 ? r.length + k : k;
        if (j < 0 || j >= r.length) this.fail(e.index, `index ${k} is out of range for a list of ${r.length}`, 'index-range');
        return r[j]!;
      }
    }
  }

  private evalRef(e: ast.Ref, frame: Frame, ctx: EvalContext): Value {
    const target = e.target.ref;
    if (!target) return POISON; // the linker reported it
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
      this.fail(
        e,
        `\`${e.target.$refText}\` is used before it is defined (a body is a DAG in the order written: a node can only use nodes defined above it, so a reference to a later node would form a cycle)`,
        'use-before-definition',
      );
    }
    if (target.$type === 'InputName') {
      this.fail(e, `input \`${e.target.$refText}\` has no tensor here`, 'no-input');
    }
    this.fail(e, `\`${e.target.$refText}\` has no value here`, 'no-value');
  }

  private evalGlobalLet(l: ast.Let, ctx: EvalContext): Value {
    const cached = this.globals.get(l);
    if (cached !== undefined) return cached;
    if (this.letsInProgress.has(l)) this.fail(l, `let ${l.name} refers to itself`, 'cycle', 'name');
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
      this.fail(e, `a tensor has members c (channels), h (height), w (width); found \`${e.member}\``, 'unknown-member', 'member');
    }
    if (Array.isArray(r) && (e.member === 'length' || e.member === 'len')) return r.length;
    this.fail(e, `${describeValue(r)} has no member \`${e.member}\``, 'unknown-member', 'member');
  }

  /** `a..b` and `a..b step s`: inclusive lists. */
  private evalRange(e: ast.BinaryExpr, frame: Frame, ctx: EvalContext): Value {
    const range = e.operator === 'step' ? e.left : e;
    if (range.$type !== 'BinaryExpr' || range.operator !== '..') this.fail(e, '`step` needs a range on its left: `16..64 step 8`', 'syntax');
    const from = this.expectNumber(this.evalExpr(range.left, frame, ctx), range.left, 'a range start');
    const to = this.expectNumber(this.evalExpr(range.right, frame, ctx), range.right, 'a range end');
    const step = e.operator === 'step' ? this.expectNumber(this.evalExpr(e.right, frame, ctx), e.right, 'a range step') : 1;
    if (!(step > 0)) this.fail(e.operator === 'step' ? e.right : e, `a range step must be positive, found ${step}`, 'attribute-range');
    const n = Math.floor((to - from) / step + 1e-9) + 1;
    if (n > 1_000_000) this.fail(e, `the range ${from}..${to} step ${step} has ${n} elements (at most 1,000,000)`, 'too-large');
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(roundFloat(from + i * step));
    return out;
  }

  private evalBinary(e: ast.BinaryExpr, frame: Frame, ctx: EvalContext): Value {
    if (e.operator === '..' || e.operator === 'step') return this.evalRange(e, frame, ctx);
    if (e.operator === 'and' || e.operator === 'or') {
      const l = this.evalExpr(e.left, frame, ctx);
      if (isPoison(l)) return l;
      const lb = this.expectBool(l, e.left, `the left side of '${e.operator}'`);
      if (e.operator === 'and' ? !lb : lb) return lb;
      const r = this.evalExpr(e.right, frame, ctx);
      if (isPoison(r)) return r;
      return this.expectBool(r, e.right, `the right side of '${e.operator}'`);
    }
    const l = this.evalExpr(e.left, frame, ctx);
    const r = this.evalExpr(e.right, frame, ctx);
    if (isPoison(l) || isPoison(r)) return POISON;
    switch (e.operator) {
      case '->':
        return this.pipe(l, r, e, frame, ctx);
      case '+':
        if (isTensor(l) && isTensor(r)) return this.applyPrimitive('add', {}, [l, r], ctx, e);
        if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
        if (typeof l === 'string' && typeof r === 'string') return l + r;
        return this.num(e.left, l) + this.num(e.right, r);
      case '*': {
        const layerSide = this.asLayerOrUndefined(l, frame, ctx, e.left) ?? this.asLayerOrUndefined(r, frame, ctx, e.right);
        if (layerSide) {
          const countNode = isLayer(l) || isDefinitionValue(l) ? e.right : e.left;
          const count = isLayer(l) || isDefinitionValue(l) ? r : l;
          return this.repeatLayer(layerSide, this.expectInt(count, countNode, 'a repeat count'), false, countNode);
        }
        return roundFloat(this.num(e.left, l) * this.num(e.right, r));
      }
      case '-':
        return roundFloat(this.num(e.left, l) - this.num(e.right, r));
      case '/': {
        const d = this.num(e.right, r);
        if (d === 0) this.fail(e.right, 'division by zero', 'division-by-zero');
        return roundFloat(this.num(e.left, l) / d);
      }
      case '//': {
        const d = this.num(e.right, r);
        if (d === 0) this.fail(e.right, 'division by zero', 'division-by-zero');
        return Math.floor(this.num(e.left, l) / d);
      }
      case '%': {
        const d = this.num(e.right, r);
        if (d === 0) this.fail(e.right, 'division by zero', 'division-by-zero');
        const a = this.num(e.left, l);
        return ((a % d) + d) % d;
      }
      case '==':
        return valueEquals(l, r);
      case '!=':
        return !valueEquals(l, r);
      case '<':
        return this.num(e.left, l) < this.num(e.right, r);
      case '<=':
        return this.num(e.left, l) <= this.num(e.right, r);
      case '>':
        return this.num(e.left, l) > this.num(e.right, r);
      case '>=':
        return this.num(e.left, l) >= this.num(e.right, r);
    }
    this.fail(e, `unknown operator ${e.operator}`, 'syntax');
  }

  private num(node: AstNode, v: Value): number {
    return this.expectNumber(v, node, 'a number');
  }

  private asLayerOrUndefined(v: Value, frame: Frame, ctx: EvalContext, node: AstNode): LayerValue | undefined {
    if (isLayer(v)) return v;
    if (isDefinitionValue(v) && v.definition.kind !== 'fn') return this.layerOfDefinition(v.definition, [], frame, ctx, node);
    return undefined;
  }

  private pipe(l: Value, r: Value, e: ast.BinaryExpr, frame: Frame, ctx: EvalContext): Value {
    const right = this.asLayerOrUndefined(r, frame, ctx, e.right);
    if (!right) this.fail(e.right, `the right side of '->' must be a layer, found ${describeValue(r)}`, 'type-mismatch');
    if (isTensor(l)) return right.apply(padInputs([l], right.arity), ctx);
    if (Array.isArray(l) && l.every(isTensor)) return right.apply(padInputs(l, right.arity), ctx);
    const left = this.asLayerOrUndefined(l, frame, ctx, e.left);
    if (!left) this.fail(e.left, `the left side of '->' must be a tensor or a layer, found ${describeValue(l)}`, 'type-mismatch');
    return {
      kind: 'layer',
      arity: left.arity,
      label: `${left.label} -> ${right.label}`,
      sharesChoices: false,
      apply: (inputs, c) => {
        const mid = left.apply(inputs, c);
        if (isPoison(mid)) return mid;
        if (!isTensor(mid)) this.fail(e.left, `${left.label} did not produce a tensor`, 'not-a-tensor');
        return right.apply(padInputs([mid], right.arity), c);
      },
    };
  }

  repeatLayer(layer: LayerValue, n: number, shared: boolean, site: AstNode): LayerValue {
    if (n < 0) this.fail(site, `a repeat count must be >= 0, found ${n}`, 'attribute-range');
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

  // ---------------------------------------------------------------- calls

  private evalCall(e: ast.Call, frame: Frame, ctx: EvalContext): Value {
    const callee = e.callee;
    if (callee.$type === 'Ref') {
      const target = callee.target.ref;
      if (!target) return POISON;
      if (target.$type === 'Definition') {
        if (target.kind === 'fn') return this.callFunction(target, e, frame, ctx);
        return this.callDefinition(target, e, frame, ctx);
      }
    }
    const f = this.evalExpr(callee, frame, ctx);
    if (isPoison(f)) return f;
    if (isDefinitionValue(f)) return this.callDefinition(f.definition, e, frame, ctx);
    if (!isLayer(f)) this.fail(callee, `${describeValue(f)} cannot be called`, 'not-callable');
    const tensors: TensorValue[] = [];
    for (const a of e.args) {
      const v = this.evalExpr(a.value, frame, ctx);
      if (isPoison(v)) return v;
      if (a.name) this.fail(a, 'a layer is applied to tensors, not named arguments', 'type-mismatch', 'name');
      if (isTensor(v)) tensors.push(v);
      else if (Array.isArray(v) && v.every(isTensor)) tensors.push(...v);
      else this.fail(a, `a layer is applied to tensors, found ${describeValue(v)}`, 'type-mismatch');
    }
    if (tensors.length === 0) this.fail(e, `${f.label} needs input tensors`, 'no-input');
    return f.apply(padInputs(tensors, f.arity), ctx);
  }

  /** Binds call arguments to a definition's parameters, in order and by name. */
  private bindArgs(def: ast.Definition, sig: Signature, args: readonly ast.Arg[], frame: Frame, ctx: EvalContext, site: AstNode): BoundArgs | undefined {
    const { positional, variadic, literalDefaults } = sig;
    // Indexed like `positional` (a Map per call was the largest cost of binding).
    const values: Array<Value | undefined> = new Array<Value | undefined>(positional.length).fill(undefined);
    // Most calls pass no tensors: their lists are made on the first one.
    let rest: Value[] = NO_VALUES;
    let restNodes: AstNode[] = NO_NODES;
    let pos = 0;
    let sawNamed = false;
    let poisoned = false;
    for (const a of args) {
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
          this.fail(
            a,
            `${def.name} has no attribute \`${a.name}\`${hint ? `; did you mean \`${hint}\`?` : ''} (expected one of: ${positional.map((q) => q.name).join(', ') || 'none'})`,
            'unknown-attribute',
            'name',
          );
        }
        const p = positional[index]!;
        if (values[index] !== undefined) this.fail(a, `attribute \`${a.name}\` is given twice`, 'duplicate-attribute', 'name');
        const v = this.checkType(p, this.evalExpr(a.value, frame, ctx), a.value, def);
        if (isPoison(v)) poisoned = true;
        values[index] = v;
        continue;
      }
      if (sawNamed) this.fail(a, 'a positional argument cannot follow a named one', 'syntax');
      const v = this.evalExpr(a.value, frame, ctx);
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
        this.fail(
          a,
          `${def.name} takes at most ${positional.length} positional argument${positional.length === 1 ? '' : 's'}, found more`,
          'too-many-arguments',
        );
      const checked = this.checkType(p, v, a.value, def);
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
          this.fail(site, `${def.name} needs \`${p.name}\`${p.type ? ` (${p.type})` : ''}`, 'missing-argument');
        }
        v = literalDefaults[i];
        if (v === undefined) {
          if (!defFrame) {
            defFrame = new Frame(this.globals);
            for (let j = 0; j < i; j++) defFrame.set(positional[j]!, values[j]!);
          }
          v = this.evalExpr(p.default, defFrame, ctx);
        }
        values[i] = v;
      }
      defFrame?.set(p, v);
    }
    return { values: values as Value[], rest, restNodes };
  }

  private checkType(p: ast.Param, v: Value, node: AstNode, def: ast.Definition): Value {
    if (isPoison(v) || !p.type || p.type === 'any') return v;
    switch (p.type) {
      case 'int':
        if (typeof v !== 'number' || !Number.isInteger(v))
          this.fail(node, `${paramWhere(p, def)} must be an integer, found ${typeof v === 'number' ? v : describeValue(v)}`, 'type-mismatch');
        return v;
      case 'float':
        if (typeof v !== 'number') this.fail(node, `${paramWhere(p, def)} must be a number, found ${describeValue(v)}`, 'type-mismatch');
        return v;
      case 'bool':
        if (typeof v !== 'boolean') this.fail(node, `${paramWhere(p, def)} must be true or false, found ${describeValue(v)}`, 'type-mismatch');
        return v;
      case 'string':
        if (typeof v !== 'string') this.fail(node, `${paramWhere(p, def)} must be a string, found ${describeValue(v)}`, 'type-mismatch');
        return v;
      case 'list':
        if (!Array.isArray(v)) this.fail(node, `${paramWhere(p, def)} must be a list, found ${describeValue(v)}`, 'type-mismatch');
        return v;
      case 'tensor':
        if (!isTensor(v)) this.fail(node, `${paramWhere(p, def)} must be a tensor, found ${describeValue(v)}`, 'type-mismatch');
        return v;
      case 'layer':
        if (!isLayer(v) && !isDefinitionValue(v)) this.fail(node, `${paramWhere(p, def)} must be a layer, found ${describeValue(v)}`, 'type-mismatch');
        return v;
    }
    return v;
  }

  private callDefinition(def: ast.Definition, e: ast.Call, frame: Frame, ctx: EvalContext): Value {
    return this.layerOrTensorOfDefinition(def, e.args, frame, ctx, e);
  }

  private layerOfDefinition(def: ast.Definition, args: readonly ast.Arg[], frame: Frame, ctx: EvalContext, site: AstNode): LayerValue {
    const v = this.layerOrTensorOfDefinition(def, args, frame, ctx, site);
    if (isLayer(v)) return v;
    if (isPoison(v)) throw new EvalError('', site, 'poison');
    this.fail(site, `${def.name} is not a layer`, 'type-mismatch');
  }

  private layerOrTensorOfDefinition(def: ast.Definition, args: readonly ast.Arg[], frame: Frame, ctx: EvalContext, site: AstNode): Value {
    if (def.kind === 'fn') this.fail(site, `${def.name} is a function: call it with (...)`, 'type-mismatch');
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
        else this.fail(bound.restNodes[i]!, `${def.name} takes tensors, found ${describeValue(v)}`, 'type-mismatch');
      }
      const minInputs = rule.inputs[0];
      if (captured.length >= minInputs && captured.length > 0) return this.applyPrimitive(def.name, attrs, captured, ctx, site);
      return new OpLayer(this, def.name, attrs, captured, site);
    }
    if (bound.rest.length > 0)
      this.fail(bound.restNodes[0]!, `${def.name} takes parameters, not tensors: apply it with -> or ${def.name}(...)(x)`, 'type-mismatch');
    return new DefinitionLayer(this, def, sig, bound.values, site);
  }

  /** The op's rule; also evaluates its declared defaults once (applyPrimitive reads them). */
  private ruleOf(def: ast.Definition, site: AstNode): OpRule {
    const rule = OP_RULES[def.name];
    if (!rule) this.fail(site, `op ${def.name} has no implementation`, 'unknown-op');
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
    if (c.callStack.length >= MAX_CALL_DEPTH) this.fail(site, `calls nested deeper than ${MAX_CALL_DEPTH} (is ${def.name} recursive?)`, 'too-deep');
    // Networks are finite graphs: a definition may not use itself, directly or not (each
    // level would multiply the work; an accidental self-reference would hang the editor).
    if (def === this.model || this.active.has(def)) this.fail(site, `${def.kind} ${def.name} uses itself (recursion is not allowed)`, 'recursion');
    const rep = c.repeatIndex;
    const scope = join(c.scope, rep !== undefined ? `${def.name}.${rep}` : def.name);
    const slot = this.memo ? this.instanceSlot(values, inputs) : undefined;
    if (slot !== undefined) {
      const known = this.findInstance(instanceTableOf(def), slot, values, inputs);
      if (known && c.callStack.length + known.depth < MAX_CALL_DEPTH) return this.replayInstance(known, inputs, c, scope, site);
    }
    const path = def.kind === 'cell' ? c.path : new InstancePath(c.path, site, rep !== undefined ? `#${rep}` : '');
    const inner: EvalContext = { path, scope, callStack: [...c.callStack, site], choiceStack: c.choiceStack, repeatIndex: undefined, body: undefined };
    if (inner.callStack.length > this.deepest) this.deepest = inner.callStack.length;
    const f = new Frame(this.globals);
    const positional = sig.positional;
    for (let i = 0; i < positional.length; i++) f.set(positional[i]!, values[i]!);
    const mark = slot !== undefined ? this.startRecording(inner.callStack.length) : undefined;
    this.active.add(def);
    let out: Value = POISON;
    this.observer?.enterInstance(def, site, rep, values, inputs, this.graph.size, c.choiceStack.length);
    try {
      out = this.execDefinitionBody(def, f, inputs, inner, sig.inputDecl);
    } finally {
      this.active.delete(def);
      if (mark) this.recording--;
      this.observer?.leaveInstance(this.graph.size, isTensor(out) ? out : undefined);
    }
    if (mark) {
      this.finishRecording(def, slot!, values, mark, inputs, out, scope, c.callStack.length);
      // No recording reads the log any more: start it afresh.
      if (this.recording === 0) this.statementLog.length = 0;
    }
    return out;
  }

  /** Default attributes of an op declaration, for printing only what differs. */
  private opDefaults(def: ast.Definition): Attrs {
    let d = this.defaultsCache.get(def.name);
    if (!d) d = declaredDefaults.get(def);
    if (!d) {
      d = {};
      for (const p of def.params) {
        if (p.default)
          d[p.name] = this.evalExpr(p.default, this.globals, {
            path: undefined,
            scope: '',
            callStack: [],
            choiceStack: [],
            repeatIndex: undefined,
            body: undefined,
          }) as AttrValue;
      }
      declaredDefaults.set(def, Object.freeze(d));
    }
    this.defaultsCache.set(def.name, d);
    return d;
  }

  applyPrimitive(op: string, attrs: Attrs, inputs: readonly TensorValue[], ctx: EvalContext, site: AstNode): Value {
    const rule = OP_RULES[op]!;
    const min = rule.inputs[0];
    const max = rule.inputs[1];
    if (inputs.length < min || inputs.length > max) {
      this.fail(site, `${op} takes ${min === max ? min : `${min} or more`} input${max === 1 ? '' : 's'}, found ${inputs.length}`, 'input-count');
    }
    if (this.graph.size >= MAX_NODES) throw new ElaborationLimit(`the network has more than ${MAX_NODES.toLocaleString('en-US')} nodes`, site, ctx.callStack);
    try {
      const r = rule.infer(
        inputs.map((t) => t.shape),
        attrs,
      );
      // After the shape rule, which may throw: inputs given to the graph belong to its next node.
      for (let k = 0; k < inputs.length; k++) this.graph.input(inputs[k]!.node);
      const defaults = this.defaultsCache.get(op) ?? EMPTY_ATTRS;
      const shape = internShape(r.shape);
      const node = this.graph.add(op, attrs, defaults, shape, r.params, r.macs, r.acts, ctx.scope, op, site, ctx.choiceStack);
      return { kind: 'tensor', node, shape };
    } catch (err) {
      if (!(err instanceof OpError)) throw err;
      let node: AstNode = site;
      let property: string | undefined;
      if (err.attr && site.$type === 'Call') {
        const arg = (site as ast.Call).args.find((a) => a.name === err.attr);
        if (arg) node = arg;
      }
      const inShapes = inputs.map((t) => formatShape(t.shape)).join(', ');
      this.fail(node, `${op}: ${err.message} (input ${inShapes})`, err.code, property);
    }
  }

  // ---------------------------------------------------------------- built-in functions

  private callFunction(def: ast.Definition, e: ast.Call, frame: Frame, ctx: EvalContext): Value {
    if (def.name === 'choice') return this.evalChoice(e, frame, ctx);
    const bound = this.bindArgs(def, signatureOf(def), e.args, frame, ctx, e);
    if (!bound) return POISON;
    const named: Record<string, Value> = {};
    const positional = signatureOf(def).positional;
    for (let i = 0; i < positional.length; i++) named[positional[i]!.name] = bound.values[i]!;
    switch (def.name) {
      case 'choose':
        return this.evalChoose(named, e, ctx);
      case 'repeat': {
        const layer = this.asLayerOrUndefined(named['layer']!, frame, ctx, e);
        if (!layer) this.fail(e, `repeat needs a layer, found ${describeValue(named['layer']!)}`, 'type-mismatch');
        return this.repeatLayer(layer, named['n'] as number, named['shared'] as boolean, e);
      }
      case 'sum': {
        const items = named['items'] as Value[];
        if (!items.every(isTensor) || items.length === 0) this.fail(e, 'sum needs a non-empty list of tensors', 'type-mismatch');
        return items.length === 1 ? items[0]! : this.applyPrimitive('add', {}, items, ctx, e);
      }
      case 'loose_ends': {
        if (!ctx.body) this.fail(e, 'loose_ends() is only meaningful inside a cell or block body', 'no-value');
        return ctx.body.created.filter((t) => this.graph.consumersOf(t.node) === 0);
      }
    }
    if (!BUILTIN_FUNCTIONS.has(def.name)) this.fail(e, `function ${def.name} has no implementation`, 'unknown-op');
    try {
      return callBuiltinFunction(def.name, named, bound.rest);
    } catch (err) {
      if (err instanceof OpError) this.fail(e, `${def.name}: ${err.message}`, err.code);
      throw err;
    }
  }

  private siteKey(e: ast.Call, shared: boolean, ctx: EvalContext): string {
    return shared ? siteId(e) : `${siteId(e)}${pathText(ctx.path)}`;
  }

  private decideAt(key: string, n: number, site: AstNode, ctx: EvalContext): number {
    this.choiceCount++;
    const previous = this.decisions.get(key);
    if (previous !== undefined) {
      if (this.keySteps.get(key) !== this.stepCount) this.crossStepKeys.add(key);
      return previous;
    }
    this.keySteps.set(key, this.stepCount);
    const taken = this.decider.decide(key, n, site);
    if (!(Number.isInteger(taken) && taken >= 0 && taken < n)) throw new Error(`decider returned ${taken} for ${key} with ${n} options`);
    this.decisions.set(key, taken);
    this.trace.push({ key, options: n, site, taken, nested: ctx.choiceStack.length > 0, step: this.stepCount });
    return taken;
  }

  private evalChoice(e: ast.Call, frame: Frame, ctx: EvalContext): Value {
    let shared = false;
    const options: ast.Expr[] = [];
    for (const a of e.args) {
      if (a.name === 'shared') {
        const v = this.evalExpr(a.value, frame, ctx);
        shared = this.expectBool(v, a.value, '`shared`');
      } else if (a.name) {
        this.fail(a, `choice has no attribute \`${a.name}\` (expected: shared)`, 'unknown-attribute', 'name');
      } else options.push(a.value);
    }
    if (options.length === 0) this.fail(e, 'empty choice: give at least one option', 'empty-choice');
    const key = this.siteKey(e, shared, ctx);
    if (options.length === 1) {
      // choice(list): a choice among the list's elements.
      const list = this.evalExpr(options[0]!, frame, ctx);
      if (isPoison(list)) return list;
      if (!Array.isArray(list)) return list; // a single option is no choice
      if (list.length === 0) this.fail(e, 'empty choice: the list has no elements', 'empty-choice');
      const i = this.decideAt(key, list.length, e, ctx);
      return this.ownedBy(list[i]!, key);
    }
    const i = this.decideAt(key, options.length, e, ctx);
    const inner = withContext(ctx, ctx.path, ctx.scope, [...ctx.choiceStack, key], ctx.repeatIndex, ctx.body);
    return this.ownedBy(this.evalExpr(options[i]!, frame, inner), key);
  }

  /** A layer chosen at `key` creates its nodes under that key wherever it is applied. */
  private ownedBy(v: Value, key: string): Value {
    if (isDefinitionValue(v) && v.definition.kind !== 'fn') {
      const def = v.definition;
      // Bare op/block reference: apply with defaults, lazily, under the key.
      return {
        kind: 'layer',
        arity: 1,
        label: def.name,
        sharesChoices: def.kind === 'cell',
        apply: (inputs, c) => {
          const layer = this.layerOfDefinition(def, [], new Frame(this.globals), c, def);
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

  private evalChoose(named: Record<string, Value>, e: ast.Call, ctx: EvalContext): Value {
    const k = named['k'] as number;
    const options = named['options'] as Value[];
    const n = options.length;
    if (!(k >= 1 && k <= n)) this.fail(e, `choose needs 1 <= k <= ${n} options, found k = ${k}`, 'attribute-range');
    const combos = binomial(n, k);
    const key = this.siteKey(e, named['shared'] as boolean, ctx);
    const idx = this.decideAt(key, combos, e, ctx);
    return unrankCombination(n, k, idx).map((i) => options[i]!);
  }

  // ---------------------------------------------------------------- checks

  private expectNumber(v: Value, node: AstNode, what: string): number {
    if (isPoison(v)) throw new EvalError('', node, 'poison');
    if (typeof v !== 'number') this.fail(node, `expected ${what}, found ${describeValue(v)}`, 'type-mismatch');
    return v;
  }
  private expectInt(v: Value, node: AstNode, what: string): number {
    const n = this.expectNumber(v, node, what);
    if (!Number.isInteger(n)) this.fail(node, `expected ${what} (an integer), found ${n}`, 'type-mismatch');
    return n;
  }
  private expectBool(v: Value, node: AstNode, what: string): boolean {
    if (typeof v !== 'boolean') this.fail(node, `expected ${what} to be true or false, found ${describeValue(v)}`, 'type-mismatch');
    return v;
  }
}

// ------------------------------------------------------------------ helpers

/** The empty lists of a call without tensor arguments (never changed). */
const NO_VALUES: Value[] = Object.freeze([]) as unknown as Value[];
const NO_NODES: AstNode[] = Object.freeze([]) as unknown as AstNode[];

/** No cross-step keys (shared by the results that have none). */
const NO_KEYS: ReadonlySet<string> = new Set<string>();

/** No tensors (shared: most op calls capture none). */
const NO_TENSORS: TensorValue[] = [];
/** bareOpAttrs' answer for an op that must be bound as any call. */
const NOT_BARE = Symbol('not bare');

/**
 * An op with its attributes bound, and tensors it captured (`add(x)` applied to y adds x and
 * y). Layers are objects of a few classes rather than closures: a closure, its context and
 * the layer object were three allocations per op applied.
 */
class OpLayer implements LayerValue {
  readonly kind = 'layer';
  readonly arity = 1;
  readonly sharesChoices = false;
  constructor(
    private readonly ev: Evaluator,
    readonly label: string,
    private readonly attrs: Attrs,
    private readonly captured: readonly TensorValue[],
    private readonly site: AstNode,
  ) {}
  apply(inputs: readonly TensorValue[], c: EvalContext): Value {
    const captured = this.captured;
    return this.ev.applyPrimitive(
      this.label,
      this.attrs,
      captured.length === 0 && inputs.length <= 1 ? inputs : [...inputs.slice(0, 1), ...captured],
      c,
      this.site,
    );
  }
}

/** A block or cell with its arguments bound; its arity is the number of names of its `input` statement. */
class DefinitionLayer implements LayerValue {
  readonly kind = 'layer';
  readonly arity: number;
  readonly label: string;
  readonly sharesChoices: boolean;
  constructor(
    private readonly ev: Evaluator,
    private readonly def: ast.Definition,
    private readonly sig: Signature,
    private readonly values: readonly Value[],
    private readonly site: AstNode,
  ) {
    this.arity = Math.max(1, sig.inputDecl?.names.length ?? 1);
    this.label = def.name;
    this.sharesChoices = def.kind === 'cell';
  }
  apply(inputs: readonly TensorValue[], c: EvalContext): Value {
    return this.ev.applyDefinition(this.def, this.sig, this.values, this.site, inputs, c);
  }
}

/** "`k` of conv", for messages (made only when one is: a string per typed argument was a tenth of binding). */
function paramWhere(p: ast.Param, def: ast.Definition): string {
  return `\`${p.name}\` of ${def.name}`;
}

function hasSyntaxErrors(root: AstNode): boolean {
  const doc = (root as { $document?: { parseResult: { parserErrors: unknown[]; lexerErrors: unknown[] } } }).$document;
  return !!doc && (doc.parseResult.parserErrors.length > 0 || doc.parseResult.lexerErrors.length > 0);
}

/**
 * A context like `ctx` with the given fields, always built with the same property order: object
 * spreads of contexts of varying shapes were a tenth of the elaboration time.
 */
function withContext(
  ctx: EvalContext,
  path: InstancePath | undefined,
  scope: string,
  choiceStack: readonly string[],
  repeatIndex: number | undefined,
  body: BodyState | undefined,
): EvalContext {
  return { path, scope, callStack: ctx.callStack, choiceStack, repeatIndex, body };
}

/**
 * The instance path of a choice key (docs/dsl.md, "Choices"): `/site#repeat` per enclosing
 * block call and loop iteration. Built as a list and turned into text only when a choice needs
 * its key: most calls decide nothing, and their site ids cost range lookups in the CST.
 */
class InstancePath {
  private text: string | undefined;
  constructor(
    readonly parent: InstancePath | undefined,
    readonly site: AstNode,
    readonly suffix: string,
  ) {}
  toText(): string {
    this.text ??= `${pathText(this.parent)}/${siteId(this.site)}${this.suffix}`;
    return this.text;
  }
}

function pathText(path: InstancePath | undefined): string {
  return path ? path.toText() : '';
}

function join(scope: string, name: string): string {
  return scope ? `${scope}/${name}` : name;
}

/** The last k tensors of a sequence, padded with the earliest when there are fewer. */
function lastK(history: readonly TensorValue[], k: number): readonly TensorValue[] {
  if (history.length >= k) return history.slice(history.length - k);
  return padInputs(history, k);
}

/** `ts` padded to `k` tensors with its first; `ts` itself when long enough (inputs are never changed). */
function padInputs(ts: readonly TensorValue[], k: number): readonly TensorValue[] {
  if (ts.length >= k) return ts;
  const out = [...ts];
  while (out.length < k) out.unshift(ts[0]!);
  return out;
}

/**
 * A site's stable id: the enclosing definition and the 1-based line:column of the call
 * counted from the definition's first line, so that ids (and the architecture encodings made
 * of them) do not change when text above the definition is edited.
 */
const siteIds = new WeakMap<AstNode, string>();

export function siteId(node: AstNode): string {
  let id = siteIds.get(node);
  if (id === undefined) {
    id = computeSiteId(node);
    siteIds.set(node, id);
  }
  return id;
}

function computeSiteId(node: AstNode): string {
  const def = AstUtils.getContainerOfType(node, (x): x is ast.Definition => x.$type === 'Definition');
  const pos = node.$cstNode?.range.start;
  const base = def?.$cstNode?.range.start.line ?? 0;
  return `${def?.name ?? 'top'}@${pos ? pos.line - base + 1 : 0}:${pos ? pos.character + 1 : 0}`;
}

function roundFloat(x: number): number {
  // Keep decimal arithmetic tidy (0.1*3 = 0.3) without hiding real differences.
  return Math.abs(x - Math.round(x)) < 1e-9 ? Math.round(x) : Number(x.toPrecision(12));
}

function valueEquals(a: Value, b: Value): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => valueEquals(x, b[i]!));
  if (isTensor(a) && isTensor(b)) return a.node === b.node;
  return a === b;
}

export function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** The idx-th k-combination of 0..n-1 in lexicographic order. */
export function unrankCombination(n: number, k: number, idx: number): number[] {
  const out: number[] = [];
  let x = 0;
  let rest = idx;
  for (let slot = k; slot > 0; slot--) {
    for (;;) {
      const c = binomial(n - x - 1, slot - 1);
      if (rest < c) break;
      rest -= c;
      x++;
    }
    out.push(x);
    x++;
  }
  return out;
}

// ------------------------------------------------------------------ cache

/**
 * The first-options elaboration of each definition, shared by validation, cost reports and
 * editor hints. An entry is valid while the definition's fingerprint is unchanged: neither
 * it nor any definition it depends on was re-parsed or re-linked (semantics/dependencies.ts).
 */
const cache = new NodeSlot<ast.Definition, { fingerprint: string; result: ElaborationResult }>('elaboration');

export function elaborateCached(def: ast.Definition): ElaborationResult {
  const fingerprint = fingerprintOf(def);
  const hit = cache.get(def);
  if (hit && hit.fingerprint === fingerprint) return hit.result;
  const result = elaborate(def, { rootDocument: AstUtils.findRootNode(def) });
  cache.set(def, { fingerprint, result });
  return result;
}
