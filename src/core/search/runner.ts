/**
 * The search loop: asks the strategy, evaluates what is new and feasible (each result cached
 * by architecture), records each trial as it finishes, tells the strategy, and tracks the
 * best, the Pareto front and its hypervolume.
 *
 * Resume is replay: a fresh strategy with the run's seed is driven again from the start, and
 * each evaluation it asks for is answered from the recorded trials, in order, until they run
 * out; the loop then goes on live. Strategies are deterministic given their seed and what they
 * are told, so a resumed run equals an uninterrupted one. A recorded trial that differs from
 * what the strategy asks means the source or the product changed: an error.
 */
import type { ArchitectureResult, DoneEvent, SearchEvent, TrialRecord } from '../../protocol/search-events.js';
import { Rng } from '../util/random.js';
import { describeArchitecture, readableArchitecture } from './describe.js';
import { FeasibleSampler } from './feasible.js';
import { SuccessiveHalving } from './halving.js';
import { makeScalarizer, meetsConstraints, objectiveVector } from './objectives.js';
import { HypervolumeTracker, dominates, hypervolume } from './pareto.js';
import { describeConstraints, type PreparedSearch } from './prepare.js';
import type { RunStore } from './store.js';
import { createStrategy } from './strategies/index.js';
import type { Arch, Candidate, Evaluation, Observation } from './types.js';
import { COST_METRICS, strategySpec } from './vocabulary.js';

export interface RunOptions {
  readonly prepared: PreparedSearch;
  readonly seed: number;
  readonly budget: { readonly queries: number; readonly seconds?: number };
  /** Where trials are recorded; a resumed store's trials are replayed first. */
  readonly store?: RunStore;
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: SearchEvent) => void;
  /** Emit `trial`, `best` and `pareto` events (the CLI turns them off for --repeat). */
  readonly progress?: boolean;
  /**
   * How the chosen architecture is written (`best.nas`, the `done` event's `nas`): the space
   * with its decisions fixed (default; it imports the space's file from the run directory) or
   * the flat network of primitive ops (describe.ts).
   */
  readonly describe?: 'nas' | 'flat';
}

export class ReplayMismatchError extends Error {}

/** Consecutive asks without a new evaluation before the space counts as exhausted. */
const STALL_LIMIT = 5_000;
/** Probe seed of the feasible sampler, fixed so that every seed samples the same way. */
const FEASIBLE_PROBE_SEED = 0x5eed;

interface Entry {
  readonly record: TrialRecord;
  readonly observation: Observation;
  readonly arch: Arch;
}

