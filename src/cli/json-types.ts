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
  choices: number;
}

export interface SampleJson extends Approximate<'params' | 'macs'> {
  space: string;
  id: string;
  encoding: string;
  params: number;
  macs: number;
  text: string;
}

/** `nas fuse --json` (docs/cli.md). Per-block and whole-network verification figures
 * (`blocks`, `network`) come with `--weights`/`--verify`, which fuse trained weights. */
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
}
/** `nas search --json` prints NDJSON events, declared with the search engine's run records. */
export type {
  SearchEvent,
  StartEvent,
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
