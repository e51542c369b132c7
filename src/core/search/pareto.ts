/**
 * Pareto tools on objective vectors to minimise: dominance, nondominated sorting and
 * crowding distance (Deb, Pratap, Agarwal & Meyarivan, "A Fast and Elitist Multiobjective
 * Genetic Algorithm: NSGA-II", IEEE TEC 2002), and the hypervolume indicator (Zitzler &
 * Thiele 1998): exact, by a sweep in two dimensions and by slicing (HSO, While et al. 2006)
 * in more.
 */

export type Vector = readonly number[];

/** a dominates b: no worse in every objective, better in one. */
export function dominates(a: Vector, b: Vector): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! > b[i]!) return false;
    if (a[i]! < b[i]!) better = true;
  }
  return better;
}

/** Fronts of indices, best first (Deb et al.'s fast nondominated sort). */
export function nondominatedSort(points: readonly Vector[]): number[][] {
  const n = points.length;
  const dominated: number[][] = points.map(() => []);
  const count = new Int32Array(n);
  const fronts: number[][] = [[]];
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n; q++) {
      if (dominates(points[p]!, points[q]!)) {
        dominated[p]!.push(q);
        count[q]!++;
      } else if (dominates(points[q]!, points[p]!)) {
        dominated[q]!.push(p);
        count[p]!++;
      }
    }
  }
  for (let p = 0; p < n; p++) if (count[p] === 0) fronts[0]!.push(p);
  for (let i = 0; fronts[i]!.length > 0; i++) {
    const next: number[] = [];
    for (const p of fronts[i]!) {
      for (const q of dominated[p]!) if (--count[q]! === 0) next.push(q);
    }
    fronts.push(next);
  }
  fronts.pop();
  return fronts;
}

/** Crowding distance of each member of one front (indices into `points`); extremes are infinite. */
export function crowdingDistance(points: readonly Vector[], front: readonly number[]): Map<number, number> {
  const d = new Map<number, number>(front.map((i) => [i, 0]));
  if (front.length === 0) return d;
  const m = points[front[0]!]!.length;
  for (let k = 0; k < m; k++) {
    const sorted = [...front].sort((a, b) => points[a]![k]! - points[b]![k]! || a - b);
    const lo = points[sorted[0]!]![k]!;
    const hi = points[sorted[sorted.length - 1]!]![k]!;
    d.set(sorted[0]!, Infinity);
    d.set(sorted[sorted.length - 1]!, Infinity);
    if (hi === lo) continue;
    for (let i = 1; i < sorted.length - 1; i++) {
      const id = sorted[i]!;
      d.set(id, d.get(id)! + (points[sorted[i + 1]!]![k]! - points[sorted[i - 1]!]![k]!) / (hi - lo));
    }
  }
  return d;
}

/** Indices of the nondominated points (duplicates kept once, the first). */
export function paretoFront(points: readonly Vector[]): number[] {
  const out: number[] = [];
  outer: for (let i = 0; i < points.length; i++) {
    for (let j = 0; j < points.length; j++) {
      if (j === i) continue;
      if (dominates(points[j]!, points[i]!)) continue outer;
      if (j < i && points[j]!.every((x, k) => x === points[i]![k])) continue outer;
    }
    out.push(i);
  }
  return out;
}

/** Hypervolume dominated by `points` and bounded by `ref` (points not better than ref in every objective add nothing). */
export function hypervolume(points: readonly Vector[], ref: Vector): number {
  const inside = points.filter((p) => p.every((x, i) => x < ref[i]!));
  if (inside.length === 0) return 0;
  if (ref.length === 1) return ref[0]! - Math.min(...inside.map((p) => p[0]!));
  if (ref.length === 2) return hv2(inside, ref);
  return hvSlice(inside, ref);
}

function hv2(points: readonly Vector[], ref: Vector): number {
  const sorted = [...points].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let area = 0;
  let bestY = ref[1]!;
  for (let i = 0; i < sorted.length; i++) {
    const [x, y] = sorted[i]!;
    if (y! >= bestY) continue;
    // Each new best y adds the strip from its x to the reference, between the old and new best y.
    area += (ref[0]! - x!) * (bestY - y!);
    bestY = y!;
  }
  return area;
}

/** Slicing along the last objective (exact, for the small fronts a search produces). */
function hvSlice(points: readonly Vector[], ref: Vector): number {
  const d = ref.length - 1;
  const sorted = [...points].sort((a, b) => a[d]! - b[d]!);
  let volume = 0;
  for (let i = 0; i < sorted.length; i++) {
    const lo = sorted[i]![d]!;
    const hi = i + 1 < sorted.length ? sorted[i + 1]![d]! : ref[d]!;
    if (hi <= lo) continue;
    const slice = sorted.slice(0, i + 1).map((p) => p.slice(0, d));
    volume += (hi - lo) * hypervolume(slice, ref.slice(0, d));
  }
  return volume;
}

/**
 * Hypervolume after each added point, in O(front) per point: keeps the current front and
 * recomputes only when a point enters it.
 */
export class HypervolumeTracker {
  private front: Vector[] = [];
  private value = 0;

  constructor(readonly ref: Vector) {}

  add(p: Vector | undefined): number {
    if (!p || !p.every((x, i) => x < this.ref[i]!)) return this.value;
    if (this.front.some((q) => dominates(q, p) || q.every((x, i) => x === p[i]))) return this.value;
    this.front = this.front.filter((q) => !dominates(p, q));
    this.front.push(p);
    this.value = hypervolume(this.front, this.ref);
    return this.value;
  }

  get current(): number {
    return this.value;
  }
}
