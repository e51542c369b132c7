/**
 * The nondominated front of two objectives, kept as trials arrive: each new point is compared
 * with its neighbour on the front only (binary search on the first objective), so a run of n
 * trials costs O(n log n) plus the removals, never O(n²) per event (Kung, Luccio & Preparata
 * 1975, "On finding the maxima of a set of vectors", the two-dimensional case).
 */

export interface FrontPoint {
  trial: number;
  /** Both objectives turned into "smaller is better". */
  a: number;
  b: number;
}

export class Front2D {
  /** Sorted by `a` ascending; `b` then strictly descending. */
  readonly points: FrontPoint[] = [];

  /** Offers a point; true when it joined the front (which may have dropped others). */
  add(p: FrontPoint): boolean {
    if (!Number.isFinite(p.a) || !Number.isFinite(p.b)) return false;
    const pts = this.points;
    let lo = 0;
    let hi = pts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pts[mid]!.a < p.a) lo = mid + 1;
      else hi = mid;
    }
    // The point before has a smaller a: it dominates p when its b is no larger.
    if (lo > 0 && pts[lo - 1]!.b <= p.b) return false;
    // A point with the same a and no larger b dominates p (or equals it: the first one stays).
    if (lo < pts.length && pts[lo]!.a === p.a && pts[lo]!.b <= p.b) return false;
    let end = lo;
    while (end < pts.length && pts[end]!.b >= p.b) end++;
    pts.splice(lo, end - lo, p);
    return true;
  }

  /**
   * The area dominated by the front and bounded by `ref` (both "smaller is better"): the
   * two-objective hypervolume (Zitzler & Thiele 1998, "Multiobjective optimization using
   * evolutionary algorithms — a comparative case study").
   */
  hypervolume(ref: readonly [number, number]): number {
    let hv = 0;
    const pts = this.points.filter((p) => p.a < ref[0] && p.b < ref[1]);
    for (let i = 0; i < pts.length; i++) {
      const next = i + 1 < pts.length ? pts[i + 1]!.a : ref[0];
      hv += (next - pts[i]!.a) * (ref[1] - pts[i]!.b);
    }
    return hv;
  }
}
