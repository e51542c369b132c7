/**
 * A scene as an SVG document, the one drawing of the webview, its exports and `nas graph`.
 * Colours come from classes: the webview styles them with the theme's CSS variables
 * (`styleSheet(cssVariablePalette())`), a standalone file carries a `<style>` with resolved
 * colours. No inline `style` attributes, so the webview's Content Security Policy needs no
 * 'unsafe-inline'.
 */
import { COLLAPSE_MARK, EXPAND_MARK, type Point, type Scene, type SceneEdge, type SceneNode } from './elk-graph.js';
import { formatCount } from './labels.js';
import { FAMILY_LABELS, type OpFamily } from './op-family.js';
import type { Palette } from './palette.js';
import { TEXT, textWidth } from './text-metrics.js';
import type { ColorBy } from '../../protocol/graph-view.js';

export type { ColorBy };

export interface SvgOptions {
  colorBy?: ColorBy;
  /** A `<style>` with these colours inside the file (exports); absent: the page styles it. */
  palette?: Palette;
  /** Draw the title and totals above the graph and the legend below it (default true). */
  header?: boolean;
  legend?: boolean;
}

const HEADER = 46;
const LEGEND_ROW = 18;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function n2(x: number): string {
  return String(Math.round(x * 10) / 10);
}

/** The rules for the classes the renderer uses, with the palette's colours. */
export function styleSheet(p: Palette, fontFamily: string = TEXT.fontFamily): string {
  const families = FAMILY_LABELS.map(([f]) => `.fam-${f}{fill:${p[`family-${f}`]};stroke:${p[`family-${f}`]}}`).join('\n');
  return `svg.nas-graph-svg{font-family:${fontFamily}}
.nas-bg{fill:${p.background}}
.nas-title{fill:${p.foreground};font-size:14px;font-weight:bold}
.nas-subtitle{fill:${p.muted};font-size:11px}
.nas-node .box{fill:${p.background};stroke:${p.border};stroke-width:1}
.nas-node .tint{fill-opacity:0.16;stroke:none}
.nas-node .bar{stroke:none}
.nas-node .stack{fill:${p.background};stroke:${p.border};stroke-width:1}
.nas-node .heat{fill:${p.heat};stroke:none}
.nas-node text.t{fill:${p.foreground};font-size:${TEXT.titleSize}px;font-weight:bold}
.nas-node text.l{fill:${p.muted};font-size:${TEXT.lineSize}px}
.nas-node.input .box,.nas-node.output .box{stroke-width:2}
.nas-node.state .box,.nas-node.combine .box{stroke-width:1.5}
.nas-node.chosen .box{stroke:${p.chosen};stroke-width:2}
.nas-node.diff .box{stroke:${p.diff};stroke-width:2.5;stroke-dasharray:5 2}
.nas-node.dead{opacity:0.45}
.nas-node.match .box{fill:${p.match}}
.nas-node.selected .box{stroke:${p.focus};stroke-width:3}
.nas-frame .box{fill:${p.frame};stroke:${p.border};stroke-width:1}
.nas-frame text.t{fill:${p.foreground};font-size:${TEXT.frameTitleSize}px;font-weight:bold}
.nas-frame text.l{fill:${p.muted};font-size:${TEXT.lineSize}px}
.nas-frame.selected .box{stroke:${p.focus};stroke-width:3}
.nas-frame.match .box{stroke:${p.focus};stroke-width:2}
.nas-frame.chosen .box{stroke:${p.chosen};stroke-width:1.5}
.nas-port{fill:${p.edge}}
.nas-edge .line{fill:none;stroke:${p.edge};stroke-width:1.2}
.nas-edge .head{fill:${p.edge};stroke:none}
.nas-edge .hit{fill:none;stroke:${p.background};stroke-opacity:0.01;stroke-width:9}
.nas-edge.zero .line{stroke-dasharray:5 3}
.nas-edge.candidate .line{stroke-dasharray:2 3;stroke-opacity:0.6}
.nas-edge.dead{opacity:0.45}
.nas-edge.chosen .line{stroke:${p.chosen};stroke-width:2}
.nas-edge.chosen .head{fill:${p.chosen}}
.nas-edge.diff .line{stroke:${p.diff};stroke-width:2.2}
.nas-edge.diff .head{fill:${p.diff}}
.nas-edge.selected .line{stroke:${p.focus};stroke-width:3}
.nas-elabel .bg{fill:${p.background};fill-opacity:0.88;stroke:none}
.nas-elabel text{fill:${p.muted};font-size:${TEXT.edgeLabelSize}px}
.nas-elabel text.on{fill:${p.chosen};font-weight:bold}
.nas-elabel.diff text.on{fill:${p.diff}}
.nas-legend text{fill:${p.muted};font-size:10.5px}
.nas-legend .swatch{fill-opacity:0.35;stroke-width:1}
.nas-legend .heat{fill:${p.heat};stroke:none}
.nas-legend .mark{fill:none;stroke-width:2}
.nas-legend .mark.chosen{stroke:${p.chosen}}
.nas-legend .mark.diff{stroke:${p.diff}}
.nas-legend .mark.zero{stroke:${p.edge};stroke-dasharray:5 3}
${families}`;
}

