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

/** `name` may also be a block or cell: the first network or space of the file that uses it is drawn (`GraphResult.focus`). */
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
  /** Where the node was created in the requested document; for a node of a block defined
   * elsewhere (the standard library, an imported file), the call in this document that led to it. */
  range?: Range;
  /** The document of `range` when it is not the requested one (a node of an imported file's
   * block that no call in this document encloses). */
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
  /** A short label per option: its trailing `# comment`, else its source text. */
  labels?: string[];
  /** For a choice among named values (`choice(h0, h1)`, `choose(2, [p0, p1])`): their names, and those taken. */
  inputs?: string[];
  chosenInputs?: string[];
  /** The named statement the choice sits in (`n0` of `n0 = choose(...) -> DartsNode(...)`). */
  within?: string;
  /** A choice in a call's arguments (`conv(8, k = choice(3, 5))`): the node and group ids that call made. */
  argumentOf?: { nodes: number[]; groups: number[] };
}

/**
 * A block or cell instance, or a repeat (`Layer * n`), whose nodes are ids [first, end); for
 * the graph view (src/core/views/architecture.ts `ArchGroup` has the same shape).
 */
export interface GraphGroup {
  id: number;
  kind: 'instance' | 'repeat';
  name: string;
  defKind?: string;
  /** Arguments that differ from the defaults, as a call writes them: `128, stride=2`. */
  args?: string;
  /** The enclosing group's id, -1 for the network's own. */
  parent: number;
  first: number;
  end: number;
  /** Node ids of its inputs, in order, and their declared names. */
  inputs: number[];
  inputNames?: string[];
  output?: number;
  repeatIndex?: number;
  count?: number;
  /** How many choice keys were open when it started. */
  choiceDepth: number;
  /** Its call (or repeat) in the requested document, or the nearest enclosing one there. */
  range?: Range;
  sourceUri?: string;
  /** Stays the same across small edits: names, repeat indices and an ordinal. */
  key: string;
}

/** A named statement or `let` of a body whose value is the tensor of node `output`. */
export interface GraphName {
  name: string;
  /** The group whose body it is in (-1: the network's). */
  group: number;
  output: number;
  first: number;
  end: number;
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
  /** The block, cell and repeat instances, in the order they started (for the graph view). */
  groups?: GraphGroup[];
  /** The named values of the bodies (for the graph view's cell views). */
  names?: GraphName[];
  /** When `name` was a block or cell: its name (it is drawn as instantiated in this network or space). */
  focus?: string;
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
  /**
   * Statements of the definition that did not elaborate; when present, `totals` is the sum of
   * the layers that did, a lower bound that front ends mark as such (`≥ …`).
   */
  layersWithErrors?: number;
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

// ---------------------------------------------------------------- nas/exportPytorch

/** A network, or one architecture of a space (its choices by `decisions`, absent keys at option 0). */
export interface ExportPytorchParams extends DefinitionParams {
  decisions?: Record<string, number>;
}

/** The file `nas export --to pytorch` writes for the same network, or why there is none. */
export interface ExportPytorchResult {
  /** The network's or space's name (the default file name). */
  name?: string;
  code?: string;
  className?: string;
  params?: number;
  /** A space's architecture: its canonical encoding (`nas export --arch` takes it). */
  arch?: string;
  /** Why nothing was exported: no such definition, errors in the file, a name PyTorch reserves. */
  error?: string;
}

export namespace ExportPytorchRequest {
  export const method = 'nas/exportPytorch';
  export const type = new RequestType<ExportPytorchParams, ExportPytorchResult, void>(method);
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
  exportPytorch: 'nas.exportPytorch',
} as const;
