/** A feature map C x H x W for one image (batch excluded); vectors are C x 1 x 1. */
export interface Shape {
  readonly c: number;
  readonly h: number;
  readonly w: number;
}

export function formatShape(s: Shape): string {
  return s.h === 1 && s.w === 1 ? `${s.c}` : `${s.c}×${s.h}×${s.w}`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.c === b.c && a.h === b.h && a.w === b.w;
}

export function numel(s: Shape): number {
  return s.c * s.h * s.w;
}

/** Interned shapes by (c, h, w) (see internShape). */
const shapes = new Map<number, Shape>();
const MAX_SHAPES = 4096;

/**
 * The one shape object with these sizes (shapes are never changed): a graph keeps a shape per
 * node, and a network has a few distinct ones, so a 5,000-line file kept thousands of equal
 * objects alive. Sizes too large for the key are returned as they are.
 */
export function internShape(s: Shape): Shape {
  const { c, h, w } = s;
  if (!(c >= 0 && c < 2 ** 24 && h >= 0 && h < 2 ** 14 && w >= 0 && w < 2 ** 14) || !Number.isInteger(c + h + w)) return s;
  const key = (c * 2 ** 14 + h) * 2 ** 14 + w;
  const known = shapes.get(key);
  if (known !== undefined) return known;
  if (shapes.size >= MAX_SHAPES) shapes.clear();
  shapes.set(key, s);
  return s;
}