/** How strongly each box is tinted by cost, from 0.08 to 0.8 on a log scale of the view's largest leaf box. */
export function heatLevels(scene: Scene, colorBy: 'macs' | 'params'): Map<string, number> {
  const leaves = scene.nodes.filter((s) => !s.node.children && s.node.kind !== 'frame');
  const max = Math.max(1, ...leaves.map((s) => s.node[colorBy]));
  const out = new Map<string, number>();
  for (const s of leaves) {
    const v = s.node[colorBy];
    out.set(s.node.id, v <= 0 ? 0 : 0.08 + 0.72 * (Math.log1p(v) / Math.log1p(max)));
  }
  return out;
}

function textLines(lines: readonly string[], x: number, y: number, cls: string): string {
  return lines.map((l, i) => `<text class="${cls}" x="${n2(x)}" y="${n2(y + i * TEXT.lineHeight)}">${escapeXml(l)}</text>`).join('');
}

function nodeSvg(s: SceneNode, heat: Map<string, number> | undefined): string {
  const n = s.node;
  const marks = [n.kind, ...n.marks].join(' ');
  const attrs = `data-id="${escapeXml(n.id)}" transform="translate(${n2(s.x)},${n2(s.y)})"`;
  if (n.children) {
    const title = `${n.expandable ? COLLAPSE_MARK : ''}${n.title}`;
    const sub = n.lines.length
      ? `<text class="l" x="${n2(TEXT.padX + textWidth(title, TEXT.frameTitleSize, 'bold') + 8)}" y="${n2(TEXT.padY + 12)}">${escapeXml(n.lines.join(' · '))}</text>`
      : '';
    return `<g class="nas-frame ${marks}" ${attrs}><rect class="box" width="${n2(s.width)}" height="${n2(s.height)}" rx="6"/><text class="t" x="${TEXT.padX}" y="${n2(TEXT.padY + 12)}">${escapeXml(title)}</text>${sub}</g>`;
  }
  const w = n2(s.width);
  const h = n2(s.height);
  const level = heat?.get(n.id);
  const parts: string[] = [];
  if (n.kind === 'group') parts.push(`<rect class="stack" x="3" y="3" width="${w}" height="${h}" rx="4"/>`);
  parts.push(`<rect class="box" width="${w}" height="${h}" rx="4"/>`);
  if (heat) {
    if (level) parts.push(`<rect class="heat" width="${w}" height="${h}" rx="4" fill-opacity="${level.toFixed(3)}"/>`);
  } else {
    parts.push(`<rect class="tint fam-${n.family}" width="${w}" height="${h}" rx="4"/>`);
    parts.push(`<rect class="bar fam-${n.family}" width="4" height="${h}" rx="2"/>`);
  }
  const title = n.expandable ? `${EXPAND_MARK}${n.title}` : n.title;
  parts.push(`<text class="t" x="${TEXT.padX}" y="${n2(TEXT.padY + 12)}">${escapeXml(title)}</text>`);
  parts.push(textLines(n.lines, TEXT.padX, TEXT.padY + TEXT.titleHeight + 10.5, 'l'));
  return `<g class="nas-node ${marks}" ${attrs}>${parts.join('')}</g>`;
}

