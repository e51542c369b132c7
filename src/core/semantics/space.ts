/**
 * Search-space analysis: exact size, min/max cost, uniform sampling, canonical encoding, and
 * a compiled cost model for fast evaluation of sampled architectures.
 *
 * Everything here works on the elaborator with a `Decider`: an architecture is an assignment
 * of options to choice keys (see evaluator/index.ts). The analyses run the elaborator on the
 * all-first-options architecture and on every single-option deviation from it, and derive
 * from those runs which structure they can exploit:
 * - a key is *structural* when one of its options changes the set of keys (a depth choice);
 * - the cost is *separable* when, in every deviation, the nodes created outside choices are
 *   identical (same ops, shapes, costs), no choice is nested in another, and every other
 *   key's own nodes cost the same. Then cost(a) = free + sum_k cost_k(a_k) exactly (the
 *   nodes of key k only see shapes that no decision changes), so min/max are per-key minima
 *   and an architecture's cost is a table lookup (as FBNet's latency lookup table, Wu et al.
 *   2019, but exact).
 * Spaces with value choices that change shapes (widths, kernels feeding later layers) are not
 * separable: their min/max come from exhaustive enumeration when the space is small enough,
 * from a dynamic program over the network's statements when it is layer-wise, and otherwise
 * from a coordinate search that reports what it found and says it is not exact (those two in
 * space-extremes.ts).
 */
import type { AstNode } from 'langium';
import type * as ast from '../language/syntax/generated/ast.js';
import { elaborate, type Decider, type ElaborationResult, type TraceEntry } from './evaluator/index.js';
import { AnalysisBudget, BudgetExhausted, elaborateWith, type Decisions } from './analysis-budget.js';
import type { GraphNode, Totals } from './graph.js';
import type { SpaceFigures } from '../../protocol/figures.js';
import { Rng } from '../util/random.js';
import { architectureId, encodeDecisions } from './architecture-encoding.js';
import { coordinateSearch, Extremes, sequentialExtremes } from './space-extremes.js';

export { elaborateWith, type Decisions };
export { architectureId, decodeDecisions, encodeDecisions } from './architecture-encoding.js';

export interface KeyInfo {
  readonly key: string;
  readonly options: number;
  readonly site: AstNode;
}

/** A space's figures (src/protocol/figures.ts) with its size as a number and its keys. */
export interface SpaceStats extends Omit<SpaceFigures, 'size'> {
  /** Number of distinct architectures (assignments of the keys that are reached). */
  size: bigint;
  /** Keys of the first-options architecture, in the order they are decided. */
  keys: KeyInfo[];
  /**
   * The space's number of decisions, whatever the order of the options: the distinct keys of
   * the first-options architecture and of every architecture one decision away from it (a
   * depth choice's deeper options bring their own keys); of every architecture when they are
   * enumerated. Otherwise exact unless a depth choice sits inside what another adds (a lower bound).
   */
  decisions: number;
}

export const ENUMERATION_LIMIT = 20_000;
export const DP_RUN_LIMIT = 4_000;
/** Random architectures on which a separable cost table is checked against elaboration. */
const TABLE_CHECK_RUNS = 16;
const TABLE_CHECK_SEED = 0x5eb4a7e;

function keySetSignature(trace: readonly TraceEntry[]): string {
  return trace
    .map((t) => `${t.key}/${t.options}`)
    .sort()
    .join('|');
}

function freeSignature(nodes: readonly GraphNode[]): string {
  const parts: string[] = [];
  for (const n of nodes) {
    if (n.choiceKeys.length === 0) parts.push(`${n.op}:${n.shape.c}x${n.shape.h}x${n.shape.w}:${n.params}:${n.macs}:${n.acts}`);
  }
  return parts.join(';');
}

