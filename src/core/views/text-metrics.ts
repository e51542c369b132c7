/**
 * Text widths without a DOM, for sizing boxes before layout: advance widths of DejaVu Sans
 * (measured in Chromium with canvas `measureText` at 100 px), the font the exported pictures
 * name first and one of the widest common sans-serif faces, so that text fits in VS Code's
 * interface font too.
 */

const CHARS = ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~×·…→−✓▸▾';
// prettier-ignore
const NORMAL = [32,40,46,84,64,95,78,27,39,39,50,84,32,36,32,34,64,64,64,64,64,64,64,64,64,64,34,34,84,84,84,53,100,68,69,70,77,63,58,77,75,29,29,66,56,86,75,79,60,79,69,63,61,73,68,99,69,61,69,39,34,39,84,50,50,61,63,55,63,62,35,63,63,28,28,58,28,97,63,61,63,63,41,52,39,63,59,82,59,59,52,64,34,64,84,84,32,100,84,84,84,50,50];
// prettier-ignore
const BOLD = [35,46,52,84,70,100,87,31,46,46,52,84,38,42,38,37,70,70,70,70,70,70,70,70,70,70,40,40,84,84,84,58,100,77,76,73,83,68,68,82,84,37,37,77,64,100,84,85,73,85,77,72,68,81,77,110,77,72,73,46,37,46,84,50,50,67,72,59,72,68,44,72,71,34,34,67,34,104,71,69,72,72,49,60,48,71,65,92,65,65,58,71,37,71,84,84,38,100,84,84,84,50,50];

const normal = new Map<string, number>();
const bold = new Map<string, number>();
for (let i = 0; i < CHARS.length; i++) {
  normal.set(CHARS[i]!, NORMAL[i]! / 100);
  bold.set(CHARS[i]!, BOLD[i]! / 100);
}

/** The width of `text` in pixels at `size` px. Characters not in the table count as an `M`. */
export function textWidth(text: string, size: number, weight: 'normal' | 'bold' = 'normal'): number {
  const table = weight === 'bold' ? bold : normal;
  let w = 0;
  for (const ch of text) w += table.get(ch) ?? 0.86;
  return w * size;
}

/** Font sizes and spacing shared by sizing (elk-graph.ts) and drawing (svg.ts). */
export const TEXT = {
  titleSize: 12,
  lineSize: 10.5,
  lineHeight: 14,
  titleHeight: 16,
  padX: 10,
  padY: 6,
  edgeLabelSize: 10.5,
  frameTitleSize: 12,
  fontFamily: "'DejaVu Sans', 'Segoe UI', 'Helvetica Neue', Arial, sans-serif",
} as const;
