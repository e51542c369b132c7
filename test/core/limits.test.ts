/**
 * The bounds behind issue 20, counted in steps rather than time: how many candidates a "did
 * you mean" reads, how many evaluation steps a space analysis spends, how many subsets a
 * `choose` may have (counted exactly). Each is compared with an independent reference.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { editDistance, MAX_SUGGESTION_CANDIDATES, suggestName, boundedMessage, MAX_MESSAGE } from '../../src/core/semantics/suggest.js';
import { binomialAtMost } from '../../src/core/semantics/evaluator/combinatorics.js';
import { AnalysisBudget } from '../../src/core/semantics/analysis-budget.js';
import { computeSpaceStats, elaborateWith, enumerateArchitectures, SpaceAnalysisError } from '../../src/core/semantics/space.js';
import { MAX_KEPT_ELEMENTS } from '../../src/core/semantics/evaluator/constant-lists.js';
import { build } from '../helpers/nas.js';

/** Damerau-Levenshtein (optimal string alignment) over the full matrix: the reference. */
function referenceDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** Candidates that count how many were read. */
function counted(names: string[]): { names: Iterable<string>; read: () => number } {
  let read = 0;
  return {
    names: {
      *[Symbol.iterator]() {
        for (const n of names) {
          read++;
          yield n;
        }
      },
    },
    read: () => read,
  };
}

describe('suggestions are bounded', () => {
  it('the two-row distance with a cut-off equals the full-matrix reference', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 12 }),
        fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 12 }),
        fc.nat(6),
        (a, b, cap) => {
          const exact = referenceDistance(a, b);
          expect(editDistance(a, b)).toBe(exact);
          expect(editDistance(a, b, cap)).toBe(exact <= cap ? exact : cap + 1);
        },
      ),
      { numRuns: 500, seed: 20 },
    );
  });

  it('a name of 100,000 characters reads no candidate; a scope of 50,000 names is read 5,000 deep', () => {
    const huge = counted(['relu', 'conv']);
    expect(suggestName('r'.repeat(100_000), huge.names)).toBeUndefined();
    expect(huge.read()).toBe(0);
    const scope = counted([...Array.from({ length: 50_000 }, (_, i) => `layer${i}`), 'relu']);
    suggestName('rleu', scope.names);
    expect(scope.read()).toBe(MAX_SUGGESTION_CANDIDATES + 1);
    expect(suggestName('rleu', ['conv', 'relu', 'bn'])).toBe('relu');
  });

  it('messages never echo a megabyte', () => {
    const m = boundedMessage(`unknown name \`${'x'.repeat(1_000_000)}\` and "${'y'.repeat(1_000_000)}"`);
    expect(m.length).toBeLessThanOrEqual(MAX_MESSAGE + 30);
    expect(m).toMatch(/^unknown name `x{64}… \(1,000,000 characters\)` and "y+… \(message shortened\)$/);
  });
});

describe('choices and analyses are bounded', () => {
  it('C(n, k) is exact up to the cap and Infinity past it (BigInt reference)', () => {
    const exact = (n: number, k: number): bigint => {
      let r = 1n;
      for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
      return r;
    };
    for (const [n, k] of [
      [10, 3],
      [40, 20],
      [100, 2],
      [17, 8],
      [60, 30],
    ] as const) {
      const c = exact(n, k);
      expect(binomialAtMost(n, k, 100_000)).toBe(c <= 100_000n ? Number(c) : Infinity);
    }
  });

  it('an analysis spends at most its budget of evaluation steps, and says so when it cannot finish', async () => {
    const b = await build('space S {\n  input(3, 8, 8)\n  conv(choice(8, 16, 24), k=3) -> conv(choice(8, 16), k=3) -> conv(choice(8, 16, 32), k=1)\n}\n');
    const def = b.def('S');
    // Enumeration within a budget of five runs' steps stops after five of the 18 architectures.
    const perRun = elaborateWith(def).work;
    const budget = new AnalysisBudget(def, 5 * perRun);
    let work = 0;
    let runs = 0;
    const complete = enumerateArchitectures(
      def,
      (r) => {
        work += r.work;
        runs++;
      },
      Infinity,
      budget,
    );
    expect(complete).toBe(false);
    expect(runs).toBe(5);
    expect(budget.spent).toBe(work);
    expect(work).toBe(5 * perRun);
    // The whole space: 3 x 2 x 3 = 18 architectures, exact with the default budget.
    expect(computeSpaceStats(def).size).toBe(18n);
    expect(() => computeSpaceStats(def, { workLimit: 100 })).toThrow(SpaceAnalysisError);
    expect(() => computeSpaceStats(def, { workLimit: 100 })).toThrow(
      /the space S is too large to analyse: probing its 3 choices \(8 options in all\) needs more than the 100 evaluation steps/,
    );
  });

  it('a choice over a literal range or list of 10,000 values costs each run a few steps, not 10,000', async () => {
    // Rebuilt in every run, `choice(1..n)` made probing its n options cost n^2 steps: a choice
    // of 10,000 values was refused although the analysis needs 10,000 short runs.
    const n = 10_000;
    const sources = [
      `conv(choice(1..${n}), k=1)`,
      `conv(choice(1..C), k=1)`, // bounds that are not literals: the list is kept with them
      `conv(choice([${Array.from({ length: n }, (_, i) => i + 1).join(', ')}]), k=1)`,
    ];
    for (const layer of sources) {
      const b = await build(`space S(C: int = ${n}) {\n  input(3, 8, 8)\n  ${layer}\n}\n`);
      const def = b.def('S');
      // Checking the document (build) elaborated it once and kept the list.
      const first = elaborateWith(def);
      expect(first.work).toBeLessThan(50);
      const again = elaborateWith(def, new Map([[first.trace[0]!.key, n - 1]]));
      expect(again.keptWork).toBe(0);
      expect(again.work).toBeLessThan(50);
      expect(again.graph.totals().params).toBe(3 * n); // conv 1x1, 3 -> n channels, no bias
      const stats = computeSpaceStats(def);
      // Closed form: c output channels cost 3c params and 3c x 8 x 8 MACs.
      expect(stats).toMatchObject({ size: BigInt(n), exact: true, minParams: 3, maxParams: 3 * n, minMacs: 3 * 64, maxMacs: 3 * n * 64 });
    }
  });

  it(`the constant lists kept for one document hold at most ${MAX_KEPT_ELEMENTS.toLocaleString('en-US')} elements`, async () => {
    // Three ranges of a million (checking the document elaborated it once): two are kept, the
    // third is built in every elaboration again and counted as work.
    const b = await build('network N {\n  input(3, 8, 8)\n  let a = 1..1000000\n  let b = 2..1000001\n  let c = 3..1000002\n  relu\n}\n');
    for (let run = 0; run < 2; run++) {
      const r = elaborateWith(b.def('N'));
      expect(r.keptWork).toBe(0);
      expect(r.work).toBeGreaterThanOrEqual(1_000_000);
      expect(r.work).toBeLessThan(1_000_100);
    }
  });
});
