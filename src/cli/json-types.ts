/** The JSON shapes printed by `nas ... --json`, declared once (documented in docs/cli.md). */
import type { SpaceFigures } from '../protocol/figures.js';

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

/** A space's figures (src/protocol/figures.ts), as the editor gets them too. */
export interface SpaceCost extends SpaceFigures {
  name: string;
  kind: 'space';
  /** With `--flops`: 2 × minMacs and 2 × maxMacs. */
  minFlops?: number;
  maxFlops?: number;
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
