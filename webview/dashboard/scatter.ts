/**
 * The dashboard's scatter of trials, drawn on two canvases: the trials on a base layer that
 * new trials are added to without redrawing the others, and the front, the selection and the
 * hover on an overlay redrawn in full (the front is small). The base is redrawn only when the
 * axes, the colours or the domain change, so a live update at 10,000 trials costs the new
 * points plus the front, not the whole cloud.
 */
import type { TrialRecord } from '../../src/protocol/search-events.js';
import type { FrontPoint } from './front.js';
import { formatValue, padded, project, ticks, type Scale } from './scales.js';

export interface Constraint {
  metric: string;
  op: '<=' | '>=' | '<' | '>' | '==';
  value: number;
}

export interface ScatterView {
  trials: readonly TrialRecord[];
  x: string;
  y: string;
  /** Signs that make each axis "smaller is better" (+1 minimize, -1 maximize). */
  sx: number;
  sy: number;
  /** A metric, `trial`, or undefined: no colour scale. */
  color?: string;
  front: readonly FrontPoint[];
  constraints: readonly Constraint[];
  selected: readonly number[];
}

export interface Theme {
  fg: string;
  bg: string;
  grid: string;
  front: string;
  infeasible: string;
  select: string;
  font: string;
}

const MARGIN = { left: 64, right: 16, top: 12, bottom: 42 };
/** Viridis at five stops (van der Walt & Smith 2015, matplotlib's default colour map). */
const VIRIDIS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];

export function metricOf(t: TrialRecord, m: string): number {
  return m === 'trial' ? t.trial : (t.metrics[m] ?? NaN);
}

