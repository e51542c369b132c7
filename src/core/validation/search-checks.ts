/**
 * Checks of a `search` block that need the search engine's vocabulary: strategy and evaluator
 * settings (unknown names, bad values, with what is allowed), objectives a strategy or an
 * evaluator cannot handle, evaluators not implemented yet. The engine reads the block with
 * the same function (core/search/spec.ts), so the editor reports exactly what would stop a run.
 */
import type { ValidationAcceptor } from 'langium';
import type * as ast from '../language/syntax/generated/ast.js';
import { readSearchSpec } from '../search/spec.js';

export function checkSearchSpec(search: ast.Search, accept: ValidationAcceptor): void {
  for (const p of readSearchSpec(search).problems) accept(p.severity, p.message, { node: p.node, code: p.code });
}
