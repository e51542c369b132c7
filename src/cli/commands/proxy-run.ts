/**
 * `nas proxy`'s work (proxy.ts declares the command), in the training bundle: load the file,
 * choose the space (a search block's, or --space), sample distinct architectures, score each
 * with the zero-cost evaluator, and print them with, when the block names a benchmark, the
 * benchmark's figures and the rank correlations.
 */
import type { Search } from '../../core/language/syntax/generated/ast.js';
import { ArchitectureSpace } from '../../core/search/architecture-space.js';
import { describeArchitecture } from '../../core/search/describe.js';
import { BenchmarkEvaluator } from '../../core/search/evaluators/benchmark.js';
import { ZeroCostEvaluator } from '../../core/search/evaluators/zero-cost.js';
import { SearchSetupError } from '../../core/search/feasible.js';
import { LazyCandidate } from '../../core/search/runner.js';
import { readSearchSpec } from '../../core/search/spec.js';
import type { Arch } from '../../core/search/types.js';
import { kendallTau, ranks, spearman } from '../../core/util/rank-correlation.js';
import { Rng } from '../../core/util/random.js';
import type { ProxyArchitectureEvent, ProxyCorrelation, ProxyEvent, ProxySummaryEvent } from '../../protocol/proxy-events.js';
import { formatDiagnostic, loadFiles, modelsOf, UsageError } from '../load.js';
import type { ProxyOptions } from './proxy.js';

/** Consecutive repeats before the space counts as exhausted (it has fewer than --sample architectures). */
const REPEATS = 1000;

/**
 * Usage and setup errors end here, in the training bundle: its UsageError is not the class the
 * main bundle's handler knows (each bundle has its own copy of load.ts).
 */
export async function runProxyCommand(file: string, opts: ProxyOptions, signal: AbortSignal): Promise<number> {
  try {
    return await scoreSample(file, opts, signal);
  } catch (e) {
    if (!(e instanceof UsageError) && !(e instanceof SearchSetupError)) throw e;
    process.stderr.write(`nas proxy: ${e.message}\n`);
    return 2;
  }
}

async function scoreSample(file: string, opts: ProxyOptions, signal: AbortSignal): Promise<number> {
  const [loaded] = await loadFiles([file]);
  const errors = loaded!.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    for (const d of errors) process.stderr.write(formatDiagnostic(d) + '\n');
    return 1;
  }
  const root = loaded!.root;
  let search: Search | undefined;
  let def = opts.space ? modelsOf(root, opts.space).find((m) => m.kind === 'space') : undefined;
  if (opts.space && !def) throw new UsageError(`${opts.space} is a network, not a space`);
  if (!def) {
    const searches = root.elements.filter((e): e is Search => e.$type === 'Search');
    search = opts.search ? searches.find((s) => s.name === opts.search) : searches[0];
    if (opts.search && !search) throw new UsageError(`no search named ${opts.search} in ${file}`);
    def = search ? readSearchSpec(search).spec?.space : modelsOf(root).find((m) => m.kind === 'space');
    if (!def) throw new UsageError(`${file} has no space to score (or its search block has errors: nas check ${file})`);
  }
  const spec = search ? readSearchSpec(search).spec : undefined;
  const block = spec?.evaluator.name === 'zero_cost' ? spec.evaluator.settings : {};
  const space = new ArchitectureSpace(def);
  let benchmark: BenchmarkEvaluator | undefined;
  const columns: string[] = [];
  if (spec?.evaluator.name === 'benchmark') {
    try {
      benchmark = new BenchmarkEvaluator(space, spec.evaluator.settings);
    } catch (e) {
      if (e instanceof SearchSetupError) throw new UsageError(e.message);
      throw e;
    }
    columns.push(String(spec.evaluator.settings['fitness']), String(spec.evaluator.settings['report']));
  }
  const log = (line: string): void => void process.stderr.write(`nas proxy: ${line}\n`);
  const evaluators = opts.proxy.map(
    (proxy) =>
      new ZeroCostEvaluator(
        space,
        { ...block, proxy, data: opts.data ?? block['data'] ?? 'shapes10', batch: opts.batch ?? block['batch'] ?? 64, seed: opts.seed },
        { wanted: new Set(), log },
      ),
  );
  try {
    for (const e of evaluators) await e.prepare();
  } catch (e) {
    if (e instanceof SearchSetupError) throw new UsageError(e.message);
    throw e;
  }
  const emit = (e: ProxyEvent): void => void (opts.json && process.stdout.write(JSON.stringify(e) + '\n'));
  const t0 = performance.now();
  const rng = new Rng(opts.seed);
  const seen = new Set<string>();
  const lines: ProxyArchitectureEvent[] = [];
  const several = evaluators.length > 1;
  for (let repeats = 0; lines.length < opts.sample && repeats < REPEATS && !signal.aborted; ) {
    const arch = space.sample(rng);
    if (seen.has(arch.encoding)) {
      repeats++;
      continue;
    }
    repeats = 0;
    seen.add(arch.encoding);
    const line = await scoreOne(space, arch, lines.length + 1, evaluators, benchmark, columns);
    lines.push(line);
    if (!several) emit(line);
    if (!opts.json) process.stderr.write(`\rscored ${lines.length}/${opts.sample}`);
    // Lets Ctrl-C and output run between architectures.
    await new Promise((r) => setImmediate(r));
  }
  if (!opts.json) process.stderr.write('\n');
  // Cancelled: what was scored is still summarised (and correlated), then exit 130.
  if (signal.aborted) log(`cancelled after ${lines.length} architectures`);
  if (several) combine(lines, opts.proxy);
  if (several) for (const l of lines) emit(l);
  const summary: ProxySummaryEvent = {
    event: 'summary',
    space: def.name,
    proxies: opts.proxy,
    sample: lines.length,
    seed: opts.seed,
    seconds: Math.round(performance.now() - t0) / 1000,
  };
  if (signal.aborted) summary.cancelled = true;
  if (benchmark) summary.correlations = correlations(lines, several ? [...opts.proxy, 'combined'] : opts.proxy, columns);
  emit(summary);
  if (!opts.json) printText(lines, summary, several);
  return signal.aborted ? 130 : 0;
}