function ownedCosts(nodes: readonly GraphNode[]): { byKey: Map<string, Totals>; nested: boolean; free: Totals; signatures: Map<string, string> } {
  const byKey = new Map<string, Totals>();
  // What each key's nodes see and make (op, input and output shapes, costs): a deviation that
  // changes another key's inputs without changing its cost (a zero op fed a larger tensor) still
  // makes the cost depend on both keys.
  const signatures = new Map<string, string>();
  const shapes = new Map<number, string>();
  const free: Totals = { params: 0, macs: 0, acts: 0 };
  let nested = false;
  for (const n of nodes) {
    const out = `${n.shape.c}x${n.shape.h}x${n.shape.w}`;
    shapes.set(n.id, out);
    if (n.choiceKeys.length > 1) nested = true;
    const k = n.choiceKeys[n.choiceKeys.length - 1];
    const t = k === undefined ? free : (byKey.get(k) ?? (byKey.set(k, { params: 0, macs: 0, acts: 0 }), byKey.get(k)!));
    t.params += n.params;
    t.macs += n.macs;
    t.acts += n.acts;
    if (k !== undefined) {
      const ins = n.inputs.map((i) => shapes.get(i) ?? '?').join(',');
      signatures.set(k, `${signatures.get(k) ?? ''}${n.op}(${ins})${out}:${n.params}:${n.macs};`);
    }
  }
  return { byKey, nested, free, signatures };
}

const ZERO: Totals = { params: 0, macs: 0, acts: 0 };
const sameTotals = (a: Totals, b: Totals) => a.params === b.params && a.macs === b.macs && a.acts === b.acts;

/** The exact additive cost model of a separable space. */
export interface CostTable {
  readonly keys: readonly KeyInfo[];
  readonly free: Totals;
  /** costs[i][o]: the cost of the nodes of key i with option o. */
  readonly costs: readonly (readonly Totals[])[];
}

interface Analysis {
  base: ElaborationResult;
  keys: KeyInfo[];
  /** For each key index and option, the key set signature of the deviation (structure probe). */
  structural: Set<number>;
  /** Keys added/removed by each structural key's options, for factorized counting. */
  deviations: Map<number, { added: KeyInfo[]; removed: Set<string> }[]>;
  table: CostTable | undefined;
  notSeparableBecause?: string;
  errors: boolean;
}

/**
 * Runs the base architecture and every single deviation; see the file comment. Throws
 * SpaceAnalysisError when the budget does not cover them.
 */
function analyze(def: ast.Definition, budget: AnalysisBudget): Analysis {
  try {
    return analyzeWithin(def, budget);
  } catch (e) {
    if (!(e instanceof BudgetExhausted)) throw e;
    const keys = elaborateWith(def).trace;
    const options = keys.reduce((n, k) => n + k.options, 0);
    throw new SpaceAnalysisError(
      `the space ${def.name} is too large to analyse: probing its ${plural(keys.length, 'choice')} (${plural(options, 'option')} in all) ${budgetText(budget)}`,
    );
  }
}

