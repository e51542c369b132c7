/**
 * A space as strategies see it: architectures as option vectors over the space's choice keys
 * (types.ts `Arch`), uniform sampling, one-decision mutation and neighbourhoods, uniform
 * crossover, canonical encodings and free cost-model figures.
 *
 * Two regimes, chosen once from the space's analysis (semantics/space.ts):
 * - no structural key (NAS-Bench-201, DARTS, MnasNet): the keys are fixed, every vector is an
 *   architecture and the operators are array operations, with no elaboration; costs come
 *   from the compiled cost table when the space is separable, else from one elaboration per
 *   architecture (cached);
 * - structural keys (a depth choice decides which keys exist): every operator ends with an
 *   elaboration that decides the keys it reaches (kept options where the parent had them,
 *   uniform draws for keys it did not) and records the trace as the canonical architecture.
 */
import type * as ast from '../language/syntax/generated/ast.js';
import type { ElaborationResult } from '../semantics/evaluator/index.js';
import { elaborate } from '../semantics/evaluator/index.js';
import { SpaceSampler, architectureId, evaluateCostTable, type CostTable, type Decisions, type KeyInfo } from '../semantics/space.js';
import { Rng } from '../util/random.js';
import type { Arch, CostMetrics } from './types.js';

const CACHE_LIMIT = 200_000;
const ELABORATION_CACHE = 64;

export class ArchitectureSpace {
  /** Every key met so far, first-options keys first; structural spaces add keys as they are reached. */
  readonly keys: KeyInfo[];
  readonly structural: boolean;
  /** The exact additive cost model (separable spaces without structural keys). */
  readonly table: CostTable | undefined;
  /** Why a separable-looking space is costed by elaboration (see tableHolds). */
  readonly tableNote: string | undefined;
  /** What other modules compute once per space (describe.ts: its codecs). */
  readonly memo = new Map<string, unknown>();
  private readonly keyIndex = new Map<string, number>();
  private readonly sampler: SpaceSampler;
  private readonly costCache = new Map<string, CostMetrics>();
  private readonly elaborations = new Map<string, ElaborationResult>();
  private readonly pieces: string[][] = [];
  /** Radix of each key for `index` (non-structural spaces whose size fits a double exactly). */
  private readonly indexable: boolean;

  constructor(readonly def: ast.Definition) {
    this.sampler = new SpaceSampler(def);
    this.structural = this.sampler.structural;
    this.keys = [...this.sampler.keys];
    this.keys.forEach((k, i) => this.keyIndex.set(k.key, i));
    this.table = this.structural ? undefined : this.sampler.table;
    if (this.table && !this.tableHolds(this.table)) {
      this.table = undefined;
      this.tableNote = 'the cost of some choices depends on others: costs come from elaborating each architecture';
    }
    const size = this.keys.reduce((p, k) => p * k.options, 1);
    this.indexable = !this.structural && size <= Number.MAX_SAFE_INTEGER;
  }

  /** Number of decisions an architecture has (the first-options architecture's, for structural spaces). */
  get dimension(): number {
    return this.keys.length;
  }

  keyIndexOf(key: string): number | undefined {
    return this.keyIndex.get(key);
  }

  // ------------------------------------------------------------------ making architectures

  /** The architecture with these options (non-structural spaces: taken as is). */
  fromGenes(genes: Int32Array, rng?: Rng): Arch {
    if (!this.structural) return { genes, encoding: this.encode(genes) };
    const known = new Map<string, number>();
    genes.forEach((o, i) => {
      if (o >= 0) known.set(this.keys[i]!.key, o);
    });
    return this.complete(known, rng);
  }

  fromDecisions(decisions: Decisions, rng?: Rng): Arch {
    if (!this.structural) {
      const genes = new Int32Array(this.keys.length);
      for (const [k, o] of decisions) {
        const i = this.keyIndex.get(k);
        if (i !== undefined) genes[i] = Math.min(Math.max(0, o), this.keys[i]!.options - 1);
      }
      return { genes, encoding: this.encode(genes) };
    }
    return this.complete(decisions, rng);
  }

  decisions(arch: Arch): Map<string, number> {
    const out = new Map<string, number>();
    arch.genes.forEach((o, i) => {
      if (o >= 0) out.set(this.keys[i]!.key, o);
    });
    return out;
  }

  id(arch: Arch): string {
    return architectureId(arch.encoding);
  }

  /**
   * Mixed-radix number of a non-structural architecture (keys in order, first key most
   * significant); -1 for structural or huge spaces. Table-backed evaluators index by it.
   */
  index(arch: Arch): number {
    if (!this.indexable) return -1;
    let x = 0;
    for (let i = 0; i < this.keys.length; i++) x = x * this.keys[i]!.options + arch.genes[i]!;
    return x;
  }

  /** Uniform over the space (structural keys weighted by the architectures they lead to). */
  sample(rng: Rng): Arch {
    if (!this.structural) {
      const genes = new Int32Array(this.keys.length);
      for (let i = 0; i < genes.length; i++) genes[i] = rng.int(this.keys[i]!.options);
      return { genes, encoding: this.encode(genes) };
    }
    const s = this.sampler.sample(rng);
    this.remember(s.encoding, s.result);
    return this.fromTrace(s.result);
  }

  /** Reached keys of an architecture that have a real choice (more than one option). */
  mutableKeys(arch: Arch): number[] {
    const out: number[] = [];
    for (let i = 0; i < arch.genes.length; i++) if (arch.genes[i]! >= 0 && this.keys[i]!.options > 1) out.push(i);
    return out;
  }

