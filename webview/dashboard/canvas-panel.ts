/**
 * A titled canvas panel of the history area (the optimization history, the per-epoch curves):
 * the element, its title and a canvas sized to its parent at the device's pixel ratio, so that
 * lines stay sharp on high-density screens.
 */
import { formatValue, project, ticks, type Scale } from './scales.js';
import type { Theme } from './scatter.js';

export abstract class CanvasPanel {
  readonly element: HTMLDivElement;
  protected readonly canvas: HTMLCanvasElement;
  protected readonly title: HTMLDivElement;

  constructor(
    protected theme: Theme,
    className: string,
  ) {
    this.element = document.createElement('div');
    this.element.className = className;
    this.title = document.createElement('div');
    this.title.className = 'history-title';
    this.canvas = document.createElement('canvas');
    this.element.append(this.title, this.canvas);
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
  }

  /** Sizes and clears the canvas to its parent's width; undefined while the panel is too narrow to draw. */
  protected begin(height: number): { g: CanvasRenderingContext2D; width: number; height: number } | undefined {
    const width = this.canvas.parentElement?.clientWidth ?? 0;
    if (width < 40) return undefined;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    const g = this.canvas.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, height);
    return { g, width, height };
  }

  /** Horizontal grid lines at the y ticks of `ys`, labelled left of `xs.from` as `metric` values. */
  protected yGrid(g: CanvasRenderingContext2D, xs: Scale, ys: Scale, metric: string): void {
    const t = this.theme;
    g.font = `10px ${t.font}`;
    g.fillStyle = t.fg;
    g.strokeStyle = t.grid;
    g.lineWidth = 1;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (const tick of ticks(ys.min, ys.max, 4)) {
      const y = Math.round(project(ys, tick)) + 0.5;
      g.beginPath();
      g.moveTo(xs.from, y);
      g.lineTo(xs.to, y);
      g.stroke();
      g.fillText(formatValue(metric, tick), xs.from - 4, y);
    }
  }
}
