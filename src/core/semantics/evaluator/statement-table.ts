/** Which graph nodes each statement made, and what it produced: hints and hovers read it. */
import type { AstNode } from 'langium';
import type { Graph } from '../graph.js';
import type { TensorValue } from '../values.js';

/** What one statement produced, in its first elaboration (blocks run once per instance). */
export interface StatementInfo {
  /** Graph nodes [first, end) were created while the statement ran (nested calls included). */
  readonly first: number;
  readonly end: number;
  readonly output: TensorValue | undefined;
  /** How many times the statement ran (instances of its block, loop iterations). */
  readonly instances: number;
  /**
   * Errors met while its first run ran (in the layers it applies, or a poisoned input): its
   * nodes then leave out what failed, so figures summed over them are incomplete.
   */
  readonly errors: number;
}

/** Int32 columns per run: first node, end node, output node, errors. */
const COLUMNS = 4;

/**
 * The statements of an elaboration with what they produced, in columns rather than an object
 * per statement, since a check keeps every network's table alive (docs/architecture.md,
 * `src/core/semantics/`). `get` and iteration make `StatementInfo` objects
 * when read.
 */
export class StatementTable implements Iterable<[AstNode, StatementInfo]> {
  /**
   * Every run of a statement, in the order they ended; `columns` holds first node, end node,
   * output node (-1: none) and errors met of each, in a typed array (outside the collected heap). Which run is
   * a statement's first, and how many it had, is worked out when first read: a check reads
   * none of it.
   */
  private readonly runs: AstNode[] = [];
  // Room for 256 runs, about twice what a network of the generated benchmark file needs (its
  // own statements and those of the block instances it replays): each growth is an allocation
  // outside the heap.
  private columns = new Int32Array(COLUMNS * 256);
  private index: Map<AstNode, number> | undefined;
  private counts: Int32Array | undefined;

  constructor(private readonly graph: Graph) {}

  get size(): number {
    return this.built().size;
  }

  get(stmt: AstNode): StatementInfo | undefined {
    const i = this.built().get(stmt);
    return i === undefined ? undefined : this.infoAt(i);
  }

  *[Symbol.iterator](): Iterator<[AstNode, StatementInfo]> {
    for (const [stmt, i] of this.built()) yield [stmt, this.infoAt(i)];
  }

  /** Every run of every statement, in the order they ended, with the nodes [first, end) it made
   * (the model builder tells block instances apart by them: src/core/train/model-builder) and
   * the errors it met. */
  forEachRun(visit: (stmt: AstNode, first: number, end: number, errors: number) => void): void {
    const c = this.columns;
    for (let r = 0; r < this.runs.length; r++) visit(this.runs[r]!, c[COLUMNS * r]!, c[COLUMNS * r + 1]!, c[COLUMNS * r + 3]!);
  }

  /** Records one run of `stmt`, which made nodes [first, end) and met `errors` errors. */
  note(stmt: AstNode, first: number, end: number, outputNode: number, errors: number): void {
    const at = COLUMNS * this.runs.length;
    if (at + COLUMNS > this.columns.length) {
      const grown = new Int32Array(this.columns.length * 2);
      grown.set(this.columns);
      this.columns = grown;
    }
    this.columns[at] = first;
    this.columns[at + 1] = end;
    this.columns[at + 2] = outputNode;
    this.columns[at + 3] = errors;
    this.runs.push(stmt);
    this.index = undefined;
  }

  /** Each statement's first run (in the order first runs ended) and its number of runs. */
  private built(): Map<AstNode, number> {
    if (this.index !== undefined) return this.index;
    const index = new Map<AstNode, number>();
    const counts = new Int32Array(this.runs.length);
    for (let r = 0; r < this.runs.length; r++) {
      const stmt = this.runs[r]!;
      const first = index.get(stmt);
      if (first === undefined) {
        index.set(stmt, r);
        counts[r] = 1;
      } else counts[first]!++;
    }
    this.index = index;
    this.counts = counts;
    return index;
  }

  private infoAt(r: number): StatementInfo {
    const c = this.columns;
    const at = COLUMNS * r;
    const node = c[at + 2]!;
    return {
      first: c[at]!,
      end: c[at + 1]!,
      output: node < 0 ? undefined : { kind: 'tensor', node, shape: this.graph.shapeOf(node) },
      instances: this.counts![r]!,
      errors: c[at + 3]!,
    };
  }
}