  /** One reached decision changed to another of its options, uniformly. */
  mutate(arch: Arch, rng: Rng): Arch {
    const keys = this.mutableKeys(arch);
    if (keys.length === 0) return arch;
    const i = keys[rng.int(keys.length)]!;
    const n = this.keys[i]!.options;
    const cur = arch.genes[i]!;
    return this.withGene(arch, i, (cur + 1 + rng.int(n - 1)) % n, rng);
  }

  /** `arch` with decision i set to option o. */
  withGene(arch: Arch, i: number, o: number, rng?: Rng): Arch {
    const genes = new Int32Array(Math.max(arch.genes.length, i + 1)).fill(-1);
    genes.set(arch.genes);
    genes[i] = o;
    return this.fromGenes(genes, rng);
  }

  /** Every architecture one decision away, in key then option order. */
  neighbours(arch: Arch, rng?: Rng): Arch[] {
    const out: Arch[] = [];
    for (const i of this.mutableKeys(arch)) {
      for (let o = 0; o < this.keys[i]!.options; o++) if (o !== arch.genes[i]) out.push(this.withGene(arch, i, o, rng));
    }
    return out;
  }

  /** Uniform crossover: each decision from either parent (from the one that has it, if only one does). */
  crossover(a: Arch, b: Arch, rng: Rng): Arch {
    const n = Math.max(a.genes.length, b.genes.length);
    const genes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const x = i < a.genes.length ? a.genes[i]! : -1;
      const y = i < b.genes.length ? b.genes[i]! : -1;
      genes[i] = x < 0 ? y : y < 0 ? x : rng.next() < 0.5 ? x : y;
    }
    return this.fromGenes(genes, rng);
  }

  // ------------------------------------------------------------------ costs and graphs

  /** Cost-model figures (free: a table lookup for separable spaces, one cached elaboration otherwise). */
  costs(arch: Arch): CostMetrics {
    if (this.table) {
      const t = evaluateCostTable(this.table, arch.genes);
      return { params: t.params, macs: t.macs, flops: 2 * t.macs, activations: t.acts };
    }
    let c = this.costCache.get(arch.encoding);
    if (!c) {
      const t = this.elaborate(arch).graph.totals();
      c = { params: t.params, macs: t.macs, flops: 2 * t.macs, activations: t.acts };
      if (this.costCache.size >= CACHE_LIMIT) this.costCache.clear();
      this.costCache.set(arch.encoding, c);
    }
    return c;
  }

  /** The architecture elaborated (a few recent ones are kept). */
  elaborate(arch: Arch): ElaborationResult {
    const hit = this.elaborations.get(arch.encoding);
    if (hit) return hit;
    const decisions = this.decisions(arch);
    const r = elaborate(this.def, { decider: { decide: (key) => decisions.get(key) ?? 0 } });
    this.remember(arch.encoding, r);
    return r;
  }

  // ------------------------------------------------------------------ internals

  /**
   * The space analysis proves separability from single deviations of the first-options
   * architecture, which misses interactions hidden by a zero-cost first option (DARTS: an
   * edge's stride depends on the input pair, but the `none` op costs nothing at any stride).
   * A table that disagrees with elaboration on a few seeded random architectures is not used.
   */
  private tableHolds(table: CostTable): boolean {
    const rng = new Rng(0x7ab1e);
    const probes = [new Int32Array(this.keys.map((k) => k.options - 1))];
    for (let i = 0; i < 8; i++) probes.push(Int32Array.from(this.keys, (k) => rng.int(k.options)));
    return probes.every((genes) => {
      const t = evaluateCostTable(table, genes);
      const decisions = new Map(this.keys.map((k, i) => [k.key, genes[i]!]));
      const e = elaborate(this.def, { decider: { decide: (key) => decisions.get(key) ?? 0 } }).graph.totals();
      return t.params === e.params && t.macs === e.macs && t.acts === e.acts;
    });
  }

  private encode(genes: Int32Array): string {
    let s = '';
    for (let i = 0; i < genes.length; i++) {
      const o = genes[i]!;
      if (o < 0) continue;
      // `key=option` pieces are made once per key and option: encoding is on the search's hot path.
      const pieces = (this.pieces[i] ??= []);
      const piece = (pieces[o] ??= `${this.keys[i]!.key}=${o}`);
      s = s ? `${s};${piece}` : piece;
    }
    return s;
  }

  /** Elaborates with `known` decisions, drawing the others (uniformly with `rng`, else option 0). */
  private complete(known: Decisions, rng: Rng | undefined): Arch {
    const r = elaborate(this.def, { decider: { decide: (key, n) => known.get(key) ?? (rng ? rng.int(n) : 0) } });
    const arch = this.fromTrace(r);
    this.remember(arch.encoding, r);
    return arch;
  }

  private fromTrace(r: ElaborationResult): Arch {
    for (const t of r.trace) {
      if (!this.keyIndex.has(t.key)) {
        this.keyIndex.set(t.key, this.keys.length);
        this.keys.push({ key: t.key, options: t.options, site: t.site });
      }
    }
    const genes = new Int32Array(this.keys.length).fill(-1);
    for (const t of r.trace) genes[this.keyIndex.get(t.key)!] = t.taken;
    // The trace order is the canonical decision order (encodeDecisions).
    return { genes, encoding: r.trace.map((t) => `${t.key}=${t.taken}`).join(';') };
  }

  private remember(encoding: string, r: ElaborationResult): void {
    if (this.elaborations.size >= ELABORATION_CACHE) this.elaborations.delete(this.elaborations.keys().next().value!);
    this.elaborations.set(encoding, r);
  }
}
