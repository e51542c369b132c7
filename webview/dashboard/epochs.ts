/**
 * Intermediate values: the validation accuracy of every trained candidate after each epoch,
 * one line per trial (Optuna Dashboard's "intermediate values" plot), the selected trials and
 * the front's drawn over the rest. Redrawn in full; a training run has tens to hundreds of
 * candidates, each with a few to a few hundred epochs.
 */
import type { TrialRecord } from '../../src/protocol/search-events.js';
import { padded, project, ticks } from './scales.js';
import { CanvasPanel } from './canvas-panel.js';
import type { Theme } from './scatter.js';

export class EpochsChart extends CanvasPanel {
  /** What the last draw drew, per trial: its accuracies by epoch (a testing hook reads it). */
  drawn = new Map<number, number[]>();

  constructor(theme: Theme) {
    super(theme, 'history epochs');
  }

  /** Whether any trial has per-epoch values (the history panel offers this plot then). */
  static has(trials: readonly TrialRecord[]): boolean {
    return trials.some((t) => t.epochs !== undefined && t.epochs.length > 0);
  }

  draw(trials: readonly TrialRecord[], front: ReadonlySet<number>, selected: readonly number[]): void {
    const curves = trials.filter((t) => t.epochs?.length);
    this.title.textContent = `Validation accuracy per epoch (${curves.length} trained trials)`;
    this.drawn = new Map(curves.map((t) => [t.trial, t.epochs!.map((e) => e.accuracy)]));
    const area = this.begin(150);
    if (!area) return;
    const { g, width, height } = area;
    if (!curves.length) return;
    let lo = Infinity;
    let hi = -Infinity;
    let last = 1;
    for (const t of curves) {
      for (const e of t.epochs!) {
        lo = Math.min(lo, e.accuracy);
        hi = Math.max(hi, e.accuracy);
        last = Math.max(last, e.epoch);
      }
    }
    const [y0, y1] = padded(lo, hi);
    const xs = { min: 1, max: Math.max(2, last), from: 52, to: width - 8 };
    const ys = { min: y0, max: y1, from: height - 20, to: 6 };
    const t = this.theme;
    this.yGrid(g, xs, ys, 'accuracy');
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (const tick of ticks(1, xs.max, width / 80).filter(Number.isInteger)) {
      const label = String(tick);
      const x = Math.min(project(xs, tick), width - 2 - g.measureText(label).width / 2);
      g.fillText(label, x, height - 16);
    }
    const line = (trial: TrialRecord, colour: string, lineWidth: number, alpha: number): void => {
      g.strokeStyle = colour;
      g.lineWidth = lineWidth;
      g.globalAlpha = alpha;
      g.beginPath();
      trial.epochs!.forEach((e, i) => {
        const x = project(xs, e.epoch);
        const y = project(ys, e.accuracy);
        if (i === 0) g.moveTo(x, y);
        else g.lineTo(x, y);
      });
      // A single epoch is a dot.
      if (trial.epochs!.length === 1) g.arc(project(xs, 1), project(ys, trial.epochs![0]!.accuracy), 1.5, 0, 2 * Math.PI);
      g.stroke();
    };
    // Back to front: the others faint, then the front, then the selection.
    for (const c of curves) if (!front.has(c.trial) && !selected.includes(c.trial)) line(c, t.fg, 1, 0.3);
    for (const c of curves) if (front.has(c.trial) && !selected.includes(c.trial)) line(c, t.front, 1.5, 0.9);
    for (const c of curves) if (selected.includes(c.trial)) line(c, t.select, 2.5, 1);
    g.globalAlpha = 1;
  }
}
