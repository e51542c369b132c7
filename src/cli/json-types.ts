/** The JSON shapes printed by `nas ... --json`, declared once (documented in docs/cli.md). */
export interface LayerCost {
  name: string;
  op: string;
  output: number[];
  params: number;
  macs: number;
}

export interface NetworkCost {
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

export interface SpaceCost {
  name: string;
  kind: 'space';
  /** Exact number of architectures, as a decimal string (it can exceed 2^53). */
  size: string;
  log10Size: number;
  minParams: number;
  maxParams: number;
  minMacs: number;
  maxMacs: number;
  /** True when min/max are proven; false when they are the best found by search. */
  exact: boolean;
  method: 'separable' | 'enumeration' | 'dynamic-programming' | 'search';
  choices: number;
}

export interface SampleJson {
  space: string;
  id: string;
  encoding: string;
  params: number;
  macs: number;
  text: string;
}

/** `nas train --json` prints NDJSON events, declared with the other cross-process messages. */
export type { TrainEventLine } from '../protocol/train-events.js';
