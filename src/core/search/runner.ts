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

  const evaluateLive = async (arch: Arch, trial: number): Promise<Entry | undefined> => {
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
    store?.append(record);
    return { record, arch, observation: observe(arch, record, false) };
  };

  let replayed = 0;
  loop: while (true) {
    if (entries.length >= o.budget.queries) break;
    if (signal.aborted) {
      stopped = 'cancelled';
      break;
    }
    if (o.budget.seconds !== undefined && performance.now() - t0 > o.budget.seconds * 1000) {
      stopped = 'time';
      break;
    }
    const asked = strategy.ask();
    if (asked.length === 0) {
      stopped = 'exhausted';
      break;
    }
    const told: Observation[] = [];
    for (const arch of asked) {
      if (entries.length >= o.budget.queries) break;
      const hit = cache.get(arch.encoding);
      if (hit) {
        told.push({ ...hit.observation, arch, cached: true });
        if (++stall > STALL_LIMIT) {
          stopped = 'exhausted';
          break loop;
        }
        continue;
      }
      if (!feasible.feasible(arch)) {
        told.push({ arch, cached: true, metrics: {}, fitness: -Infinity, objectives: undefined });
        continue;
      }
      stall = 0;
      let entry: Entry | undefined;
      if (replayed < replay.length) {
        const record = replay[replayed++]!;
        if (record.encoding !== arch.encoding) {
          throw new ReplayMismatchError(
            `trial ${record.trial} of the run evaluated ${record.arch}, but the search now asks for ${describeArchitecture(space, arch, 'summary')}: the file, the settings or the product changed since the run was recorded`,
          );
        }
        halving?.replay(record.rungs ?? []);
        entry = { record, arch, observation: observe(arch, record, false) };
        afterTrial(entry, true);
      } else {
        entry = await evaluateLive(arch, entries.length + 1);
        if (!entry) {
          stopped = 'cancelled';
          break loop;
        }
        afterTrial(entry, false);
      }
      told.push(entry.observation);
    }
    strategy.tell(told);
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