function analyzeWithin(def: ast.Definition, budget: AnalysisBudget): Analysis {
  const base = budget.run();
  // Each deviation costs about what the base did: a probe that cannot fit stops now, not
  // after spending the budget (a thousand repeated blocks of choices: one run, not 300).
  // (Constant lists the base built are reused by the deviations: they do not cost again.)
  const probes = base.trace.reduce((n, t) => n + t.options - 1, 0);
  if (budget.spent + probes * Math.max(1, base.work - base.keptWork) > budget.limit) throw new BudgetExhausted(budget.spent);
  const errors = base.diagnostics.some((d) => d.severity === 'error') || !base.output;
  const keys: KeyInfo[] = base.trace.map((t) => ({ key: t.key, options: t.options, site: t.site }));
  const baseKeySig = keySetSignature(base.trace);
  const baseFree = freeSignature(base.graph.nodes);
  const baseOwned = ownedCosts(base.graph.nodes);
  let reason: string | undefined = baseOwned.nested || base.trace.some((t) => t.nested) ? 'a choice is nested in another' : undefined;
  const costs: Totals[][] = keys.map((k) => [baseOwned.byKey.get(k.key) ?? ZERO]);
  const structural = new Set<number>();
  const deviations = new Map<number, { added: KeyInfo[]; removed: Set<string> }[]>();
  const baseKeys = new Set(keys.map((k) => k.key));
  keys.forEach((k, i) => {
    for (let o = 1; o < k.options; o++) {
      const dev = budget.run(new Map([[k.key, o]]));
      if (keySetSignature(dev.trace) !== baseKeySig) {
        structural.add(i);
        const devKeys = new Set(dev.trace.map((t) => t.key));
        const list = deviations.get(i) ?? [];
        list[o] = {
          added: dev.trace.filter((t) => !baseKeys.has(t.key)).map((t) => ({ key: t.key, options: t.options, site: t.site })),
          removed: new Set([...baseKeys].filter((x) => !devKeys.has(x))),
        };
        deviations.set(i, list);
        reason ??= `choice ${k.key} changes which choices exist`;
        continue;
      }
      if (reason) continue;
      const owned = ownedCosts(dev.graph.nodes);
      if (owned.nested || dev.trace.some((t) => t.nested)) reason = 'a choice is nested in another';
      else if (freeSignature(dev.graph.nodes) !== baseFree) reason = `option ${o + 1} of ${k.key} changes shapes or costs outside the choice`;
      else {
        for (const other of keys) {
          if (other.key === k.key) continue;
          if (!sameTotals(owned.byKey.get(other.key) ?? ZERO, baseOwned.byKey.get(other.key) ?? ZERO)) {
            reason = `option ${o + 1} of ${k.key} changes the cost of ${other.key}`;
            break;
          }
          if (owned.signatures.get(other.key) !== baseOwned.signatures.get(other.key)) {
            reason = `option ${o + 1} of ${k.key} changes what ${other.key} computes`;
            break;
          }
        }
      }
      costs[i]![o] = owned.byKey.get(k.key) ?? ZERO;
    }
  });
  let table: CostTable | undefined = reason === undefined && !errors ? { keys, free: baseOwned.free, costs } : undefined;
  if (table) {
    // Single deviations from one base cannot see every interaction (a choice whose first option
    // makes no node hides how its input changed), so the table must also agree with the
    // elaborator on architectures where every key deviates at once.
    const rng = new Rng(TABLE_CHECK_SEED);
    for (let run = 0; run < TABLE_CHECK_RUNS && table; run++) {
      const options = keys.map((k) => rng.int(k.options));
      const actual = elaborateWith(def, new Map(keys.map((k, i) => [k.key, options[i]!]))).graph.totals();
      if (!sameTotals(evaluateCostTable(table, options), actual)) {
        reason = `choices interact: the costs of ${options.length} choices do not add up at architecture ${options.join(',')}`;
        table = undefined;
      }
    }
  }
  return { base, keys, structural, deviations, table, notSeparableBecause: reason, errors };
}

/**
 * Size by factorization: non-structural keys multiply; each structural key contributes the
 * sum over its options of the product of the keys it brings. Exact when the keys that
 * structural keys add or remove are disjoint between structural keys (depth choices per
 * stage); `undefined` otherwise.
 */
function factorizedSize(a: Analysis): bigint | undefined {
  const touched = new Map<string, number>();
  for (const [i, devs] of a.deviations) {
    for (const d of devs) {
      if (!d) continue;
      for (const k of [...d.added.map((x) => x.key), ...d.removed]) {
        const owner = touched.get(k);
        if (owner !== undefined && owner !== i) return undefined;
        touched.set(k, i);
      }
    }
  }
  for (const i of a.structural) if (touched.has(a.keys[i]!.key)) return undefined; // nested structure
  let size = 1n;
  for (let i = 0; i < a.keys.length; i++) {
    const k = a.keys[i]!;
    if (a.structural.has(i) || touched.has(k.key)) continue;
    size *= BigInt(k.options);
  }
  for (const i of a.structural) {
    const groupBase = a.keys.filter((k) => touched.get(k.key) === i);
    let sum = 0n;
    for (let o = 0; o < a.keys[i]!.options; o++) {
      const d = a.deviations.get(i)![o];
      const present = o === 0 || !d ? groupBase : [...groupBase.filter((k) => !d.removed.has(k.key)), ...d.added];
      sum += present.reduce((p, k) => p * BigInt(k.options), 1n);
    }
    size *= sum;
  }
  return size;
}

