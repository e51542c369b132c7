/**
 * Pareto tools against second methods that share nothing with them: dominance counted
 * pairwise for the fronts, inclusion-exclusion over boxes for the hypervolume, and the
 * crowding distances of a hand-worked example (Deb et al. 2002's definition).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HypervolumeTracker, crowdingDistance, dominates, hypervolume, nondominatedSort, paretoFront } from '../../src/core/search/pareto.js';

const point = (d: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: d, maxLength: d });

/** Volume of the union of boxes [p, ref] by inclusion-exclusion (exponential; small sets only). */
function unionVolume(points: number[][], ref: number[]): number {
  const inside = points.filter((p) => p.every((x, i) => x < ref[i]!));
  let total = 0;
  for (let mask = 1; mask < 1 << inside.length; mask++) {
    const chosen = inside.filter((_, i) => mask & (1 << i));
    const corner = ref.map((_, k) => Math.max(...chosen.map((p) => p[k]!)));
    const vol = corner.reduce((v, c, k) => v * (ref[k]! - c), 1);
    total += (chosen.length % 2 === 1 ? 1 : -1) * vol;
  }
  return total;
}

describe('Pareto tools', () => {
  it('nondominated sorting: each front is nondominated within the rest and dominated by the one before', () => {
    fc.assert(
      fc.property(fc.array(point(3), { minLength: 1, maxLength: 30 }), (pts) => {
        const fronts = nondominatedSort(pts);
        expect(fronts.flat().sort((a, b) => a - b)).toEqual(pts.map((_, i) => i));
        const remaining = new Set(pts.map((_, i) => i));
        for (const f of fronts) {
          for (const i of f) expect([...remaining].some((j) => dominates(pts[j]!, pts[i]!))).toBe(false);
          for (const j of remaining) if (!f.includes(j)) expect(f.some((i) => dominates(pts[i]!, pts[j]!))).toBe(true);
          for (const i of f) remaining.delete(i);
        }
      }),
    );
  });

  it('the hypervolume equals inclusion-exclusion over the dominated boxes (2 to 4 objectives)', () => {
    for (const d of [2, 3, 4]) {
      fc.assert(
        fc.property(fc.array(point(d), { minLength: 0, maxLength: 9 }), (pts) => {
          const ref = new Array<number>(d).fill(10);
          expect(hypervolume(pts, ref)).toBeCloseTo(unionVolume(pts, ref), 6);
        }),
        { numRuns: 60 },
      );
    }
  });

  it('the tracker gives the hypervolume of every prefix', () => {
    fc.assert(
      fc.property(fc.array(point(2), { minLength: 1, maxLength: 25 }), (pts) => {
        const t = new HypervolumeTracker([10, 10]);
        pts.forEach((p, i) => expect(t.add(p)).toBeCloseTo(unionVolume(pts.slice(0, i + 1), [10, 10]), 6));
      }),
    );
  });

  it('the front keeps one of equal points and drops dominated ones', () => {
    expect(
      paretoFront([
        [1, 5],
        [2, 2],
        [2, 2],
        [3, 3],
        [5, 1],
      ]),
    ).toEqual([0, 1, 4]);
  });

  it('crowding distance: infinite at the extremes, the normalised side lengths of the cuboid inside', () => {
    const pts = [
      [0, 10],
      [2, 6],
      [5, 5],
      [10, 0],
    ];
    const d = crowdingDistance(pts, [0, 1, 2, 3]);
    expect(d.get(0)).toBe(Infinity);
    expect(d.get(3)).toBe(Infinity);
    expect(d.get(1)).toBeCloseTo((5 - 0) / 10 + (10 - 5) / 10, 12);
    expect(d.get(2)).toBeCloseTo((10 - 2) / 10 + (6 - 0) / 10, 12);
  });
});
