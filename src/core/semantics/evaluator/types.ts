/** What elaboration takes and gives: the decider of choices, and the result with its diagnostics and trace. */
import type { AstNode } from 'langium';
import type { Graph } from '../graph.js';
import type { Shape } from '../shape.js';
import type { TensorValue, Value } from '../values.js';
import type { InstancePath } from './choice-keys.js';
import type { FixedBinding } from '../readable/resolve.js';
import type { StatementTable } from './statement-table.js';
import type { ElaborationObserver } from '../elaboration-observer.js';

export interface Decider {
  /**
   * Index in [0, options) of the option taken at this key. `path` is the instance path of the
   * choice (the block calls and loop iterations around it); `values` the options of a
   * `choice(list)` or `choose(k, list)`, evaluated (a readable architecture names them).
   */
  decide(key: string, options: number, site: AstNode, path?: InstancePath, values?: readonly Value[]): number;
}

export const FIRST_OPTION: Decider = { decide: () => 0 };

export interface SemanticDiagnostic {
  readonly node: AstNode;
  readonly property?: string;
  readonly message: string;
  readonly code: string;
  readonly severity: 'error' | 'warning';
  /**
   * For an error met inside a definition of another file and reported at its call site in the
   * checked one: where it happened, then the calls that led there (LSP `relatedInformation`).
   */
  readonly related?: readonly RelatedNote[];
}

/** A place in any document that explains a diagnostic reported elsewhere. */
export interface RelatedNote {
  readonly node: AstNode;
  readonly property?: string;
  readonly message: string;
}

export interface TraceEntry {
  readonly key: string;
  readonly options: number;
  readonly site: AstNode;
  readonly taken: number;
  /** True when decided while another choice's option was being evaluated. */
  readonly nested: boolean;
  /** Index of the network statement (see TopLevelStep) during which it was decided. */
  readonly step: number;
  /** The outermost call that led to the choice (the elaborated definition's statement), if any. */
  readonly callSite?: AstNode;
}

/** One statement of the network's own body (top-level for loops flattened): the nodes and
 * decisions it made. */
export interface TopLevelStep {
  readonly nodeFirst: number;
  readonly nodeEnd: number;
  readonly traceFirst: number;
  readonly traceEnd: number;
  /** The sequence after the statement (most recent last), as the next statement sees it. */
  readonly history: readonly TensorValue[];
}

export interface ElaborationResult {
  readonly graph: Graph;
  /** Spaces only (the sequential DP of space.ts reads them; a network's would only be kept alive). */
  readonly steps: readonly TopLevelStep[];
  /** Keys decided in one top-level statement and used again in a later one. */
  readonly crossStepKeys: ReadonlySet<string>;
  readonly statements: StatementTable;
  readonly output: TensorValue | undefined;
  readonly input: Shape | undefined;
  readonly diagnostics: SemanticDiagnostic[];
  readonly trace: TraceEntry[];
  /** Block and cell instances replayed from a record rather than interpreted (instance-memo.ts). */
  readonly replays: number;
  /** Evaluation steps spent (against MAX_WORK); space analysis budgets its runs by them. */
  readonly work: number;
  /** Of `work`, the steps that built constant lists, which later elaborations reuse (constant-lists.ts). */
  readonly keptWork: number;
  /** A fixed network: each decision and the text it was read from (readable/resolve.ts). */
  readonly fixed?: readonly FixedBinding[];
}

export interface ElaborateOptions {
  readonly decider?: Decider;
  /** Diagnostics on nodes of other documents are moved to the outermost call site in this one. */
  readonly rootDocument?: AstNode;
  /** Replay recorded block instances (instance-memo.ts); off only to test that it changes nothing. */
  readonly memo?: boolean;
  /** Told where instances, repeats and statements begin and end (the views); turns the memo off. */
  readonly observer?: ElaborationObserver;
}
