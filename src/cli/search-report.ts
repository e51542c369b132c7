/**
 * What `nas search` prints without --json: a progress bar on a terminal (trials, best so far,
 * ETA) and, at the end, the chosen architecture, its metrics and the front; with --repeat one
 * line per run and the mean and standard deviation over runs.
 */
import { SingleBar } from 'cli-progress';
import type { SearchSpec } from '../core/search/spec.js';
import { strategySpec } from '../core/search/vocabulary.js';
import { paretoFront } from '../core/search/pareto.js';
import { formatSI } from '../shared/format-number.js';
import type { ArchitectureResult, DoneEvent, SearchEvent, SummaryEvent, TrialRecord } from '../protocol/search-events.js';

const COST = new Set(['params', 'macs', 'flops', 'activations']);

export function formatMetric(name: string, v: number): string {
  if (name === 'params') return Math.round(v).toLocaleString('en-US');
  if (COST.has(name)) return formatSI(v, 4);
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function formatMetrics(m: Record<string, number>, names?: readonly string[]): string {
  return (names ?? Object.keys(m))
    .filter((k) => m[k] !== undefined)
    .map((k) => `${k} ${formatMetric(k, m[k]!)}`)
    .join('  ');
}

export class SearchReporter {
  private bar: SingleBar | undefined;
  /** The budget of a bar to start at the first trial (on a terminal, one run). */
  private pendingBar: number | undefined;
  private readonly trials: TrialRecord[] = [];
  private bestText = '-';
  /** What runs is said once, also with --repeat. */
  private started = false;

  constructor(
    private readonly spec: SearchSpec,
    private readonly opts: { quiet: boolean; tty: boolean; repeat: number },
  ) {}

  event(e: SearchEvent): void {
    switch (e.event) {
      case 'start':
        if (this.opts.quiet) return;
        if (!this.started) {
          this.started = true;
          const defaults = new Map((strategySpec(e.strategy.name)?.settings ?? []).map((x) => [x.name, x.default]));
          const settings = Object.entries(e.strategy.settings)
            .filter(([k, v]) => defaults.get(k) !== v)
            .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(', ')}]` : v}`)
            .join(', ');
          const size = /^\d+$/.test(e.size) ? `${BigInt(e.size).toLocaleString('en-US')} architectures` : 'size unknown';
          process.stderr.write(
            `search ${e.search}: ${e.strategy.name}(${settings}) on ${e.space} (${size}), evaluator ${e.evaluator.name}, ${e.budget.queries} evaluations${this.opts.repeat > 1 ? `, ${this.opts.repeat} seeds from ${e.seed}` : `, seed ${e.seed}`}\n`,
          );
          for (const n of e.notes) process.stderr.write(`  note: ${n}\n`);
          if (e.resumed) process.stderr.write(`  resuming: ${e.resumed} trials recorded in ${e.run}\n`);
        }
        // The bar starts with the first trial: an evaluator's setup (a supernet's training)
        // writes its progress lines before it, and the ETA counts trials only.
        this.pendingBar = this.opts.tty && this.opts.repeat === 1 ? e.budget.queries : undefined;
        return;
      case 'trial':
        this.startBar();
        this.trials.push(e);
        if (e.status === 'error' && !this.opts.quiet) this.log(`  trial ${e.trial} failed: ${e.error}`);
        this.bar?.update(e.trial, { best: this.bestText });
        return;
      case 'best': {
        const m = this.spec.objectives.map((o) => o.metric);
        this.bestText = formatMetrics(e.metrics, m);
        this.bar?.update({ best: this.bestText });
        return;
      }
      case 'error':
        if (e.trial === undefined) this.log(`nas search: ${e.message}`);
        return;
      case 'done':
        this.pendingBar = undefined;
        this.bar?.stop();
        this.bar = undefined;
        if (this.opts.repeat > 1) this.runLine(e);
        else this.result(e);
        return;
    }
  }

  cancelled(done: DoneEvent): void {
    if (done.run) process.stderr.write(`stopped after ${done.evaluations} evaluations; continue with: nas search --resume ${done.run}\n`);
  }

  summary(s: SummaryEvent, dir: string): void {
    const parts = Object.entries(s.reported)
      .filter(([k]) => !COST.has(k))
      .map(([k, v]) => `${k} ${v.mean.toFixed(2)} ± ${v.std.toFixed(2)}`);
    if (s.hypervolume) parts.push(`hypervolume ${s.hypervolume.mean.toPrecision(6)} ± ${s.hypervolume.std.toPrecision(3)}`);
    process.stdout.write(`${s.runs} runs: ${parts.join(', ')} (mean ± std over runs of the chosen architecture's reported metrics)\nruns in ${dir}\n`);
  }

  private startBar(): void {
    if (this.pendingBar === undefined) return;
    this.bar = new SingleBar({
      format: '  {bar} {value}/{total} trials | best {best} | ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      barsize: 30,
    });
    this.bar.start(this.pendingBar, 0, { best: '-' });
    this.pendingBar = undefined;
  }

  private log(line: string): void {
    if (this.bar) this.bar.stop();
    process.stderr.write(line + '\n');
    this.bar = undefined;
  }

  private runLine(d: DoneEvent): void {
    const b = d.best;
    const m = b ? { ...b.metrics, ...b.reported } : {};
    const names = [...this.spec.objectives.map((o) => o.metric), 'params', 'macs'].filter((x, i, a) => a.indexOf(x) === i);
    process.stdout.write(`seed ${d.seed}: ${b ? `${b.arch}  ${formatMetrics(m, names)}` : 'no architecture evaluated successfully'}\n`);
  }

  private result(d: DoneEvent): void {
    const out: string[] = [];
    const b = d.best;
    if (!b) out.push(`no architecture evaluated successfully (${d.failed} of ${d.evaluations} trials failed)`);
    else {
      out.push(`chosen (trial ${b.trial} of ${d.evaluations}): ${b.arch}`);
      for (const line of fixedNetworkLines(b.nas)) out.push(`  ${line}`);
      out.push(`  search saw: ${formatMetrics(b.metrics)}`);
      if (b.reported)
        out.push(
          `  reported:   ${formatMetrics(
            b.reported,
            Object.keys(b.reported).filter((k) => !COST.has(k)),
          )}`,
        );
    }
    const front = d.pareto.length > 1 ? { label: this.spec.objectives.map((o) => o.metric), items: d.pareto } : this.tradeOff();
    if (front && front.items.length > 0) {
      out.push(
        `Pareto front (${front.label.join(' vs ')}), ${front.items.length} architectures${d.hypervolume !== null ? `, hypervolume ${d.hypervolume.toPrecision(6)}` : ''}:`,
      );
      const sorted = [...front.items].sort((x, y) => (x.metrics[front.label[1]!] ?? 0) - (y.metrics[front.label[1]!] ?? 0));
      for (const f of sorted) out.push(`  ${front.label.map((k) => formatMetric(k, f.metrics[k] ?? NaN).padStart(9)).join('  ')}  ${f.arch}`);
    }
    if (d.pruned) out.push(`pruned without evaluation (partial order): ${d.pruned}`);
    const how = d.stopped === 'exhausted' ? ' (the strategy had nothing new to evaluate)' : d.stopped === 'time' ? ' (time budget)' : '';
    out.push(`${d.evaluations} evaluations in ${d.seconds.toFixed(1)} s${how}`);
    if (d.run) out.push(`run recorded in ${d.run} (trials.jsonl, result.json${b ? ', best.nas: the chosen network as .nas text' : ''})`);
    process.stdout.write(out.join('\n') + '\n');
  }

  /** One objective: the accuracy/MACs trade-off among the evaluated architectures, for context. */
  private tradeOff(): { label: string[]; items: ArchitectureResult[] } | undefined {
    const o = this.spec.objectives[0]!;
    if (COST.has(o.metric)) return undefined;
    const ok = this.trials.filter((t) => t.status === 'ok' && t.metrics[o.metric] !== undefined);
    const sign = o.direction === 'maximize' ? -1 : 1;
    const idx = paretoFront(ok.map((t) => [sign * t.metrics[o.metric]!, t.metrics['macs']!]));
    return { label: [o.metric, 'macs'], items: idx.map((i) => ok[i]!) };
  }
}

