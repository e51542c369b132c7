/**
 * The history panel: a series over trials (best so far, or the hypervolume of the front), as
 * Optuna Dashboard's optimization history shows it. Redrawn in full: one point per trial.
 */
import { padded, project, ticks } from './scales.js';
import { CanvasPanel } from './canvas-panel.js';
import type { Theme } from './scatter.js';

export class HistoryChart extends CanvasPanel {
  constructor(theme: Theme) {
    super(theme, 'history');
  }

  /** `values[i]` after trial i + 1; NaN where there is none yet. */
  draw(title: string, metric: string, values: readonly number[]): void {
    this.title.textContent = title;
    const area = this.begin(150);
    if (!area) return;
    const { g, width, height } = area;
    const finite = values.filter(Number.isFinite);
    if (!finite.length) return;
    const [y0, y1] = padded(Math.min(...finite), Math.max(...finite));
    const xs = { min: 1, max: Math.max(2, values.length), from: 52, to: width - 8 };
    const ys = { min: y0, max: y1, from: height - 20, to: 6 };
    const t = this.theme;
    this.yGrid(g, xs, ys, metric);
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (const tick of ticks(1, xs.max, width / 80)) {
      const label = String(tick);
      // Kept inside the canvas: the last tick sits on its right edge.
      const x = Math.min(project(xs, tick), width - 2 - g.measureText(label).width / 2);
      g.fillText(label, x, height - 16);
    }
    g.strokeStyle = t.front;
    g.lineWidth = 1.5;
    g.beginPath();
    let started = false;
    values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      const x = project(xs, i + 1);
      const y = project(ys, v);
      if (started) g.lineTo(x, y);
      else g.moveTo(x, y);
      started = true;
    });
    g.stroke();
  }
}
