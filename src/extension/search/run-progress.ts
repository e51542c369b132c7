/**
 * What a live search has done so far, from its events: trials against the budget, the best
 * architecture, the front, and an estimate of the time left. The estimate uses the trials
 * evaluated in this process only (replayed ones cost nothing) and their mean pace.
 */
import type { SetupEvent } from '../../protocol/evaluator-setup.js';
import type { BestEvent, DoneEvent, SearchEvent, StartEvent, TrialRecord } from '../../protocol/search-events.js';
import { formatSI } from '../../shared/format-number.js';

export class RunProgress {
  start: StartEvent | undefined;
  done: DoneEvent | undefined;
  best: BestEvent | undefined;
  /** The evaluator's work before the first trial (a supernet's training), while it lasts. */
  setup: SetupEvent | undefined;
  /** Every trial so far (replayed ones included), in trial order. */
  readonly trials: TrialRecord[] = [];
  failed = 0;
  frontSize = 0;
  hypervolume: number | undefined;
  private live = 0;
  private firstLiveAt: number | undefined;
  private lastLiveAt: number | undefined;

  /** Takes one event; `now` in milliseconds (performance.now or Date.now, one clock throughout). */
  apply(e: SearchEvent, now: number): void {
    switch (e.event) {
      case 'start':
        this.start = e;
        break;
      case 'trial': {
        const { event: _event, replayed, ...record } = e;
        this.trials.push(record);
        if (record.status === 'error') this.failed++;
        if (!replayed) {
          // The first live trial's time also counts: the pace is measured from the start event on.
          this.firstLiveAt ??= now - record.seconds * 1000;
          this.lastLiveAt = now;
          this.live++;
        }
        break;
      }
      case 'setup':
        this.setup = e;
        break;
      case 'best':
        this.best = e;
        break;
      case 'pareto':
        this.frontSize = e.front.length;
        this.hypervolume = e.hypervolume;
        break;
      case 'done':
        this.done = e;
        this.frontSize = e.pareto.length;
        if (e.hypervolume !== null) this.hypervolume = e.hypervolume;
        break;
      default:
        break;
    }
  }

  get budget(): number {
    return this.start?.budget.queries ?? 0;
  }

  /** Seconds left at the pace so far; undefined before two live trials. */
  eta(now: number): number | undefined {
    if (this.live < 2 || this.firstLiveAt === undefined || this.lastLiveAt === undefined) return undefined;
    const perTrial = (this.lastLiveAt - this.firstLiveAt) / this.live;
    const left = Math.max(0, this.budget - this.trials.length);
    const sinceLast = now - this.lastLiveAt;
    return Math.max(0, (left * perTrial - sinceLast) / 1000);
  }

  /** The notification's line: `37/300 trials · best accuracy 94.37 (trial 12) · front 9 · about 12 s left`. */
  describe(now: number): string {
    const setup = this.setupText();
    if (setup && this.trials.length === 0) return setup;
    const parts = [`${this.trials.length}/${this.budget} trials`];
    const best = this.bestText();
    if (best) parts.push(best);
    if ((this.start?.objectives.length ?? 0) > 1 && this.frontSize > 0) parts.push(`front ${this.frontSize}`);
    if (this.failed) parts.push(`${this.failed} failed`);
    const eta = this.eta(now);
    if (eta !== undefined) parts.push(`about ${formatDuration(eta)} left`);
    return parts.join(' · ');
  }

  /**
   * `training the supernet: step 412/1686 (epoch 1/2, accuracy 61.2 %) · about 3 min 5 s left`,
   * while an evaluator trains before the first trial; the estimate is the pace of its steps so far.
   */
  setupText(): string | undefined {
    const s = this.setup;
    if (!s || s.phase !== 'train') return undefined;
    const parts = [`training the ${s.evaluator}: step ${s.step}/${s.steps}`];
    const detail = [
      s.epoch !== undefined && s.epochs !== undefined ? `epoch ${s.epoch}/${s.epochs}` : '',
      s.accuracy !== undefined ? `accuracy ${(100 * s.accuracy).toFixed(1)} %` : '',
    ].filter(Boolean);
    if (detail.length) parts[0] += ` (${detail.join(', ')})`;
    if (s.step > 0 && s.steps > s.step) parts.push(`about ${formatDuration((s.seconds / s.step) * (s.steps - s.step))} left`);
    return parts.join(' · ');
  }

  /** `best accuracy 94.37 (trial 12)`, by the first objective. */
  bestText(): string | undefined {
    const objective = this.start?.objectives[0]?.metric;
    const best = this.done?.best ?? this.best;
    if (!objective || !best) return undefined;
    const value = best.metrics[objective];
    if (value === undefined) return undefined;
    return `best ${objective} ${formatMetric(objective, value)} (trial ${best.trial})`;
  }
}

/** A metric as people read it: counts in compact SI, percentages and small figures with two decimals. */
export function formatMetric(metric: string, value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (/^(params|macs|flops|activations)$/.test(metric) || Math.abs(value) >= 1e5) return formatSI(value, 4);
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** `42 s`, `3 min 5 s`, `2 h 10 min`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}