export function ramp(f: number): string {
  const c = Math.min(1, Math.max(0, Number.isFinite(f) ? f : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(c));
  const mix = (a: string, b: string, k: number) =>
    Math.round(parseInt(a, 16) * (1 - k) + parseInt(b, 16) * k)
      .toString(16)
      .padStart(2, '0');
  const [p, q] = [VIRIDIS[i]!, VIRIDIS[i + 1]!];
  const k = c - i;
  return `#${mix(p.slice(1, 3), q.slice(1, 3), k)}${mix(p.slice(3, 5), q.slice(3, 5), k)}${mix(p.slice(5, 7), q.slice(5, 7), k)}`;
}

interface Frame {
  xs: Scale;
  ys: Scale;
  color?: { min: number; max: number };
  width: number;
  height: number;
  key: string;
}

export class Scatter {
  readonly element: HTMLDivElement;
  private readonly base: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private view: ScatterView | undefined;
  private frame: Frame | undefined;
  /** Trials drawn on the base layer so far. */
  private drawn = 0;
  hover: number | undefined;
  /** Full redraws of the base layer (the benchmark and tests read it). */
  fullDraws = 0;

  constructor(private theme: Theme) {
    this.element = document.createElement('div');
    this.element.className = 'scatter';
    this.base = document.createElement('canvas');
    this.overlay = document.createElement('canvas');
    this.overlay.className = 'overlay';
    this.element.append(this.base, this.overlay);
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.frame = undefined;
  }

  /** Draws `view`: the new trials only when nothing else changed, else everything. */
  draw(view: ScatterView): void {
    this.view = view;
    const width = this.element.clientWidth;
    const height = this.element.clientHeight;
    if (width < 40 || height < 40) return;
    const frame = this.frameFor(view, width, height);
    const same = this.frame && this.frame.key === frame.key && sameFrame(this.frame, frame) && view.trials.length >= this.drawn;
    if (!same) {
      this.frame = frame;
      this.resize(width, height);
      this.drawBase(0);
    } else {
      this.drawBase(this.drawn);
    }
    this.drawOverlay();
  }

  /** Redraws the overlay alone (hover, selection). */
  redrawOverlay(): void {
    if (this.frame) this.drawOverlay();
  }

  /** The trial under a point of the element (within 8 px), nearest first. */
  hit(px: number, py: number): TrialRecord | undefined {
    const v = this.view;
    const f = this.frame;
    if (!v || !f) return undefined;
    let best: TrialRecord | undefined;
    let bestD = 64;
    for (const t of v.trials) {
      const dx = project(f.xs, metricOf(t, v.x)) - px;
      const dy = project(f.ys, metricOf(t, v.y)) - py;
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        best = t;
      }
    }
    return best;
  }

  /** Where a trial is drawn, in the element's pixels (tests click there). */
  position(trial: TrialRecord): { x: number; y: number } | undefined {
    const v = this.view;
    const f = this.frame;
    if (!v || !f) return undefined;
    return { x: project(f.xs, metricOf(trial, v.x)), y: project(f.ys, metricOf(trial, v.y)) };
  }

  /** The picture as one PNG (both layers, the page's background). */
  toPng(): string {
    const c = document.createElement('canvas');
    c.width = this.base.width;
    c.height = this.base.height;
    const g = c.getContext('2d')!;
    g.fillStyle = this.theme.bg;
    g.fillRect(0, 0, c.width, c.height);
    g.drawImage(this.base, 0, 0);
    g.drawImage(this.overlay, 0, 0);
    return c.toDataURL('image/png');
  }

  /** The picture as SVG text, the theme's colours written in. */
  toSvg(): string {
    const v = this.view;
    const f = this.frame;
    if (!v || !f) return '<svg xmlns="http://www.w3.org/2000/svg"/>';
    const t = this.theme;
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const parts: string[] = [`<rect width="${f.width}" height="${f.height}" fill="${t.bg}"/>`];
    for (const tick of ticks(f.xs.min, f.xs.max, f.width / 90)) {
      const x = project(f.xs, tick).toFixed(1);
      parts.push(
        `<text x="${x}" y="${f.height - MARGIN.bottom + 16}" text-anchor="middle" fill="${t.fg}" font-size="11">${esc(formatValue(v.x, tick))}</text>`,
      );
    }
    for (const tick of ticks(f.ys.min, f.ys.max, f.height / 60)) {
      const y = project(f.ys, tick).toFixed(1);
      parts.push(
        `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="${t.fg}" font-size="11">${esc(formatValue(v.y, tick))}</text>`,
      );
    }
    parts.push(
      `<text x="${(MARGIN.left + f.width - MARGIN.right) / 2}" y="${f.height - 6}" text-anchor="middle" fill="${t.fg}" font-size="12">${esc(axisTitle(v.x, v.sx))}</text>`,
    );
    parts.push(
      `<text transform="translate(14 ${(MARGIN.top + f.height - MARGIN.bottom) / 2}) rotate(-90)" text-anchor="middle" fill="${t.fg}" font-size="12">${esc(axisTitle(v.y, v.sy))}</text>`,
    );
    for (const tr of v.trials) {
      if (tr.status !== 'ok') continue;
      const x = project(f.xs, metricOf(tr, v.x));
      const y = project(f.ys, metricOf(tr, v.y));
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      const fill = tr.feasible === false ? 'none' : this.pointColor(tr, f);
      const stroke = tr.feasible === false ? ` stroke="${t.infeasible}"` : '';
      parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="2.5" fill="${fill}"${stroke} fill-opacity="0.6"/>`);
    }
    const step = this.stepPoints().map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`);
    if (step.length) parts.push(`<polyline points="${step.join(' ')}" fill="none" stroke="${t.front}" stroke-width="1.5"/>`);
    for (const p of v.front) {
      const [x, y] = this.frontXY(p);
      parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4" fill="${t.front}" stroke="${t.bg}"/>`);
    }
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="sans-serif">${parts.join('')}</svg>`;
  }

  private frameFor(v: ScatterView, width: number, height: number): Frame {
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    let c0 = Infinity;
    let c1 = -Infinity;
    for (const t of v.trials) {
      const x = metricOf(t, v.x);
      const y = metricOf(t, v.y);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (v.color) {
        const c = metricOf(t, v.color);
        if (c < c0) c0 = c;
        if (c > c1) c1 = c;
      }
    }
    for (const c of v.constraints) {
      if (c.metric === v.x && x0 <= x1) [x0, x1] = [Math.min(x0, c.value), Math.max(x1, c.value)];
      if (c.metric === v.y && y0 <= y1) [y0, y1] = [Math.min(y0, c.value), Math.max(y1, c.value)];
    }
    const [xa, xb] = padded(x0, x1);
    const [ya, yb] = padded(y0, y1);
    return {
      xs: { min: xa, max: xb, from: MARGIN.left, to: width - MARGIN.right },
      ys: { min: ya, max: yb, from: height - MARGIN.bottom, to: MARGIN.top },
      color: v.color && c0 <= c1 ? { min: c0, max: c1 } : undefined,
      width,
      height,
      key: `${v.x}|${v.y}|${v.color ?? ''}|${width}x${height}|${v.constraints.length}`,
    };
  }

  private resize(width: number, height: number): void {
    const dpr = window.devicePixelRatio || 1;
    for (const c of [this.base, this.overlay]) {
      c.width = Math.round(width * dpr);
      c.height = Math.round(height * dpr);
      c.style.width = `${width}px`;
      c.style.height = `${height}px`;
      c.getContext('2d')!.setTransform(dpr, 0, 0, dpr, 0, 0);
    }
  }

  private pointColor(t: TrialRecord, f: Frame): string {
    if (!f.color || !this.view?.color) return this.theme.fg;
    const c = metricOf(t, this.view.color);
    return ramp((c - f.color.min) / (f.color.max - f.color.min || 1));
  }

  private drawBase(from: number): void {
    const v = this.view!;
    const f = this.frame!;
    const g = this.base.getContext('2d')!;
    if (from === 0) {
      this.fullDraws++;
      g.clearRect(0, 0, f.width, f.height);
      this.drawAxes(g, v, f);
    }
    g.save();
    g.beginPath();
    g.rect(MARGIN.left, MARGIN.top, f.width - MARGIN.left - MARGIN.right, f.height - MARGIN.top - MARGIN.bottom);
    g.clip();
    // Feasible points batched by colour (one path per colour); infeasible ones hollow.
    const byColor = new Map<string, Path2D>();
    const hollow = new Path2D();
    for (let i = from; i < v.trials.length; i++) {
      const t = v.trials[i]!;
      if (t.status !== 'ok') continue;
      const x = project(f.xs, metricOf(t, v.x));
      const y = project(f.ys, metricOf(t, v.y));
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (t.feasible === false) {
        hollow.moveTo(x + 2.5, y);
        hollow.arc(x, y, 2.5, 0, Math.PI * 2);
        continue;
      }
      const color = this.pointColor(t, f);
      let p = byColor.get(color);
      if (!p) byColor.set(color, (p = new Path2D()));
      p.moveTo(x + 2.5, y);
      p.arc(x, y, 2.5, 0, Math.PI * 2);
    }
    g.globalAlpha = f.color ? 0.85 : 0.45;
    for (const [color, p] of byColor) {
      g.fillStyle = color;
      g.fill(p);
    }
    g.globalAlpha = 0.8;
    g.strokeStyle = this.theme.infeasible;
    g.lineWidth = 1;
    g.stroke(hollow);
    g.restore();
    this.drawn = v.trials.length;
  }

  private drawAxes(g: CanvasRenderingContext2D, v: ScatterView, f: Frame): void {
    const t = this.theme;
    g.font = `11px ${t.font}`;
    g.fillStyle = t.fg;
    g.strokeStyle = t.grid;
    g.lineWidth = 1;
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (const tick of ticks(f.xs.min, f.xs.max, f.width / 90)) {
      const x = Math.round(project(f.xs, tick)) + 0.5;
      g.beginPath();
      g.moveTo(x, MARGIN.top);
      g.lineTo(x, f.height - MARGIN.bottom);
      g.stroke();
      g.fillText(formatValue(v.x, tick), x, f.height - MARGIN.bottom + 4);
    }
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (const tick of ticks(f.ys.min, f.ys.max, f.height / 60)) {
      const y = Math.round(project(f.ys, tick)) + 0.5;
      g.beginPath();
      g.moveTo(MARGIN.left, y);
      g.lineTo(f.width - MARGIN.right, y);
      g.stroke();
      g.fillText(formatValue(v.y, tick), MARGIN.left - 6, y);
    }
    g.font = `12px ${t.font}`;
    g.textAlign = 'center';
    g.textBaseline = 'bottom';
    g.fillText(axisTitle(v.x, v.sx), (MARGIN.left + f.width - MARGIN.right) / 2, f.height - 4);
    g.save();
    g.translate(14, (MARGIN.top + f.height - MARGIN.bottom) / 2);
    g.rotate(-Math.PI / 2);
    g.textBaseline = 'middle';
    g.fillText(axisTitle(v.y, v.sy), 0, 0);
    g.restore();
    // Constraint limits: dashed, labelled, on the side the constraint forbids.
    g.strokeStyle = t.infeasible;
    g.fillStyle = t.infeasible;
    g.setLineDash([5, 4]);
    g.font = `11px ${t.font}`;
    for (const c of v.constraints) {
      const label = `${c.metric} ${c.op.replace('<=', '≤').replace('>=', '≥')} ${formatValue(c.metric, c.value)}`;
      if (c.metric === v.x) {
        const x = project(f.xs, c.value);
        g.beginPath();
        g.moveTo(x, MARGIN.top);
        g.lineTo(x, f.height - MARGIN.bottom);
        g.stroke();
        g.textAlign = 'left';
        g.textBaseline = 'top';
        g.fillText(label, x + 4, MARGIN.top + 2);
      } else if (c.metric === v.y) {
        const y = project(f.ys, c.value);
        g.beginPath();
        g.moveTo(MARGIN.left, y);
        g.lineTo(f.width - MARGIN.right, y);
        g.stroke();
        g.textAlign = 'right';
        g.textBaseline = 'bottom';
        g.fillText(label, f.width - MARGIN.right - 4, y - 2);
      }
    }
    g.setLineDash([]);
  }

  private frontXY(p: FrontPoint): [number, number] {
    const v = this.view!;
    const f = this.frame!;
    return [project(f.xs, p.a * v.sx), project(f.ys, p.b * v.sy)];
  }

  /** The front as a staircase: the boundary of the region its points dominate. */
  private stepPoints(): [number, number][] {
    const out: [number, number][] = [];
    const front = this.view!.front;
    for (let i = 0; i < front.length; i++) {
      const [x, y] = this.frontXY(front[i]!);
      out.push([x, y]);
      if (i + 1 < front.length) out.push([this.frontXY(front[i + 1]!)[0], y]);
    }
    return out;
  }

  private drawOverlay(): void {
    const v = this.view!;
    const f = this.frame!;
    const t = this.theme;
    const g = this.overlay.getContext('2d')!;
    g.clearRect(0, 0, f.width, f.height);
    const step = this.stepPoints();
    if (step.length > 1) {
      g.strokeStyle = t.front;
      g.lineWidth = 1.5;
      g.beginPath();
      step.forEach(([x, y], i) => (i ? g.lineTo(x, y) : g.moveTo(x, y)));
      g.stroke();
    }
    g.fillStyle = t.front;
    g.strokeStyle = t.bg;
    g.lineWidth = 1;
    for (const p of v.front) {
      const [x, y] = this.frontXY(p);
      g.beginPath();
      g.arc(x, y, 4, 0, Math.PI * 2);
      g.fill();
      g.stroke();
    }
    const ring = (trial: number, color: string, r: number) => {
      const tr = v.trials[trial - 1];
      if (!tr || tr.trial !== trial) return;
      const pos = this.position(tr);
      if (!pos || !Number.isFinite(pos.x) || !Number.isFinite(pos.y)) return;
      g.strokeStyle = color;
      g.lineWidth = 2;
      g.beginPath();
      g.arc(pos.x, pos.y, r, 0, Math.PI * 2);
      g.stroke();
    };
    for (const s of v.selected) ring(s, t.select, 7);
    if (this.hover !== undefined) ring(this.hover, t.fg, 6);
  }
}

function sameFrame(a: Frame, b: Frame): boolean {
  const inside = (p: Scale, q: Scale) => q.min >= p.min && q.max <= p.max;
  // A domain that grew means a redraw; one that shrank cannot happen while trials only arrive.
  const colorSame = !a.color === !b.color && (!a.color || (b.color!.min >= a.color.min && b.color!.max <= a.color.max));
  return inside(a.xs, b.xs) && inside(a.ys, b.ys) && colorSame;
}

export function axisTitle(metric: string, sign: number): string {
  return `${metric} ${sign > 0 ? '(lower is better)' : sign < 0 ? '(higher is better)' : ''}`.trim();
}
