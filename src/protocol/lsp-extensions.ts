/**
 * The custom requests of the NAS Studio language server and the commands its code lenses
 * invoke. Sides: the server (language-server/requests.ts, code-lens.ts) and the extension
 * (src/extension/); docs/protocol.md describes them. Positions and ranges follow LSP: 0-based
 * lines and UTF-16 characters. Figures are those of figures.ts.
 */
import { RequestType } from 'vscode-languageserver-protocol';
import type { CostTotals, NetworkFigures, ShapeTuple, SpaceFigures } from './figures.js';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** Picks a network or space in a file: by name, or the first one when the name is absent. */
export interface DefinitionParams {
  /** The document's URI, as in textDocument/didOpen. */
  uri: string;
  name?: string;
}

// ---------------------------------------------------------------- nas/graph

export interface GraphParams extends DefinitionParams {
  /** Options taken at choice keys (see `GraphResult.choices`); absent keys take option 0. */
  decisions?: Record<string, number>;
}

export interface GraphNodeInfo {
  id: number;
  /** Primitive op (`conv`, `bn`, ...) or `input`. */
  op: string;
  /** Readable position in the network: `stage2/Bottleneck.1/conv`. */
  scope: string;
  attrs: Record<string, number | boolean | string>;
  /** Ids of the nodes whose outputs this node takes, in order. */
  inputs: number[];
  shape: ShapeTuple;
  params: number;
  macs: number;
  acts: number;
  /** Where the node was created, when that is in the requested document. */
  range?: Range;
  /** URI of the document that created the node (an imported block's file, for example). */
  sourceUri?: string;
  /** Choice keys being decided when the node was created, innermost last. */
  choiceKeys: string[];
  /** True when the node's output never reaches the network's output. */
  dead: boolean;
}

export interface GraphEdge {
  from: number;
  to: number;
  /** Position of the input among the target's inputs. */
  index: number;
}

export interface ChoiceInfo {
  key: string;
  options: number;
  taken: number;
  range?: Range;
}

export interface GraphResult {
  uri: string;
  name: string;
  kind: 'network' | 'space';
  nodes: GraphNodeInfo[];
  edges: GraphEdge[];
  /** Id of the output node; absent when elaboration failed. */
  output?: number;
  input?: ShapeTuple;
  totals: CostTotals;
  /** The choices met while elaborating with `decisions`, in the order they were decided. */
  choices: ChoiceInfo[];
  /** Error messages of the elaboration (the same as the file's diagnostics). */
  errors: string[];
}

export namespace GraphRequest {
  export const method = 'nas/graph';
  /** Resolves to null when the document has no such network or space. */
  export const type = new RequestType<GraphParams, GraphResult | null, void>(method);
}

// ---------------------------------------------------------------- nas/costReport

export interface StatementCost {
  range: Range;
  /** The statement's text (first line, trimmed). */
  text: string;
  /** Output shape; absent for statements that produce no tensor. */
  shape?: ShapeTuple;
  /** Costs of the first instance (a block statement runs once per instance of the block). */
  params: number;
  macs: number;
  acts: number;
  /** How many times the statement ran (block instances, loop iterations). */
  instances: number;
}

/** A network's or space's figures (a space's with every choice at its first option), statement by statement. */
export interface DefinitionCost extends NetworkFigures {
  name: string;
  kind: 'network' | 'space';
  range: Range;
  statements: StatementCost[];
  /** For a space: its size and cost range; `spaceError` says why it could not be computed. */
  space?: SpaceFigures;
  spaceError?: string;
}

export interface CostReportParams {
  uri: string;
  /** Only this network or space; all of the file's when absent. */
  name?: string;
}

export interface CostReportResult {
  uri: string;
  definitions: DefinitionCost[];
}

export namespace CostReportRequest {
  export const method = 'nas/costReport';
  export const type = new RequestType<CostReportParams, CostReportResult, void>(method);
}

// ---------------------------------------------------------------- commands

/**
 * Commands the code lenses invoke; the extension registers them. Arguments: the document URI
 * (string) and the definition name.
 */
export const NasCommands = {
  search: 'nas.search',
  showGraph: 'nas.showGraph',
  fuse: 'nas.fuse',
} as const;
