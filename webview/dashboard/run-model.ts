/**
 * What the dashboard knows of a run, kept as trials arrive: the trials, the metrics seen, the
 * front on the axes shown, and the history (best so far by the first objective; with two
 * objectives and a reference point, the hypervolume after each trial, as the engine reports
 * it). Free of the DOM.
 */
import type { RunInfo } from '../../src/protocol/dashboard.js';
import type { DoneEvent, TrialRecord } from '../../src/protocol/search-events.js';
import { Front2D } from './front.js';
import { metricOf, type Constraint } from './scatter.js';

const COST_METRICS = ['params', 'macs', 'flops', 'activations'];

/** +1 when smaller is better, -1 when larger is: the run's objectives, else by name. */
export function signOf(info: RunInfo | undefined, metric: string): number {
  const o = info?.manifest.objectives.find((x) => x.metric === metric);
  if (o) return o.direction === 'maximize' ? -1 : 1;
  return /^(accuracy|acc|top1|top5|map|ap|miou|f1|auc)/i.test(metric) ? -1 : 1;
}

export function parseConstraint(text: string): Constraint | undefined {
  const m = /^\s*([A-Za-z_][\w.]*)\s*(<=|>=|<|>|==)\s*([-+0-9.eE]+)\s*$/.exec(text);
  return m ? { metric: m[1]!, op: m[2] as Constraint['op'], value: Number(m[3]) } : undefined;
}

export class RunModel {
  info: RunInfo | undefined;
  done: DoneEvent | undefined;
  readonly trials: TrialRecord[] = [];
  readonly metrics: string[] = [];
  /** Best by the first objective after each trial. */
  readonly best: number[] = [];
  /** Hypervolume after each trial (two objectives with a reference point), else empty. */
  readonly hypervolume: number[] = [];
  private axes: { x: string; y: string; sx: number; sy: number } | undefined;
  private axisFront = new Front2D();
  private objectiveFront = new Front2D();
  private reference: [number, number] | undefined;

  reset(info: RunInfo, done?: DoneEvent): void {
    this.info = info;
    this.done = done;
    this.trials.length = 0;
    this.metrics.length = 0;
    this.best.length = 0;
    this.hypervolume.length = 0;
    this.axisFront = new Front2D();
    this.objectiveFront = new Front2D();
    const ref = info.manifest.strategy.settings['reference'];
    const objectives = info.manifest.objectives;
    // The engine's reference point is in the objectives' own units; "smaller is better" flips maximized ones.
    this.reference =
      objectives.length === 2 && Array.isArray(ref) && ref.length === 2 && ref.every((r) => typeof r === 'number')
        ? [(ref[0] as number) * signOf(info, objectives[0]!.metric), (ref[1] as number) * signOf(info, objectives[1]!.metric)]
        : undefined;
    for (const m of [...objectives.map((o) => o.metric)]) this.noteMetric(m);
  }

  /** The axes whose front is kept; changing them rebuilds it. */
  setAxes(x: string, y: string): void {
    const sx = signOf(this.info, x);
    const sy = signOf(this.info, y);
    if (this.axes && this.axes.x === x && this.axes.y === y) return;
    this.axes = { x, y, sx, sy };
    this.axisFront = new Front2D();
    for (const t of this.trials) this.offer(t);
  }

  get signs(): { sx: number; sy: number } {
    return { sx: this.axes?.sx ?? 1, sy: this.axes?.sy ?? 1 };
  }

  get front(): Front2D {
    return this.axisFront;
  }

  add(trials: readonly TrialRecord[]): void {
    const objectives = this.info?.manifest.objectives ?? [];
    for (const t of trials) {
      this.trials.push(t);
      for (const m of Object.keys(t.metrics)) this.noteMetric(m);
      this.offer(t);
      const usable = t.status === 'ok' && t.feasible !== false;
      const first = objectives[0];
      const prev = this.best.length ? this.best[this.best.length - 1]! : NaN;
      let best = prev;
      if (first && usable) {
        const v = t.metrics[first.metric];
        const better = first.direction === 'maximize' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
        if (v !== undefined && (Number.isNaN(prev) || better(v, prev))) best = v;
      }
      this.best.push(best);
      if (this.reference) {
        const [o1, o2] = objectives;
        if (usable) {
          this.objectiveFront.add({
            trial: t.trial,
            a: (t.metrics[o1!.metric] ?? NaN) * signOf(this.info, o1!.metric),
            b: (t.metrics[o2!.metric] ?? NaN) * signOf(this.info, o2!.metric),
          });
        }
        this.hypervolume.push(this.objectiveFront.hypervolume(this.reference));
      }
    }
  }

  private offer(t: TrialRecord): void {
    if (!this.axes || t.status !== 'ok' || t.feasible === false) return;
    this.axisFront.add({ trial: t.trial, a: metricOf(t, this.axes.x) * this.axes.sx, b: metricOf(t, this.axes.y) * this.axes.sy });
  }

  private noteMetric(m: string): void {
    if (this.metrics.includes(m)) return;
    this.metrics.push(m);
    // Objectives first, then the cost metrics, then the evaluator's in order of appearance.
    const objectives = this.info?.manifest.objectives.map((o) => o.metric) ?? [];
    const rank = (x: string) => (objectives.includes(x) ? objectives.indexOf(x) : COST_METRICS.includes(x) ? 10 + COST_METRICS.indexOf(x) : 100);
    const order = this.metrics.map((x, i) => [x, rank(x), i] as const).sort((a, b) => a[1] - b[1] || a[2] - b[2]);
    this.metrics.splice(0, this.metrics.length, ...order.map((o) => o[0]));
  }
}