export async function runSearch(o: RunOptions): Promise<DoneEvent> {
  const { prepared, seed, store } = o;
  const { spec, space, evaluator } = prepared;
  const emit = o.onEvent ?? (() => {});
  const signal = o.signal ?? new AbortController().signal;
  const t0 = performance.now();
  const rng = new Rng(seed);
  const feasible = new FeasibleSampler(space, spec.constraints, FEASIBLE_PROBE_SEED);
  const evalConstraints = spec.constraints.filter((c) => !COST_METRICS.has(c.metric));
  const sSpec = strategySpec(spec.strategy.name);
  // Whether the strategy chooses by one scalar (random and grid only when given MnasNet's target).
  const single = spec.objectives.length === 1 || (!!sSpec?.singleObjective && !(sSpec.blind && typeof spec.strategy.settings['target'] !== 'number'));
  const scalar = single ? makeScalarizer(spec.objectives, spec.strategy.settings) : makeScalarizer([spec.objectives[0]!], {});
  const multi = spec.objectives.length > 1;
  const fixedRef = prepared.reference.map((r, i) => (r === undefined ? undefined : spec.objectives[i]!.direction === 'maximize' ? -r : r));
  const strategy = createStrategy(spec.strategy.name, {
    space,
    feasible,
    rng,
    settings: spec.strategy.settings,
    objectives: spec.objectives,
    budget: o.budget.queries,
    reference: fixedRef.map((r) => r ?? Infinity),
  });
  const eta = Number(spec.strategy.settings['halving'] ?? 0);
  const halving =
    eta >= 2 && evaluator.fidelities && evaluator.fidelities.length > 1
      ? new SuccessiveHalving(evaluator, evaluator.fidelities, eta, (e) => scalar.fitness(e.metrics))
      : undefined;

  const replay = store?.trials ?? [];
  const notes = [...prepared.notes];
  if (feasible.note) notes.push(feasible.note);
  if (eta >= 2 && !halving) notes.push(`successive halving is off: evaluator ${evaluator.name} has one fidelity`);
  emit({
    event: 'start',
    search: spec.name,
    space: spec.space.name,
    size: prepared.size,
    strategy: { name: spec.strategy.name, settings: { ...spec.strategy.settings } },
    evaluator: { name: spec.evaluator.name, settings: { ...spec.evaluator.settings } },
    objectives: spec.objectives.map((x) => ({ ...x })),
    constraints: describeConstraints(spec),
    budget: { ...o.budget },
    seed,
    run: store?.dir,
    resumed: replay.length,
    notes,
  });

  // Setup the evaluator needs before its first trial (a supernet's training); a cancel
  // during it stops the run below, before any trial.
  if (evaluator.prepare) {
    try {
      await evaluator.prepare(signal, (p) => emit({ event: 'setup', evaluator: evaluator.name, ...p }));
    } catch (e) {
      if (!signal.aborted) throw e;
    }
  }

  const cache = new Map<string, Entry>();
  const entries: Entry[] = [];
  let best: Entry | undefined;
  /** The nondominated feasible entries (several objectives), in trial order. */
  let front: Entry[] = [];
  const worst: number[] = [];
  const tracker = multi && fixedRef.every((r) => r !== undefined) ? new HypervolumeTracker(fixedRef as number[]) : undefined;
  const history: number[] = [];
  let stopped: DoneEvent['stopped'] = 'budget';
  let stall = 0;
  let failed = 0;

  const observe = (arch: Arch, record: TrialRecord, cached: boolean): Observation => {
    const ok = record.status === 'ok' && record.feasible !== false;
    return {
      arch,
      cached,
      metrics: record.metrics,
      fitness: ok ? scalar.fitness(record.metrics) : -Infinity,
      objectives: ok ? objectiveVector(spec.objectives, record.metrics) : undefined,
    };
  };

  const afterTrial = (e: Entry, replayed: boolean) => {
    entries.push(e);
    cache.set(e.arch.encoding, e);
    if (e.record.status === 'error') failed++;
    if (o.progress) {
      emit({ event: 'trial', ...e.record, ...(replayed ? { replayed: true } : {}) });
      if (e.record.status === 'error') emit({ event: 'error', trial: e.record.trial, message: e.record.error ?? 'failed' });
    }
    const obs = e.observation;
    // Single-objective strategies choose by their fitness (MnasNet's reward with two objectives).
    if (single && Number.isFinite(obs.fitness) && (!best || obs.fitness > best.observation.fitness)) {
      best = e;
      if (o.progress) emit({ event: 'best', ...result(best) });
    }
    if (!multi) {
      history.push(best ? displayFitness(best.observation.fitness) : NaN);
      return;
    }
    history.push(tracker ? tracker.add(obs.objectives) : NaN);
    const v = obs.objectives;
    if (!v) return;
    v.forEach((x, i) => (worst[i] = Math.max(worst[i] ?? -Infinity, x)));
    if (front.some((f) => dominates(f.observation.objectives!, v) || sameVector(f.observation.objectives!, v))) return;
    front = [...front.filter((f) => !dominates(v, f.observation.objectives!)), e];
    // Multi-objective strategies return the front; `best` is its member with the best first objective.
    const top = front.reduce((a, b) => (b.observation.objectives![0]! < a.observation.objectives![0]! ? b : a));
    if (!single && top !== best) {
      best = top;
      if (o.progress) emit({ event: 'best', ...result(best) });
    }
    if (o.progress) emit({ event: 'pareto', trial: e.record.trial, front: front.map(result), hypervolume: currentHypervolume(front) });
  };

  const displayFitness = (f: number) => (single && spec.objectives.length === 1 && spec.objectives[0]!.direction === 'minimize' ? -f : f);
  const currentRef = (): number[] => fixedRef.map((r, i) => r ?? worst[i] ?? 0);
  const currentHypervolume = (front: Entry[]) =>
    hypervolume(
      front.map((x) => x.observation.objectives!),
      currentRef(),
    );

  /** One new evaluation; undefined when the search was cancelled (the trial is not recorded). */
  const evaluateLive = async (arch: Arch, trial: number): Promise<Entry | undefined> => {
    if (signal.aborted) return undefined;
    const costs = space.costs(arch);
    const id = space.id(arch);
    const candidate = new LazyCandidate(space, arch, id, costs);
    const start = performance.now();
    let evaluation: Evaluation | undefined;
    let rungs: TrialRecord['rungs'];
    let error: string | undefined;
    try {
      if (halving) {
        const h = await halving.evaluate(candidate, signal);
        evaluation = h.evaluation;
        rungs = h.rungs;
      } else {
        const r = evaluator.evaluate(candidate, { signal });
        evaluation = r instanceof Promise ? await r : r;
      }
    } catch (e) {
      if (signal.aborted) return undefined; // cancelled: not recorded, evaluated again on resume
      error = e instanceof Error ? e.message : String(e);
    }
    const metrics: Record<string, number> = { params: costs.params, macs: costs.macs, flops: costs.flops, activations: costs.activations };
    if (evaluation) for (const k in evaluation.metrics) metrics[k] = evaluation.metrics[k]!;
    const summary = describeArchitecture(space, arch, 'summary');
    const record: TrialRecord = {
      trial,
      id,
      encoding: arch.encoding,
      arch: summary,
      status: error === undefined ? 'ok' : 'error',
      metrics,
      seconds: Math.round(performance.now() - start) / 1000,
    };
    const nas = readableArchitecture(space, arch, {
      name: `${space.def.name}_${id.slice(0, 8)}`,
      header: [`trial ${trial} of search ${spec.name}`],
      summary,
      imports: store ? { folder: store.dir } : 'absolute',
    });
    if (nas !== undefined) record.nas = nas;
    if (evaluation?.reported) record.reported = { ...evaluation.reported };
    if (evaluation?.epochs) record.epochs = evaluation.epochs.map((e) => ({ ...e }));
    if (evaluation?.fidelity !== undefined) record.fidelity = evaluation.fidelity;
    if (rungs) record.rungs = rungs;
    if (error !== undefined) record.error = error;
    else if (evalConstraints.length && !meetsConstraints(evalConstraints, metrics)) record.feasible = false;
    return { record, arch, observation: observe(arch, record, false) };
  };

  // Several evaluations at once where the architectures asked for do not depend on the
  // results pending (docs/adr/0020): a blind strategy (random, grid, an evolution's initial
  // population) is asked ahead, and a generation (NSGA-II) is evaluated together; the results are recorded and told in the order
  // asked, so the trials are those of a run one at a time. Successive halving promotes by the
  // order results arrive: one at a time.
  const parallel = halving ? 1 : Math.max(1, Math.floor(evaluator.concurrency ?? 1));
  const askAhead = (): boolean => parallel > 1 && (!!sSpec?.blind || !!strategy.blindNext?.());
  let replayed = 0;
  while (true) {
    if (entries.length >= o.budget.queries) break;
    if (signal.aborted) {
      stopped = 'cancelled';
      break;
    }
    if (o.budget.seconds !== undefined && performance.now() - t0 > o.budget.seconds * 1000) {
      stopped = 'time';
      break;
    }
    // Plan a round: one ask, or (blind strategies) asks until `parallel` evaluations are new.
    const asks: Step[][] = [];
    const planned = new Map<string, Step>();
    let fresh = 0;
    let live = 0;
    let stop: DoneEvent['stopped'] | undefined;
    plan: do {
      const asked = strategy.ask();
      if (asked.length === 0) {
        stop = 'exhausted';
        break;
      }
      const steps: Step[] = [];
      asks.push(steps);
      for (const arch of asked) {
        if (entries.length + fresh >= o.budget.queries) break plan;
        const hit = cache.get(arch.encoding);
        const same = planned.get(arch.encoding);
        if (hit || same) {
          steps.push(hit ? { kind: 'told', observation: { ...hit.observation, arch, cached: true } } : { kind: 'same', arch, of: same! });
          if (++stall > STALL_LIMIT) {
            stop = 'exhausted';
            break plan;
          }
          continue;
        }
        if (!feasible.feasible(arch)) {
          steps.push({ kind: 'told', observation: { arch, cached: true, metrics: {}, fitness: -Infinity, objectives: undefined } });
          continue;
        }
        stall = 0;
        let step: Step;
        if (replayed < replay.length) {
          const record = replay[replayed++]!;
          if (record.encoding !== arch.encoding) {
            throw new ReplayMismatchError(
              `trial ${record.trial} of the run evaluated ${record.arch}, but the search now asks for ${describeArchitecture(space, arch, 'summary')}: the file, the settings or the product changed since the run was recorded`,
            );
          }
          halving?.replay(record.rungs ?? []);
          step = { kind: 'replay', arch, record };
        } else {
          step = { kind: 'live', arch, trial: entries.length + fresh + 1 };
          live++;
        }
        fresh++;
        planned.set(arch.encoding, step);
        steps.push(step);
      }
    } while (askAhead() && live < parallel && entries.length + fresh < o.budget.queries);

    // Run the round's new evaluations, `parallel` at a time; record and tell in asked order.
    const running = startLimited(
      asks.flat().filter((s): s is LiveStep => s.kind === 'live'),
      parallel,
      (s) => evaluateLive(s.arch, s.trial),
    );
    let cancelled = false;
    for (const steps of asks) {
      const told: Observation[] = [];
      for (const step of steps) {
        if (step.kind === 'told') {
          told.push(step.observation);
          continue;
        }
        if (step.kind === 'same') {
          told.push({ ...step.of.entry!.observation, arch: step.arch, cached: true });
          continue;
        }
        let entry: Entry | undefined;
        if (step.kind === 'replay') {
          entry = { record: step.record, arch: step.arch, observation: observe(step.arch, step.record, false) };
          afterTrial(entry, true);
        } else {
          entry = await running.get(step);
          if (!entry) {
            cancelled = true;
            break;
          }
          store?.append(entry.record);
          afterTrial(entry, false);
        }
        step.entry = entry;
        told.push(entry.observation);
      }
      if (cancelled) break;
      strategy.tell(told);
    }
    if (cancelled) {
      // The trials still in flight end with the cancel; none of them is recorded.
      await Promise.allSettled(running.values());
      stopped = 'cancelled';
      break;
    }
    if (stop) {
      stopped = stop;
      break;
    }
  }

  // Final figures: the front and, with a reference only known now, the hypervolume history.
  if (!multi) front = best ? [best] : [];
  const ref = multi ? currentRef() : undefined;
  let finalHistory = history;
  if (multi && !tracker) {
    const t = new HypervolumeTracker(ref!);
    finalHistory = entries.map((e) => t.add(e.observation.objectives));
  }
  const counters = strategy.counters?.() ?? {};
  const done: DoneEvent = {
    event: 'done',
    pareto: front.map(result),
    hypervolume: multi
      ? hypervolume(
          front.map((x) => x.observation.objectives!),
          ref!,
        )
      : null,
    history: finalHistory,
    evaluations: entries.length,
    failed,
    stopped,
    seconds: Math.round(performance.now() - t0) / 1000,
    seed,
  };
  if (multi) done.reference = ref!.map((r, i) => (spec.objectives[i]!.direction === 'maximize' ? -r : r));
  if (counters['pruned'] !== undefined) done.pruned = counters['pruned'];
  if (store) done.run = store.dir;
  if (best) {
    const nas = describeArchitecture(space, best.arch, o.describe ?? 'nas', {
      header: [`search ${spec.name}, seed ${seed}: trial ${best.record.trial} of ${entries.length}`, `id ${best.record.id}`],
      imports: store ? { folder: store.dir } : 'absolute',
    });
    done.best = { ...result(best), nas };
  }
  store?.finish(done);
  emit(done);
  return done;
}

