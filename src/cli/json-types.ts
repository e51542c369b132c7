/** The JSON shapes printed by `nas ... --json`, declared once (documented in docs/cli.md). */
import type { SpaceFigures } from '../protocol/figures.js';

/**
 * Figures beyond 2^53 are doubles that may be rounded (src/cli/figures-text.ts): such fields
 * are named in `approximate`, which is absent when every figure is exact.
 */
export type Approximate<K extends string> = { approximate?: K[] };

export interface LayerCost extends Approximate<'params' | 'macs'> {
  name: string;
  op: string;
  output: number[];
  params: number;
  macs: number;
}

export interface NetworkCost extends Approximate<'params' | 'macs' | 'flops' | 'activations'> {
  name: string;
  kind: 'network';
  input: number[];
  output: number[];
  params: number;
  macs: number;
  flops?: number;
  activations: number;
  layers?: LayerCost[];
}

/** A space's figures (src/protocol/figures.ts), as the editor gets them too. */
export interface SpaceCost extends SpaceFigures, Approximate<'minParams' | 'maxParams' | 'minMacs' | 'maxMacs' | 'minFlops' | 'maxFlops'> {
  name: string;
  kind: 'space';
  /** With `--flops`: 2 × minMacs and 2 × maxMacs. */
  minFlops?: number;
  maxFlops?: number;
  /**
   * The number of decisions of the space (distinct choice keys over its architectures), the
   * same whatever the order of each choice's options (docs/cli.md).
   */
  choices: number;
}

export interface SampleJson extends Approximate<'params' | 'macs'> {
  space: string;
  id: string;
  encoding: string;
  /** The architecture on one line: an NB201 string, a DARTS genotype, or the readable form's entries. */
  arch: string;
  params: number;
  macs: number;
  text: string;
}

/** A difference between the training-time and the deployment form: the largest absolute
 * difference, and that over the largest magnitude of the training-time output. */
export interface FuseDifference {
  maxAbsDiff: number;
  maxRelDiff: number;
}

/** `nas fuse --json` (docs/cli.md). Weights and verification fields come with
 * `--weights`, `--out-weights` or `--verify`. */
export interface FuseJson {
  name: string;
  /** The file written. */
  out: string;
  before: { params: number; macs: number };
  after: { params: number; macs: number };
  /** Uses renamed per training-time block, e.g. `{ "from": "RepVGGBlock", "to": "RepVGGDeploy", "uses": 9 }`. */
  renamed: Array<{ from: string; to: string; uses: number }>;
  /** Definitions of imported files that use training-time blocks and were left as they are. */
  external: Array<{ definition: string; file: string }>;
  /** The training-time weights fused: the --weights file, or `random` (random weights and BN statistics). */
  weights?: string;
  /** The deployment weights written (--out-weights). */
  outWeights?: string;
  /** The ONNX model written (--out-onnx): its file, graph nodes and size in bytes. */
  outOnnx?: { file: string; nodes: number; bytes: number };
  /** With --verify: each fused block, its deployment conv applied to the input the multi-branch block read. */
  blocks?: Array<FuseDifference & { name: string; deploy: string }>;
  /** With --verify: the network's outputs (logits). */
  network?: FuseDifference;
  /** With --verify: how it was checked, and whether every difference is within the tolerance. */
  verify?: { images: number; seed: number; tolerance: number; backend: string; ok: boolean };
}
/** `nas bench fuse --json` (docs/cli.md): one forward pass of each form in eval mode, in alternating pairs. */
export interface BenchFuseJson {
  network: string;
  file: string;
  backend: string;
  batch: number;
  pairs: Array<{
    unfusedMs: number;
    fusedMs: number;
    unfusedCpuMs: number;
    fusedCpuMs: number;
    /** Which form ran first in the pair (the order alternates). */
    unfusedFirst: boolean;
    speedup: number;
    cpuSpeedup: number;
  }>;
  /** Medians over the pairs: wall-clock milliseconds of the multi-branch and the fused form, and their ratio (and that of CPU time). */
  unfusedMs: number;
  fusedMs: number;
  speedup: number;
  cpuSpeedup: number;
}

/** `nas search --json` prints NDJSON events, declared with the search engine's run records. */
export type {
  SearchEvent,
  StartEvent,
  SetupEvent,
  TrialEvent,
  BestEvent,
  ParetoEvent,
  DoneEvent,
  ErrorEvent,
  SummaryEvent,
  TrialRecord,
  ArchitectureResult,
} from '../protocol/search-events.js';
/** `nas train --json` prints NDJSON events, declared with the other cross-process messages. */
export type { TrainEventLine } from '../protocol/train-events.js';
/** `nas proxy --json` prints NDJSON events (src/protocol/proxy-events.ts). */
export type { ProxyEvent, ProxyArchitectureEvent, ProxySummaryEvent } from '../protocol/proxy-events.js';
