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
