/**
 * The static fusability check as editor diagnostics: each network is elaborated (the cached
 * elaboration the other checks use) and every reparameterizable sum that would not fuse into
 * one convolution (check-graph.ts) is reported as a warning at the block call in the network
 * that made it: the network trains as written, but `nas fuse` could not make it one conv.
 */
import { AstUtils, type AstNode, type ValidationAcceptor, type ValidationChecks } from 'langium';
import type * as ast from '../language/syntax/generated/ast.js';
import { elaborateCached, type ElaborationResult } from '../semantics/evaluator/index.js';
import { checkFusable } from './check-graph.js';

export const NOT_FUSABLE = 'reparam-not-fusable';

export function registerReparamChecks(registry: { register(checks: ValidationChecks<ast.NasAstType>, thisObj?: object): void }): void {
  registry.register({ Definition: checkFusion });
}

export function checkFusion(def: ast.Definition, accept: ValidationAcceptor): void {
  if (def.kind !== 'network') return;
  // A partial AST (syntax errors) or a network that does not elaborate has errors to fix first.
  const parse = AstUtils.getDocument(def).parseResult;
  if (parse.parserErrors.length > 0 || parse.lexerErrors.length > 0) return;
  if (!def.body.some((s) => s.$type === 'InputStmt' && s.dims.length > 0)) return;
  const r = elaborateCached(def);
  if (r.diagnostics.some((d) => d.severity === 'error') || r.trace.length > 0) return;
  const seen = new Set<string>();
  for (const f of checkFusable(r.graph)) {
    const scope = r.graph.scopeOf(f.add).replace(/\/add$/, '');
    const { node, block } = locate(def, r, f.add);
    const message = `${block ? `\`${block}\`` : 'this sum of branches'} does not fuse into one convolution (${scope}): ${f.message}`;
    const key = `${node.$cstNode?.offset}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    accept('warning', message, { node, code: NOT_FUSABLE });
  }
}

/**
 * The block call in the network's own body that made graph node `id`: the innermost statement
 * of the network whose first run made it, and in it the reference to a block named in the
 * node's scope (`stage/RepVGGBlock.3/s/add` names RepVGGBlock).
 */
function locate(def: ast.Definition, r: ElaborationResult, id: number): { node: AstNode; block?: string } {
  let best: { stmt: AstNode; size: number } | undefined;
  for (const [stmt, info] of r.statements) {
    if (id < info.first || id >= info.end || !within(stmt, def)) continue;
    const size = info.end - info.first;
    if (!best || size < best.size) best = { stmt, size };
  }
  if (!best) return { node: def };
  const segments = new Set(
    r.graph
      .scopeOf(id)
      .split('/')
      .map((s) => s.replace(/\.\d+$/, '')),
  );
  for (const n of AstUtils.streamAst(best.stmt)) {
    if (n.$type !== 'Ref') continue;
    const target = (n as ast.Ref).target?.ref;
    if (target?.$type === 'Definition' && segments.has(target.name)) return { node: n, block: target.name };
  }
  return { node: best.stmt };
}

function within(node: AstNode, def: AstNode): boolean {
  for (let n: AstNode | undefined = node.$container; n; n = n.$container) if (n === def) return true;
  return false;
}