/**
 * Enumerates every architecture in decision-tree order (an odometer over the trace: the last
 * key that can advance advances, and every key decided after it starts again at option 0).
 * Calls `visit` with each elaboration; stops early and returns false past `limit` runs or
 * when `budget` is spent.
 */
export function enumerateArchitectures(
  def: ast.Definition,
  visit: (r: ElaborationResult, decisions: Decisions) => void,
  limit = Infinity,
  budget = new AnalysisBudget(def, Infinity),
): boolean {
  const assign = new Map<string, number>();
  for (let runs = 0; ; runs++) {
    if (runs >= limit || budget.exhausted) return false;
    const r = budget.run(assign);
    visit(r, new Map(r.trace.map((t) => [t.key, t.taken])));
    let j = r.trace.length - 1;
    while (j >= 0 && r.trace[j]!.taken === r.trace[j]!.options - 1) j--;
    if (j < 0) return true;
    assign.clear();
    for (let i = 0; i < j; i++) assign.set(r.trace[i]!.key, r.trace[i]!.taken);
    assign.set(r.trace[j]!.key, r.trace[j]!.taken + 1);
  }
}

/** Exact size, log10 size and min/max params and MACs of a space (or a fixed network). */
export function computeSpaceStats(
  def: ast.Definition,
  options: { enumerationLimit?: number; seed?: number; dpRunLimit?: number; workLimit?: number } = {},
): SpaceStats {
  const limit = options.enumerationLimit ?? ENUMERATION_LIMIT;
  const budget = new AnalysisBudget(def, options.workLimit);
  const a = analyze(def, budget);
  const keys = a.keys;
  const reached = new Set(keys.map((k) => k.key));
  for (const devs of a.deviations.values()) for (const d of devs) if (d) for (const k of d.added) reached.add(k.key);
  const decisions = reached.size;
  const size = a.structural.size === 0 ? keys.reduce((p, k) => p * BigInt(k.options), 1n) : factorizedSize(a);
  if (a.table) {
    const { free, costs } = a.table;
    const pick = (f: (t: Totals) => number, better: (x: number, y: number) => boolean) =>
      costs.reduce((acc, opts) => acc + opts.map(f).reduce((b, x) => (better(x, b) ? x : b)), f(free));
    return {
      size: size ?? 1n,
      log10Size: log10(size ?? 1n),
      minParams: pick(
        (t) => t.params,
        (x, y) => x < y,
      ),
      maxParams: pick(
        (t) => t.params,
        (x, y) => x > y,
      ),
      minMacs: pick(
        (t) => t.macs,
        (x, y) => x < y,
      ),
      maxMacs: pick(
        (t) => t.macs,
        (x, y) => x > y,
      ),
      exact: true,
      method: 'separable',
      keys,
      decisions,
    };
  }
  // What the probe left is shared: a third to enumerate, half the rest for the dynamic
  // program, the rest to search; achievable figures found on the way are kept.
  const found = new Extremes();
  if (a.base.output) found.add(a.base.graph.totals());
  if (size === undefined || size <= BigInt(limit)) {
    let count = 0n;
    const ext = new Extremes();
    const share = budget.share(1 / 3);
    const complete = enumerateArchitectures(
      def,
      (r) => {
        count++;
        if (r.output) ext.add(r.graph.totals());
        for (const t of r.trace) reached.add(t.key);
      },
      size === undefined ? limit : Number(size) + 1,
      share,
    );
    budget.spend(share);
    if (complete) {
      // Every architecture was visited: the count of their keys is exact.
      return { size: count, log10Size: log10(count), ...ext.result(), exact: true, method: 'enumeration', keys, decisions: reached.size };
    }
    found.merge(ext);
    if (size === undefined) {
      const why = share.exhausted
        ? `within the analysis limit of ${budget.limit.toLocaleString('en-US')} evaluation steps`
        : `(more than ${limit} architectures)`;
      throw new SpaceAnalysisError(`the space ${def.name} nests structural choices too deeply to count exactly ${why}`);
    }
  }
  const dpShare = budget.share(1 / 2);
  const dp = sequentialExtremes(def, options.dpRunLimit ?? DP_RUN_LIMIT, dpShare);
  budget.spend(dpShare);
  if (dp) return { size, log10Size: log10(size), ...dp.result(), exact: true, method: 'dynamic-programming', keys, decisions };
  const ext = coordinateSearch(def, a.base, a.keys, options.seed ?? 0, budget.share(1), found);
  return { size, log10Size: log10(size), ...ext.result(), exact: false, method: 'search', keys, decisions };
}

