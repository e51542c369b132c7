/**
 * Elaboration results for the editor features (inlay hints, hover, code lens, custom requests),
 * computed on demand and cached until the next workspace change: the validator elaborates too,
 * but inside the core and without keeping its results, and hints are asked for far less often
 * than a document changes.
 */
import { AstUtils, DocumentState, type AstNode, type LangiumDocument, type LangiumSharedCoreServices } from 'langium';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import { elaborateCached, type ElaborationResult, type StatementInfo } from '../src/core/semantics/evaluator/index.js';
import { computeSpaceStats } from '../src/core/semantics/space.js';
import { modelTotals, spaceFigures, type ModelTotals } from '../src/core/semantics/figures.js';
import { fingerprintOf } from '../src/core/semantics/dependencies.js';
import type { Totals } from '../src/core/semantics/graph.js';
import { collectImportUris, isBuiltinUri } from '../src/core/language/services/imports.js';
import type { SpaceStatsRunner } from './space-stats-worker.js';
import type { SpaceStatsJob, SpaceStatsReply } from '../src/protocol/space-stats-worker.js';
import { NodeSlot } from '../src/core/util/node-slot.js';
import { computeFixedFigures, type FixedFigures } from './fixed-figures.js';

export interface StatementFigures {
  readonly statement: AstNode;
  readonly info: StatementInfo;
  readonly result: ElaborationResult;
  /** The network or space whose elaboration produced the figures. */
  readonly root: ast.Definition;
  readonly totals: Totals;
}

interface Cached<T> {
  generation: number;
  value: T;
}

interface Keyed<T> {
  key: string;
  value: T;
}

const SPACE_STATS_DELAY_MS = 250;

export function isModelDefinition(node: AstNode): node is ast.Definition {
  return node.$type === 'Definition' && ((node as ast.Definition).kind === 'network' || (node as ast.Definition).kind === 'space');
}

/** Sums the costs of graph nodes [first, end). */
export function totalsOf(result: ElaborationResult, first: number, end: number): Totals {
  return result.graph.totalsOf(first, end);
}

export class NasAnalysis {
  private generation = 0;
  private readonly elaborations = new NodeSlot<ast.Definition, Cached<ElaborationResult>>('editor elaboration');
  /** Space figures, keyed by the space's fingerprint: an edit elsewhere does not recompute them. */
  private readonly stats = new NodeSlot<ast.Definition, Keyed<Promise<SpaceStatsReply>>>('space figures pending');
  private readonly ready = new NodeSlot<ast.Definition, Keyed<SpaceStatsReply>>('space figures');
  private readonly readyListeners: Array<() => void> = [];
  private readonly indexes = new NodeSlot<LangiumDocument, Cached<Map<AstNode, StatementFigures>>>('statement index');
  private readonly fixed = new NodeSlot<ast.Definition, Cached<FixedFigures>>('fixed network figures');

  constructor(
    private readonly shared: LangiumSharedCoreServices,
    private readonly runner?: SpaceStatsRunner,
  ) {
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
    // Validation has usually elaborated it already in this build: reuse the core's cache.
    const value = elaborateCached(def);
    this.elaborations.set(def, { generation: this.generation, value });
    return value;
  }

  /** The totals the editor shows for a network or space (first options): see `modelTotals`. */
  totals(def: ast.Definition): ModelTotals | undefined {
    return modelTotals(def, this.elaborate(def));
  }

  /** A fixed network's instances and runs (`network X = S with { ... }`), for its hints and hovers. */
  fixedFigures(def: ast.Definition): FixedFigures | undefined {
    if (!def.fixed) return undefined;
    const hit = this.fixed.get(def);
    if (hit && hit.generation === this.generation) return hit.value;
    const value = computeFixedFigures(def, this.elaborate(def).fixed ?? []);
    this.fixed.set(def, { generation: this.generation, value });
    return value;
  }

  /** Space figures when computed for the current version; else starts computing them. */
  spaceStatsIfReady(def: ast.Definition): SpaceStatsReply | undefined {
    const hit = this.ready.get(def);
    if (hit && hit.key === fingerprintOf(def)) return hit.value;
    void this.spaceStats(def);
    return undefined;
  }

  /** Called when space figures become ready (to refresh hints and lenses). */
  onSpaceStatsReady(listener: () => void): void {
    this.readyListeners.push(listener);
  }

  /** Size and cost range of a space, computed on the worker thread when there is one. */
  spaceStats(def: ast.Definition): Promise<SpaceStatsReply> {
    const key = fingerprintOf(def);
    const hit = this.stats.get(def);
    if (hit && hit.key === key) return hit.value;
    // Stale once the space was re-parsed (its document's root is a new one) or something it
    // uses changed (its fingerprint did).
    const stale = () => AstUtils.getDocument(def).parseResult.value !== AstUtils.findRootNode(def) || fingerprintOf(def) !== key;
    const compute = async (): Promise<SpaceStatsReply> => {
      if (!this.runner) return computeOnThisThread(def);
      // Wait for a pause in typing: a job started per keystroke would be thrown away at the next.
      await new Promise((resolve) => setTimeout(resolve, SPACE_STATS_DELAY_MS));
      if (stale()) return { ok: false, message: 'superseded by a newer version' };
      return this.runner.run(this.jobFor(def), stale);
    };
    const value = compute().then((outcome) => {
      if (!stale()) {
        this.ready.set(def, { key, value: outcome });
        for (const l of this.readyListeners) l();
      }
      return outcome;
    });
    this.stats.set(def, { key, value });
    return value;
  }

  /** The space's document and, imports first, the files it imports (as the editor has them). */
  private jobFor(def: ast.Definition): SpaceStatsJob {
    const documents: SpaceStatsJob['documents'] = [];
    const seen = new Set<string>();
    const visit = (doc: LangiumDocument): void => {
      const key = doc.uri.toString();
      if (seen.has(key) || isBuiltinUri(doc.uri)) return;
      seen.add(key);
      for (const uri of collectImportUris(doc.parseResult.value as ast.Document, doc.uri)) {
        const imported = this.shared.workspace.LangiumDocuments.getDocument(uri);
        if (imported) visit(imported);
      }
      documents.push({ uri: key, text: doc.textDocument.getText() });
    };
    visit(AstUtils.getDocument(def));
    return { documents, name: def.name };
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

function computeOnThisThread(def: ast.Definition): SpaceStatsReply {
  try {
    const s = computeSpaceStats(def);
    return { ok: true, stats: spaceFigures(s) };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}