async function scoreOne(
  space: ArchitectureSpace,
  arch: Arch,
  index: number,
  evaluators: readonly ZeroCostEvaluator[],
  benchmark: BenchmarkEvaluator | undefined,
  columns: readonly string[],
): Promise<ProxyArchitectureEvent> {
  const candidate = new LazyCandidate(space, arch, space.id(arch), space.costs(arch));
  const line: ProxyArchitectureEvent = {
    event: 'architecture',
    index,
    id: candidate.id,
    encoding: arch.encoding,
    arch: describeArchitecture(space, arch, 'summary'),
    params: candidate.costs.params,
    macs: candidate.costs.macs,
    score: null,
    scores: {},
  };
  try {
    for (const e of evaluators) {
      const s = (await e.evaluate(candidate)).metrics['score']!;
      line.scores[e.proxy] = Number.isFinite(s) ? s : null;
    }
    if (evaluators.length === 1) line.score = line.scores[evaluators[0]!.proxy]!;
  } catch (e) {
    line.error = e instanceof Error ? e.message : String(e);
  }
  if (benchmark) {
    const b = benchmark.evaluate(candidate, {});
    line.benchmark = { [columns[0]!]: b.metrics['accuracy']!, [columns[1]!]: b.reported!['accuracy']! };
  }
  return line;
}

/** A proxy's scores with minus infinity (null) below every finite one. */
function column(lines: readonly ProxyArchitectureEvent[], key: string): number[] {
  return lines.map((l) => (key === 'combined' ? (l.score ?? -Infinity) : (l.scores[key] ?? -Infinity)));
}

/** The combined score: the mean over proxies of the rank quantile within the sample (0 worst, 1 best). */
function combine(lines: ProxyArchitectureEvent[], proxies: readonly string[]): void {
  const ok = lines.filter((l) => !l.error);
  if (ok.length < 2) return;
  const quantiles = proxies.map((p) => ranks(column(ok, p)).map((r) => (r - 1) / (ok.length - 1)));
  ok.forEach((l, i) => (l.score = quantiles.reduce((s, q) => s + q[i]!, 0) / proxies.length));
}

function correlations(
  lines: readonly ProxyArchitectureEvent[],
  keys: readonly string[],
  columns: readonly string[],
): Record<string, Record<string, ProxyCorrelation>> {
  const ok = lines.filter((l) => !l.error && l.benchmark);
  const out: Record<string, Record<string, ProxyCorrelation>> = {};
  if (ok.length < 2) return out;
  for (const k of keys) {
    const xs = column(ok, k);
    out[k] = {};
    for (const c of new Set(columns)) {
      const ys = ok.map((l) => l.benchmark![c]!);
      out[k][c] = { spearman: round(spearman(xs, ys)), kendall: round(kendallTau(xs, ys)) };
    }
  }
  return out;
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

function printText(lines: readonly ProxyArchitectureEvent[], s: ProxySummaryEvent, several: boolean): void {
  const out: string[] = [];
  const fmt = (x: number | null | undefined): string =>
    x === null || x === undefined ? '-inf' : Math.abs(x) >= 1e6 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(3) : x.toFixed(3);
  for (const l of lines) {
    const bench = l.benchmark
      ? '  ' +
        Object.entries(l.benchmark)
          .map(([k, v]) => `${k} ${v.toFixed(2)}`)
          .join('  ')
      : '';
    const scores = several ? '  (' + s.proxies.map((p) => `${p} ${fmt(l.scores[p])}`).join(', ') + ')' : '';
    out.push(`${String(l.index).padStart(4)}  ${l.error ? `error: ${l.error}` : `score ${fmt(l.score)}${scores}`}${bench}  ${l.arch}`);
  }
  out.push(`${s.sample} architectures of ${s.space} scored with ${s.proxies.join(', ')} in ${s.seconds.toFixed(1)} s (seed ${s.seed})`);
  for (const [k, cols] of Object.entries(s.correlations ?? {})) {
    out.push(
      `  ${k}: ` +
        Object.entries(cols)
          .map(([c, r]) => `Spearman ${r.spearman.toFixed(3)}, Kendall ${r.kendall.toFixed(3)} with ${c}`)
          .join('; '),
    );
  }
  process.stdout.write(out.join('\n') + '\n');
}
