/**
 * Source fusion: a network's deployment form as `.nas` text, without weights. Every use of a
 * std/blocks training-time block in the network (and in the blocks, cells and constants of
 * the same file it uses) is renamed to its deployment block, which takes the same parameters
 * and is the one convolution the block's weights fuse into (blocks.ts); everything else in the
 * file, comments and formatting included, is kept. Relative imports are rebased when the
 * result is written elsewhere.
 */
import { AstUtils, GrammarUtils, UriUtils, type AstNode, type URI } from 'langium';
import type * as ast from '../language/syntax/generated/ast.js';
import { isBuiltinUri, resolveImportUri } from '../language/services/imports.js';

/** Training-time block of std/blocks → its deployment form (same parameters). */
export const DEPLOY_FORMS: Readonly<Record<string, string>> = {
  RepVGGBlock: 'RepVGGDeploy',
  ACBlock: 'ACDeploy',
  DBBlock: 'DBDeploy',
  MobileOneBlock: 'MobileOneDeploy',
};

export const STD_BLOCKS_URI = 'builtin:/std/blocks.nas';

export interface TextEdit {
  readonly offset: number;
  readonly length: number;
  readonly text: string;
}

export interface SourceFusion {
  /** The whole file with the edits applied. */
  readonly text: string;
  readonly edits: readonly TextEdit[];
  /** Renamed uses per training-time block: `{ RepVGGBlock: 9 }`. */
  readonly renamed: Readonly<Record<string, number>>;
  /** Definitions of other (imported) files the network uses that use training-time blocks:
   * this file cannot rename those uses; fuse those files too. */
  readonly external: ReadonlyArray<{ definition: string; uri: string }>;
}

export interface SourceFusionOptions {
  /** Where the result will be written, to rebase relative imports (default: beside the source). */
  readonly target?: URI;
}

/** The training-time block a reference names, if it resolves to the std/blocks one. */
export function trainingBlockOf(ref: ast.Ref): string | undefined {
  const target = ref.target?.ref;
  if (target?.$type !== 'Definition' || !(target.name in DEPLOY_FORMS)) return undefined;
  return AstUtils.getDocument(target).uri.toString() === STD_BLOCKS_URI ? target.name : undefined;
}

/** The top-level elements of the network's file that the network uses, the network included. */
function closure(network: ast.Definition): { local: AstNode[]; external: Set<ast.Definition> } {
  const doc = AstUtils.getDocument(network);
  const local = new Set<AstNode>([network]);
  const external = new Set<ast.Definition>();
  const queue: AstNode[] = [network];
  while (queue.length) {
    for (const n of AstUtils.streamAst(queue.pop()!)) {
      if (n.$type !== 'Ref') continue;
      const target = (n as ast.Ref).target?.ref;
      if (!target || (target.$type !== 'Definition' && target.$type !== 'Let')) continue;
      const top = target.$container?.$type === 'Document' ? target : undefined;
      if (!top) continue;
      const targetDoc = AstUtils.getDocument(top);
      if (targetDoc === doc) {
        if (!local.has(top)) {
          local.add(top);
          queue.push(top);
        }
      } else if (!isBuiltinUri(targetDoc.uri) && top.$type === 'Definition') external.add(top);
    }
  }
  return { local: [...local], external };
}

/** Whether a definition of another file uses a training-time block, directly or not. */
function usesTrainingBlocks(def: AstNode, seen = new Set<AstNode>()): boolean {
  if (seen.has(def)) return false;
  seen.add(def);
  for (const n of AstUtils.streamAst(def)) {
    if (n.$type !== 'Ref') continue;
    if (trainingBlockOf(n as ast.Ref)) return true;
    const target = (n as ast.Ref).target?.ref;
    if (target?.$type === 'Definition' && target.$container?.$type === 'Document' && !isBuiltinUri(AstUtils.getDocument(target).uri)) {
      if (usesTrainingBlocks(target, seen)) return true;
    }
  }
  return false;
}

/** Whether `def` (a top-level element of the network's file) is one the network uses, or the network itself. */
export function networkUses(network: ast.Definition, def: AstNode): boolean {
  return closure(network).local.includes(def);
}

/**
 * How many uses of training-time blocks source fusion would rename in `network` (0: nothing to
 * fuse). Reads the AST and its references only, no text: cheap enough for a code lens.
 */
export function fusableUses(network: ast.Definition): number {
  let n = 0;
  for (const top of closure(network).local) {
    for (const node of AstUtils.streamAst(top)) if (node.$type === 'Ref' && trainingBlockOf(node as ast.Ref)) n++;
  }
  return n;
}

/** The deployment form of `network`'s file (see the module comment). */
export function fuseSource(network: ast.Definition, options: SourceFusionOptions = {}): SourceFusion {
  const doc = AstUtils.getDocument(network);
  const text = doc.textDocument.getText();
  const edits: TextEdit[] = [];
  const counts = new Map<string, number>();
  const { local, external } = closure(network);
  for (const top of local) {
    for (const n of AstUtils.streamAst(top)) {
      if (n.$type !== 'Ref') continue;
      const block = trainingBlockOf(n as ast.Ref);
      const cst = (n as ast.Ref).target.$refNode ?? n.$cstNode;
      if (!block || !cst) continue;
      edits.push({ offset: cst.offset, length: cst.length, text: DEPLOY_FORMS[block]! });
      counts.set(block, (counts.get(block) ?? 0) + 1);
    }
  }
  // In DEPLOY_FORMS' order, whatever order the uses were met in.
  const renamed: Record<string, number> = {};
  for (const block of Object.keys(DEPLOY_FORMS)) if (counts.has(block)) renamed[block] = counts.get(block)!;
  if (options.target) edits.push(...rebaseImports(doc.parseResult.value as ast.Document, doc.uri, options.target));
  return {
    text: applyEdits(text, edits),
    edits: [...edits].sort((a, b) => a.offset - b.offset),
    renamed,
    external: [...external].filter((d) => usesTrainingBlocks(d)).map((d) => ({ definition: d.name, uri: AstUtils.getDocument(d).uri.toString() })),
  };
}

/** Relative import paths rewritten to resolve to the same files from `target`. */
function rebaseImports(root: ast.Document, source: URI, target: URI): TextEdit[] {
  if (UriUtils.dirname(source).toString() === UriUtils.dirname(target).toString()) return [];
  const out: TextEdit[] = [];
  for (const imp of root.imports) {
    if (typeof imp.path !== 'string' || imp.path.startsWith('std/')) continue;
    const resolved = resolveImportUri(source, imp.path);
    let rel = UriUtils.relative(UriUtils.dirname(target), resolved);
    if (!rel.startsWith('.')) rel = `./${rel}`;
    const cst = GrammarUtils.findNodeForProperty(imp.$cstNode, 'path');
    if (cst) out.push({ offset: cst.offset, length: cst.length, text: JSON.stringify(rel) });
  }
  return out;
}

function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.text + out.slice(e.offset + e.length);
  return out;
}
