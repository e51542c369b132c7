/**
 * The contracts of the search engine: what an evaluator is given and returns, what a strategy
 * asks and is told. Evaluators that train (`train`), share weights (`supernet`), score at
 * initialisation (`zero_cost`) or run in another process (a PyTorch engine) implement
 * `Evaluator` and register a factory in evaluators/registry.ts; nothing else changes.
 */
import type { EpochValues } from '../../protocol/search-events.js';
import type { Decisions } from '../semantics/space.js';
import type { ElaborationResult } from '../semantics/evaluator/index.js';
import type { TorchSlot } from '../torch/pool.js';
import type { SettingValue } from './vocabulary.js';
import type { SetupEvent } from '../../protocol/evaluator-setup.js';

export type Metrics = Readonly<Record<string, number>>;

/** The cost model's figures of an architecture: free, exact, known before any evaluation. */
export interface CostMetrics {
  readonly params: number;
  readonly macs: number;
  /** 2 x MACs (as `nas cost --flops`). */
  readonly flops: number;
  readonly activations: number;
}

/**
 * An architecture of a space: the option taken at each choice key the space's elaboration
 * reaches. `genes[i]` is the option at `ArchitectureSpace.keys[i]`, -1 where a structural
 * choice (a depth) left that key out; keys past the array's end are not reached either.
 */
export interface Arch {
  readonly genes: Int32Array;
  /** Canonical `key=option;...` in decision order: the identity of the architecture. */
  readonly encoding: string;
}

/** What an evaluator sees of a candidate. */
export interface Candidate {
  readonly arch: Arch;
  /** 64-bit FNV-1a of the encoding, 16 hex digits (as `nas sample`). */
  readonly id: string;
  readonly decisions: Decisions;
  readonly costs: CostMetrics;
  /** The elaborated graph (shapes, ops, costs), built on first use and kept while the trial runs. */
  elaborate(): ElaborationResult;
}

export interface EvaluateOptions {
  /**
   * The fidelity to evaluate at, one of `Evaluator.fidelities` (epochs, for the benchmark);
   * undefined: the evaluator's full fidelity.
   */
  readonly fidelity?: number;
  /** Aborted when the search is cancelled: stop soon and throw (the trial is not recorded). */
  readonly signal: AbortSignal;
}

export interface Evaluation {
  /** The metrics the search optimises (accuracy in percent, error = 100 - accuracy, loss, latency in ms). */
  readonly metrics: Metrics;
  /**
   * The metrics reported for a chosen architecture when they differ from what the search saw
   * (the benchmark's protocol: search on 12-epoch accuracy, report the 200-epoch one).
   */
  readonly reported?: Metrics;
  /** The fidelity actually evaluated. */
  readonly fidelity?: number;
  /** Training evaluators: validation accuracy (percent) and loss after each epoch, recorded with the trial. */
  readonly epochs?: readonly EpochValues[];
}

/**
 * One way of measuring architectures. `evaluate` may return synchronously (table lookups) or
 * a promise (training). A thrown error fails that trial only: it is recorded with its message
 * and the search goes on. Results are cached by the engine, keyed by architecture and
 * fidelity, so an evaluator is never asked twice for the same pair within a run.
 */
export interface Evaluator {
  readonly name: string;
  /** Metrics `evaluate` reports (the cost model's are added by the engine). */
  readonly metrics: readonly string[];
  /** Fidelities it can evaluate at, ascending, for successive halving; undefined: one fidelity. */
  readonly fidelities?: readonly number[];
  evaluate(candidate: Candidate, options: EvaluateOptions): Evaluation | Promise<Evaluation>;
  /**
   * Work before the first trial (open a dataset, train or load a supernet), awaited once per
   * run; it may be called again by a later run and then returns at once. Throws
   * `SearchSetupError` when the search cannot run; stops soon when `signal` aborts.
   */
  prepare?(signal: AbortSignal, progress?: (p: SetupProgress) => void): Promise<void>;
  /** Releases workers, files, GPU memory. */
  close?(): void | Promise<void>;
  /**
   * How many `evaluate` calls may run at once (the PyTorch engine's worker slots); absent: 1.
   * The engine uses it where the strategy's choices do not depend on the pending results
   * (runner.ts), so a run's trials are the same whatever the number.
   */
  readonly concurrency?: number;
}

/** What an evaluator's factory is told besides its space and settings. */
export interface EvaluatorContext {
  /** The metrics the search's objectives and constraints name (latency is measured only when named). */
  readonly wanted: ReadonlySet<string>;
  /** Lines for the user about long setup work (a supernet's training); the CLI writes them to stderr. */
  readonly log: (line: string) => void;
  /** The search's constraints (a supernet trains only paths that meet its cost constraints). */
  readonly constraints?: readonly ConstraintSpec[];
  /**
   * The PyTorch engine, when the search runs on it (the CLI resolves `engine`, the Python
   * and the GPUs before the search starts); absent: the tfjs engine.
   */
  readonly torch?: TorchRuntime;
}

/** Where the PyTorch engine's workers run: the Python that has torch, and one slot per concurrent trial. */
export interface TorchRuntime {
  readonly python: string;
  readonly slots: readonly TorchSlot[];
  /** The worker script (default: python/nas_torch_worker.py of the installation). */
  readonly script?: string;
  /** How the engine and device are described to the user (`torch 2.1 on cuda:0, cuda:1 (NVIDIA H100)`). */
  readonly description: string;
}

/** Progress of an evaluator's setup, sent as the search's `setup` event (src/protocol/evaluator-setup.ts). */
export type SetupProgress = Omit<SetupEvent, 'event' | 'evaluator'>;

/** What a strategy is told about an architecture it asked for. */
export interface Observation {
  readonly arch: Arch;
  /** The scalar a single-objective strategy maximises; -Infinity for failed or infeasible trials. */
  readonly fitness: number;
  /** The objectives as values to minimise (maximised metrics negated); undefined when failed or infeasible. */
  readonly objectives: readonly number[] | undefined;
  /** Cost-model and evaluated metrics together. */
  readonly metrics: Metrics;
  /** Answered from the cache: no budget was spent. */
  readonly cached: boolean;
}

/**
 * A search strategy, asked for architectures and told their results in the order it asked
 * for them. Strategies are deterministic given their seed and what they are told: a run is
 * resumed by replaying the recorded results into a fresh strategy.
 */
export interface Strategy {
  /** The next architectures to evaluate (one, or a generation); empty when it has nothing left. */
  ask(): Arch[];
  tell(observations: readonly Observation[]): void;
  /** Counters worth reporting (SM-NAS: architectures pruned without evaluation). */
  counters?(): Record<string, number>;
  /**
   * Whether the next `ask` does not depend on results not yet told (an evolution's random
   * initial population): the engine may then ask ahead and evaluate several at once.
   */
  blindNext?(): boolean;
}

export type Settings = Readonly<Record<string, SettingValue>>;

export interface ObjectiveSpec {
  readonly metric: string;
  readonly direction: 'maximize' | 'minimize';
}

export interface ConstraintSpec {
  readonly metric: string;
  readonly op: '<=' | '<' | '>=' | '>' | '==' | '!=';
  readonly value: number;
}
