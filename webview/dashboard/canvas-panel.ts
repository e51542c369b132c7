/**
 * A titled canvas panel of the history area (the optimization history, the per-epoch curves):
 * the element, its title and a canvas sized to its parent at the device's pixel ratio, so that
 * lines stay sharp on high-density screens.
 */
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
}