/** Mean and population standard deviation (as numpy's default) of each run's chosen architecture's reported metrics. */
export function summarize(dones: readonly DoneEvent[]): SummaryEvent {
  const stats = (xs: number[]) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
  };
  const withBest = dones.filter((d) => d.best);
  const reported: SummaryEvent['reported'] = {};
  // The reported metrics where the evaluator gives them (the benchmark's 200-epoch accuracy), else what the search saw.
  const shown = (d: DoneEvent) => ({ ...d.best!.metrics, ...d.best!.reported });
  const first = withBest[0];
  for (const k of Object.keys(first ? shown(first) : {})) {
    const xs = withBest.map((d) => shown(d)[k]).filter((x): x is number => x !== undefined);
    if (xs.length === withBest.length) reported[k] = stats(xs);
  }
  const s: SummaryEvent = { event: 'summary', runs: dones.length, reported };
  const hv = dones.map((d) => d.hypervolume).filter((x): x is number => x !== null);
  if (hv.length === dones.length && hv.length > 0) s.hypervolume = stats(hv);
  return s;
}

/**
 * The chosen architecture's readable form (`network X = S with { ... }`, a few lines) from its
 * .nas text, without the import and comments that make it a file; nothing for the flat form,
 * which is hundreds of lines of primitive ops (best.nas has it).
 */
export function fixedNetworkLines(nas: string | undefined): string[] {
  const lines = nas?.split('\n') ?? [];
  const start = lines.findIndex((l) => /^network \S+ = .* with \{/.test(l));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l === '}');
  return lines.slice(start, end < 0 ? undefined : end + 1);
}
