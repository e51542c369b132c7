/**
 * Elaboration results for the editor features (inlay hints, hover, code lens, custom requests),
 * computed on demand and cached until the next workspace change: the validator elaborates too,
 * but inside the core and without keeping its results, and hints are asked for far less often
 * than a document changes.
 */
import { AstUtils, DocumentState, type AstNode, type LangiumDocument, type LangiumSharedCoreServices } from 'langium';
import type * as ast from '../src/core/language/generated/ast.js';
import { elaborate, type ElaborationResult, type StatementInfo } from '../src/core/semantics/evaluator.js';
import { computeSpaceStats, type SpaceStats } from '../src/core/semantics/space.js';
import type { Totals } from '../src/core/semantics/graph.js';

export interface StatementFigures {
  readonly statement: AstNode;
  readonly info: StatementInfo;
  readonly result: ElaborationResult;
  /** The network or space whose elaboration produced the figures. */
  readonly root: ast.Definition;
  readonly totals: Totals;
}

export type SpaceStatsOutcome = { ok: true; stats: SpaceStats } | { ok: false; message: string };

interface Cached<T> {
  generation: number;
  value: T;
}

export function isModelDefinition(node: AstNode): node is ast.Definition {
  return node.$type === 'Definition' && ((node as ast.Definition).kind === 'network' || (node as ast.Definition).kind === 'space');
}

/** Sums the costs of graph nodes [first, end). */
export function totalsOf(result: ElaborationResult, first: number, end: number): Totals {
  let params = 0;
  let macs = 0;
  let acts = 0;
  for (let i = first; i < end; i++) {
    const n = result.graph.nodes[i]!;
    params += n.params;
    macs += n.macs;
    acts += n.acts;
  }
  return { params, macs, acts };
}

export class NasAnalysis {
  private generation = 0;
  private readonly elaborations = new WeakMap<ast.Definition, Cached<ElaborationResult>>();
  private readonly stats = new WeakMap<ast.Definition, Cached<SpaceStatsOutcome>>();
  private readonly indexes = new WeakMap<LangiumDocument, Cached<Map<AstNode, StatementFigures>>>();

  constructor(shared: LangiumSharedCoreServices) {
    // Any change can alter elaborations across files (an imported block), so every cache entry
    // from before the change is stale.
    shared.workspace.DocumentBuilder.onUpdate(() => {
      this.generation++;
    });
    shared.workspace.DocumentBuilder.onBuildPhase(DocumentState.Linked, () => {
      this.generation++;
    });
  }

  /** The network or space elaborated with every choice at its first option. */
  elaborate(def: ast.Definition): ElaborationResult {
    const hit = this.elaborations.get(def);
    if (hit && hit.generation === this.generation) return hit.value;
    const value = elaborate(def, { rootDocument: AstUtils.findRootNode(def) });
    this.elaborations.set(def, { generation: this.generation, value });
    return value;
  }

  spaceStats(def: ast.Definition): SpaceStatsOutcome {
    const hit = this.stats.get(def);
    if (hit && hit.generation === this.generation) return hit.value;
    let value: SpaceStatsOutcome;
    try {
      value = { ok: true, stats: computeSpaceStats(def) };
    } catch (e) {
      value = { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    this.stats.set(def, { generation: this.generation, value });
    return value;
  }

  /**
   * Figures of every statement elaborated by the networks and spaces of the document, blocks
   * and cells included (their first instance, in document order of the networks).
   */
  statementIndex(document: LangiumDocument): Map<AstNode, StatementFigures> {
    const hit = this.indexes.get(document);
    if (hit && hit.generation === this.generation) return hit.value;
    const index = new Map<AstNode, StatementFigures>();
    const root = document.parseResult.value as ast.Document;
    for (const el of root.elements ?? []) {
      if (!isModelDefinition(el)) continue;
      const result = this.elaborate(el);
      for (const [statement, info] of result.statements) {
        if (index.has(statement)) continue;
        index.set(statement, { statement, info, result, root: el, totals: totalsOf(result, info.first, info.end) });
      }
    }
    this.indexes.set(document, { generation: this.generation, value: index });
    return index;
  }
}