function arrowHead(points: readonly Point[]): string {
  const end = points[points.length - 1]!;
  let prev = points[points.length - 2]!;
  for (let i = points.length - 2; i >= 0 && prev.x === end.x && prev.y === end.y; i--) prev = points[i]!;
  const dx = end.x - prev.x;
  const dy = end.y - prev.y;
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const L = 7;
  const W = 3.5;
  const bx = end.x - ux * L;
  const by = end.y - uy * L;
  return `<path class="head" d="M${n2(end.x)} ${n2(end.y)}L${n2(bx - uy * W)} ${n2(by + ux * W)}L${n2(bx + uy * W)} ${n2(by - ux * W)}Z"/>`;
}

function edgeSvg(e: SceneEdge): string {
  if (e.points.length < 2) return '';
  const d = e.points.map((p, i) => `${i ? 'L' : 'M'}${n2(p.x)} ${n2(p.y)}`).join('');
  const marks = e.edge.marks.join(' ');
  return `<g class="nas-edge ${marks}" data-id="${escapeXml(e.edge.id)}"><path class="hit" d="${d}"/><path class="line" d="${d}"/>${arrowHead(e.points)}</g>`;
}

function edgeLabelSvg(e: SceneEdge): string {
  const label = e.edge.label;
  if (!e.label || !label || label.length === 0) return '';
  const { x, y, width, height } = e.label;
  const lines = label
    .map((l, i) => `<text${i === e.edge.chosenLine ? ' class="on"' : ''} x="${n2(x + 4)}" y="${n2(y + 2 + 10.5 + i * TEXT.lineHeight)}">${escapeXml(l)}</text>`)
    .join('');
  return `<g class="nas-elabel ${e.edge.marks.join(' ')}" data-id="${escapeXml(e.edge.id)}"><rect class="bg" x="${n2(x)}" y="${n2(y)}" width="${n2(width)}" height="${n2(height)}" rx="3"/>${lines}</g>`;
}

function legendSvg(scene: Scene, colorBy: ColorBy, width: number): { svg: string; height: number } {
  const items: string[] = [];
  let x = 12;
  let y = 12;
  const place = (w: number): [number, number] => {
    if (x + w > width - 12 && x > 12) {
      x = 12;
      y += LEGEND_ROW;
    }
    const at: [number, number] = [x, y];
    x += w + 16;
    return at;
  };
  if (colorBy === 'family') {
    const present = new Set<OpFamily>(scene.nodes.filter((s) => !s.node.children).map((s) => s.node.family));
    for (const [f, label] of FAMILY_LABELS) {
      if (!present.has(f)) continue;
      const [lx, ly] = place(16 + textWidth(label, 10.5));
      items.push(
        `<rect class="swatch fam-${f}" x="${lx}" y="${ly - 9}" width="11" height="11" rx="2"/><text x="${lx + 16}" y="${ly}">${escapeXml(label)}</text>`,
      );
    }
  } else {
    const leaves = scene.nodes.filter((s) => !s.node.children);
    const max = Math.max(0, ...leaves.map((s) => s.node[colorBy]));
    const label = `${colorBy === 'macs' ? 'MACs' : 'params'} per box (log scale): 0`;
    const [lx, ly] = place(textWidth(label, 10.5) + 150 + textWidth(formatCount(max), 10.5));
    const steps = Array.from(
      { length: 10 },
      (_, i) =>
        `<rect class="heat" x="${n2(lx + textWidth(label, 10.5) + 6 + i * 13)}" y="${ly - 9}" width="13" height="11" fill-opacity="${(0.08 + (0.72 * i) / 9).toFixed(2)}"/>`,
    ).join('');
    items.push(
      `<text x="${lx}" y="${ly}">${escapeXml(label)}</text>${steps}<text x="${n2(lx + textWidth(label, 10.5) + 142)}" y="${ly}">${escapeXml(formatCount(max))}</text>`,
    );
  }
  const marks = new Set<string>();
  for (const s of scene.nodes) for (const m of s.node.marks) marks.add(m);
  for (const e of scene.edges) for (const m of e.edge.marks) marks.add(m);
  const markLabels: Array<[string, string]> = [
    ['chosen', scene.view.kind === 'compare' ? 'same choice' : 'chosen path'],
    ['diff', 'differs between the two'],
    ['zero', 'zero op (no data)'],
  ];
  for (const [m, label] of markLabels) {
    if (!marks.has(m) || (m === 'chosen' && scene.view.kind === 'network' && scene.view.choices.length === 0)) continue;
    const [lx, ly] = place(26 + textWidth(label, 10.5));
    items.push(`<path class="mark ${m}" d="M${lx} ${ly - 4}h20"/><text x="${lx + 26}" y="${ly}">${escapeXml(label)}</text>`);
  }
  if (items.length === 0) return { svg: '', height: 0 };
  return { svg: items.join(''), height: y + 10 };
}

