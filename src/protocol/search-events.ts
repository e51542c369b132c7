/**
 * `nas search --json` (the search engine, src/core/search) -> whoever reads its NDJSON
 * stdout (the editor's search view, scripts): one event per line. The same trial records are
 * the lines of a run directory's `trials.jsonl`. Documented in docs/cli.md.
 */
import type { SetupEvent } from './evaluator-setup.js';

export type { SetupEvent };

export type MetricValues = Record<string, number>;

/** One evaluation, as recorded in trials.jsonl and sent as a `trial` event. */
export interface TrialRecord {
  /** 1-based evaluation number within the run. */
  trial: number;
  /** 64-bit FNV-1a of `encoding`, 16 hex digits. */
  id: string;
  /** Canonical decisions, `key=option;...` in decision order (decodeDecisions reads it). */
  encoding: string;
  /** The architecture in one readable line (an NB201 string, a DARTS genotype, `name=option ...`). */
  arch: string;
  /**
   * The architecture as readable `.nas` text (`network X = Space with { ... }`, the flat form
   * where a decision has no name), importing the space's file relative to the run directory
   * (absolute when the run is not recorded). Absent in runs recorded before it was added.
   */
  nas?: string;
  status: 'ok' | 'error';
  /** Cost-model metrics (params, macs, flops, activations) and the evaluator's (accuracy, error, ...). */
  metrics: MetricValues;
  /** What the evaluator reports for a chosen architecture when it differs from what the search saw. */
  reported?: MetricValues;
  /** The fidelity evaluated (epochs for the benchmark), when the evaluator has several. */
  fidelity?: number;
  /** Successive halving: the fidelities this candidate went through and its fitness at each. */
  rungs?: { fidelity: number; fitness: number }[];
  /** Training evaluators: the validation figures after each epoch of the fidelity evaluated (intermediate values). */
  epochs?: EpochValues[];
  /** False when a constraint on an evaluated metric fails (the trial counts, but is never chosen). */
  feasible?: boolean;
  /** The evaluator's message when status is `error`. */
  error?: string;
  /** Seconds the evaluation took. */
  seconds: number;
}

/** One epoch of a trained candidate: validation accuracy in percent and validation loss. */
export interface EpochValues {
  epoch: number;
  accuracy: number;
  loss: number;
}

export interface ArchitectureResult {
  id: string;
  encoding: string;
  arch: string;
  metrics: MetricValues;
  reported?: MetricValues;
  trial: number;
}

export interface StartEvent {
  event: 'start';
  search: string;
  space: string;
  /** Number of architectures of the space, a decimal string (it can exceed 2^53). */
  size: string;
  strategy: { name: string; settings: Record<string, unknown> };
  evaluator: { name: string; settings: Record<string, unknown> };
  objectives: { metric: string; direction: 'maximize' | 'minimize' }[];
  constraints: string[];
  budget: { queries: number; seconds?: number };
  seed: number;
  /** The run directory, when the run is recorded. */
  run?: string;
  /** Trials replayed from the run directory (resume). */
  resumed: number;
  /** Things worth knowing (how feasible architectures are sampled, a space that differs from the benchmark's). */
  notes: string[];
}

export interface TrialEvent extends TrialRecord {
  event: 'trial';
  /** Replayed from the run directory, not evaluated again. */
  replayed?: boolean;
}

/** The best architecture changed (by the strategy's selection rule). */
export interface BestEvent extends ArchitectureResult {
  event: 'best';
}

/** The Pareto front changed (several objectives). */
export interface ParetoEvent {
  event: 'pareto';
  trial: number;
  front: ArchitectureResult[];
  hypervolume: number;
}

export interface DoneEvent {
  event: 'done';
  /** The chosen architecture, with `nas`: its .nas text. Absent when no trial succeeded. */
  best?: ArchitectureResult & { nas: string };
  pareto: ArchitectureResult[];
  /** Hypervolume of the front for several objectives (reference point in `reference`), else null. */
  hypervolume: number | null;
  /** The hypervolume reference point, in the objectives' own units and order. */
  reference?: number[];
  /** After each evaluation: the hypervolume (several objectives) or the best objective value (one). */
  history: number[];
  evaluations: number;
  /** Architectures dropped without evaluation (SM-NAS partial-order pruning). */
  pruned?: number;
  failed: number;
  stopped: 'budget' | 'exhausted' | 'cancelled' | 'time';
  seconds: number;
  seed: number;
  run?: string;
}

export interface ErrorEvent {
  event: 'error';
  message: string;
  /** Set when one trial failed (the search goes on); absent when the search itself failed. */
  trial?: number;
}

/** The last line with `--repeat R`: the reported metrics of each run's best, mean and std. */
export interface SummaryEvent {
  event: 'summary';
  runs: number;
  reported: Record<string, { mean: number; std: number }>;
  /** With several objectives: the final hypervolume over the runs. */
  hypervolume?: { mean: number; std: number };
}

export type SearchEvent = StartEvent | SetupEvent | TrialEvent | BestEvent | ParetoEvent | DoneEvent | ErrorEvent | SummaryEvent;
