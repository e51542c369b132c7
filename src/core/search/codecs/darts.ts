/**
 * DARTS genotypes (Liu, Simonyan & Yang, ICLR 2019; `Genotype(normal=[(op, input), ...],
 * normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[2, 3, 4, 5])` as in quark0/darts
 * genotypes.py) <-> decisions of a space written as examples/darts_space.nas.
 *
 * Read from the space's decisions: per cell type, four nodes each decided as a `choose(2, ...)`
 * of the earlier states (its options: the pairs in lexicographic order, as `choose` ranks
 * them) followed by the op on the lower and on the higher input. Op names come from the graph
 * (op-signature.ts); the cell type whose ops reduce resolution is `reduce`.
 */
import { binomial, unrankCombination } from '../../semantics/evaluator/index.js';
import type { ArchitectureSpace } from '../architecture-space.js';
import type { Arch } from '../types.js';
import { cellOpName, firstChain } from './op-signature.js';

export const DARTS_OPS = ['none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'sep_conv_3x3', 'sep_conv_5x5', 'dil_conv_3x3', 'dil_conv_5x5'] as const;

interface CellKeys {
  /** Per node: [choose key, op key on the lower input, op key on the higher input] (key indices). */
  readonly nodes: readonly (readonly [number, number, number])[];
}

export interface DartsGenotype {
  readonly normal: readonly (readonly [string, number])[];
  readonly reduce: readonly (readonly [string, number])[];
}

export class DartsCodec {
  private constructor(
    private readonly space: ArchitectureSpace,
    private readonly normal: CellKeys,
    private readonly reduce: CellKeys,
    /** opName[key][option] for the op keys. */
    private readonly opName: ReadonlyMap<number, readonly string[]>,
  ) {}

  static of(space: ArchitectureSpace): DartsCodec | string {
    const keys = space.keys;
    const expected = [1, 8, 8, 3, 8, 8, 6, 8, 8, 10, 8, 8];
    if (space.structural || keys.length !== 24 || keys.some((k, i) => k.options !== expected[i % 12])) {
      return 'a DARTS space has two cell types of four nodes, each an input pair (choose 2) and two of the eight ops';
    }
    const cells: CellKeys[] = [0, 12].map((base) => ({
      nodes: [0, 1, 2, 3].map((j) => [base + 3 * j, base + 3 * j + 1, base + 3 * j + 2] as const),
    }));
    const opKeys = cells.flatMap((c) => c.nodes.flatMap((n) => [n[1], n[2]]));
    const opName = new Map<number, string[]>(opKeys.map((k) => [k, []]));
    const strided = new Set<number>();
    for (let o = 0; o < 8; o++) {
      const genes = new Int32Array(24);
      for (const k of opKeys) genes[k] = o;
      const r = space.elaborate(space.fromGenes(genes));
      for (const k of opKeys) {
        const chain = firstChain(r, keys[k]!.key);
        const name = cellOpName(chain);
        if (!name || !(DARTS_OPS as readonly string[]).includes(name)) return `option ${o + 1} of ${keys[k]!.key} is not one of the DARTS ops`;
        opName.get(k)!.push(name);
        if (chain.some((n) => n.attrs['stride'] === 2)) strided.add(k);
      }
    }
    const reduces = cells.map((c) => c.nodes.some((n) => strided.has(n[1]) || strided.has(n[2])));
    if (reduces[0] === reduces[1]) return 'expected one normal and one reduction cell type';
    const [normal, reduce] = reduces[0] ? [cells[1]!, cells[0]!] : [cells[0]!, cells[1]!];
    return new DartsCodec(space, normal, reduce, opName);
  }

  genotype(arch: Arch): DartsGenotype {
    const cell = (c: CellKeys) =>
      c.nodes.flatMap(([choose, lo, hi], j) => {
        const [a, b] = unrankCombination(j + 2, 2, arch.genes[choose]!);
        return [[this.opName.get(lo)![arch.genes[lo]!]!, a!] as const, [this.opName.get(hi)![arch.genes[hi]!]!, b!] as const];
      });
    return { normal: cell(this.normal), reduce: cell(this.reduce) };
  }

  /** `Genotype(normal=[...], normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[2, 3, 4, 5])`. */
  format(arch: Arch): string {
    const g = this.genotype(arch);
    const list = (xs: DartsGenotype['normal']) => `[${xs.map(([op, i]) => `('${op}', ${i})`).join(', ')}]`;
    return `Genotype(normal=${list(g.normal)}, normal_concat=[2, 3, 4, 5], reduce=${list(g.reduce)}, reduce_concat=[2, 3, 4, 5])`;
  }

  /** The architecture of a genotype written as DARTS prints it; throws with what is wrong. */
  parse(text: string): Arch {
    const genes = new Int32Array(24);
    for (const [name, cell] of [
      ['normal', this.normal],
      ['reduce', this.reduce],
    ] as const) {
      const m = new RegExp(`${name}\\s*=\\s*\\[([^\\]]*)\\]`).exec(text);
      if (!m) throw new Error(`no \`${name}=[...]\` in the genotype`);
      const pairs = [...m[1]!.matchAll(/\(\s*['"](\w+)['"]\s*,\s*(\d+)\s*\)/g)].map((x) => [x[1]!, Number(x[2])] as const);
      if (pairs.length !== 8) throw new Error(`${name} needs 8 (op, input) pairs, found ${pairs.length}`);
      cell.nodes.forEach(([choose, lo, hi], j) => {
        const edges = [pairs[2 * j]!, pairs[2 * j + 1]!].sort((x, y) => x[1] - y[1]);
        const [a, b] = [edges[0]![1], edges[1]![1]];
        if (a === b || b >= j + 2) throw new Error(`${name} node ${j}: inputs ${a} and ${b} must be distinct states among 0..${j + 1}`);
        genes[choose] = pairRank(j + 2, a, b);
        for (const [k, [op]] of [
          [lo, edges[0]!],
          [hi, edges[1]!],
        ] as const) {
          const o = this.opName.get(k)!.indexOf(op);
          if (o < 0) throw new Error(`unknown op "${op}" (ops: ${DARTS_OPS.join(', ')})`);
          genes[k] = o;
        }
      });
    }
    return this.space.fromGenes(genes);
  }
}

/** Lexicographic rank of the pair a < b among the pairs of 0..n-1 (the inverse of unrankCombination). */
function pairRank(n: number, a: number, b: number): number {
  let rank = 0;
  for (let x = 0; x < a; x++) rank += binomial(n - x - 1, 1);
  return rank + (b - a - 1);
}