/** The scene as an SVG document. */
export function renderSvg(scene: Scene, options: SvgOptions = {}): string {
  const colorBy = options.colorBy ?? 'family';
  const header = options.header ?? true;
  const heat = colorBy === 'family' ? undefined : heatLevels(scene, colorBy);
  const top = header ? HEADER : 0;
  const titleWidth = header ? Math.max(textWidth(scene.view.title, 14, 'bold'), textWidth(scene.view.subtitle, 11)) + 24 : 0;
  const width = Math.ceil(Math.max(scene.width, titleWidth, 200));
  const legend = (options.legend ?? true) ? legendSvg(scene, colorBy, width) : { svg: '', height: 0 };
  const height = Math.ceil(top + scene.height + legend.height);
  const frames = scene.nodes.filter((s) => s.node.children).sort((a, b) => a.depth - b.depth);
  const leaves = scene.nodes.filter((s) => !s.node.children);
  const ports = leaves
    .filter((s) => s.ports.length > 1)
    .flatMap((s) => s.ports.map((p) => `<circle class="nas-port" cx="${n2(p.x)}" cy="${n2(p.y)}" r="2.2"/>`))
    .join('');
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="nas-graph-svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(TEXT.fontFamily)}">`,
  );
  if (options.palette) out.push(`<style>${styleSheet(options.palette)}</style>`);
  out.push(`<rect class="nas-bg" width="${width}" height="${height}"/>`);
  if (header) {
    out.push(`<text class="nas-title" x="12" y="20">${escapeXml(scene.view.title)}</text>`);
    out.push(`<text class="nas-subtitle" x="12" y="37">${escapeXml(scene.view.subtitle)}</text>`);
  }
  out.push(`<g class="nas-scene" transform="translate(0,${top})">`);
  out.push(frames.map((s) => nodeSvg(s, heat)).join(''));
  out.push(scene.edges.map(edgeSvg).join(''));
  out.push(leaves.map((s) => nodeSvg(s, heat)).join(''));
  out.push(ports);
  out.push(scene.edges.map(edgeLabelSvg).join(''));
  out.push('</g>');
  if (legend.svg) out.push(`<g class="nas-legend" transform="translate(0,${n2(top + scene.height)})">${legend.svg}</g>`);
  out.push('</svg>');
  return out.join('');
}

/** Where the scene's origin sits in the SVG (the header's height). */
export function sceneOffset(options: SvgOptions = {}): number {
  return (options.header ?? true) ? HEADER : 0;
}