/** One architecture of a round: told at once (cached, infeasible), a duplicate in the round, replayed, or evaluated. */
type Step =
  | { readonly kind: 'told'; readonly observation: Observation }
  | { readonly kind: 'same'; readonly arch: Arch; readonly of: Step & { entry?: Entry } }
  | { readonly kind: 'replay'; readonly arch: Arch; readonly record: TrialRecord; entry?: Entry }
  | LiveStep;

interface LiveStep {
  readonly kind: 'live';
  readonly arch: Arch;
  readonly trial: number;
  entry?: Entry;
}

/** Starts `run` on each item, at most `limit` at a time, in order; the promise of each by item. */
function startLimited<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Map<T, Promise<R>> {
  const out = new Map<T, Promise<R>>();
  const queue: (() => void)[] = [];
  let active = 0;
  for (const item of items) {
    const p = new Promise<R>((resolve, reject) => {
      const go = (): void => {
        active++;
        run(item)
          .then(resolve, reject)
          .finally(() => {
            active--;
            queue.shift()?.();
          });
      };
      if (active < limit) go();
      else queue.push(go);
    });
    p.catch(() => undefined); // awaited in order below; a later one's rejection is not unhandled meanwhile
    out.set(item, p);
  }
  return out;
}

/** What an evaluator sees: the decisions map and the graph are made only if it asks. */
export class LazyCandidate implements Candidate {
  private decided: Map<string, number> | undefined;

  constructor(
    private readonly space: PreparedSearch['space'],
    readonly arch: Arch,
    readonly id: string,
    readonly costs: Candidate['costs'],
  ) {}

  get decisions(): Map<string, number> {
    return (this.decided ??= this.space.decisions(this.arch));
  }

  elaborate() {
    return this.space.elaborate(this.arch);
  }
}

function result(e: Entry): ArchitectureResult {
  const r: ArchitectureResult = { id: e.record.id, encoding: e.record.encoding, arch: e.record.arch, metrics: e.record.metrics, trial: e.record.trial };
  if (e.record.reported) r.reported = e.record.reported;
  return r;
}

function sameVector(a: readonly number[], b: readonly number[]): boolean {
  return a.every((x, i) => x === b[i]);
}