export class SpaceAnalysisError extends Error {}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

function budgetText(budget: AnalysisBudget): string {
  return `needs more than the ${budget.limit.toLocaleString('en-US')} evaluation steps an analysis may spend`;
}

function log10(n: bigint): number {
  const s = n.toString();
  if (s.length <= 15) return Math.log10(Number(n));
  return Math.log10(Number(s.slice(0, 15))) + (s.length - 15);
}

// ------------------------------------------------------------------ sampling and encoding

export interface SampledArchitecture {
  readonly decisions: Decisions;
  readonly encoding: string;
  readonly id: string;
  readonly result: ElaborationResult;
}

/**
 * A sampler of architectures, uniform over the space: every key uniform, except structural
 * keys (depth choices), whose options are weighted by the number of architectures they lead
 * to, so that each architecture is equally likely.
 */
export class SpaceSampler {
  private readonly analysis: Analysis;
  private readonly weights = new Map<string, bigint[]>();

  constructor(private readonly def: ast.Definition) {
    const budget = new AnalysisBudget(def);
    this.analysis = analyze(def, budget);
    for (const i of this.analysis.structural) {
      const k = this.analysis.keys[i]!;
      const w: bigint[] = [];
      for (let o = 0; o < k.options; o++) {
        if (budget.exhausted) throw new SpaceAnalysisError(`the space ${def.name} is too large to sample: weighing its depth choices ${budgetText(budget)}`);
        w.push(countWith(budget, new Map([[k.key, o]]), k.key));
      }
      this.weights.set(k.key, w);
    }
  }

  get table(): CostTable | undefined {
    return this.analysis.table;
  }

  /** Keys of the first-options architecture, in decision order. */
  get keys(): readonly KeyInfo[] {
    return this.analysis.keys;
  }

  /** True when some choice changes which choices exist (a depth choice). */
  get structural(): boolean {
    return this.analysis.structural.size > 0;
  }

  sample(rng: Rng): SampledArchitecture {
    const decider: Decider = {
      decide: (key, n) => {
        const w = this.weights.get(key);
        return w ? rng.weighted(w) : rng.int(n);
      },
    };
    const result = elaborate(this.def, { decider });
    const encoding = encodeDecisions(result.trace);
    return { decisions: new Map(result.trace.map((t) => [t.key, t.taken])), encoding, id: architectureId(encoding), result };
  }
}

/** Number of architectures with `fixed` decisions, counting keys other than `except` as free. */
function countWith(budget: AnalysisBudget, fixed: Decisions, except: string): bigint {
  const r = budget.run(fixed);
  return r.trace.reduce((p, t) => (t.key === except ? p : p * BigInt(t.options)), 1n);
}

/**
 * Cost of architectures by table lookup, for separable spaces (exact; see the file comment).
 * `evaluate` takes option indices in the order of `table.keys`.
 */
export function compileCostTable(def: ast.Definition): CostTable | undefined {
  return analyze(def, new AnalysisBudget(def)).table;
}

export function evaluateCostTable(table: CostTable, options: ArrayLike<number>): Totals {
  let params = table.free.params;
  let macs = table.free.macs;
  let acts = table.free.acts;
  for (let i = 0; i < table.costs.length; i++) {
    const t = table.costs[i]![options[i]!]!;
    params += t.params;
    macs += t.macs;
    acts += t.acts;
  }
  return { params, macs, acts };
}
