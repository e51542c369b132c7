/** The entry points: elaborate a network or space, or read the cached first-options elaboration. */
import { AstUtils } from 'langium';
import type * as ast from '../../language/syntax/generated/ast.js';
import { fingerprintOf } from '../dependencies.js';
import { NodeSlot } from '../../util/node-slot.js';
import { Evaluator } from './interpreter.js';
import { FIRST_OPTION, type ElaborateOptions, type ElaborationResult } from './types.js';

/** Elaborates a network or space with every choice decided by `options.decider` (the first option by default). */
export function elaborate(def: ast.Definition, options: ElaborateOptions = {}): ElaborationResult {
  const ev = new Evaluator(
    options.decider ?? FIRST_OPTION,
    options.rootDocument ?? AstUtils.findRootNode(def),
    (options.memo ?? true) && !options.observer,
    options.observer,
  );
  return ev.run(def);
}

/**
 * The first-options elaboration of each definition, shared by validation, cost reports and
 * editor hints. An entry is valid while the definition's fingerprint is unchanged: neither
 * it nor any definition it depends on was re-parsed or re-linked (semantics/dependencies.ts).
 */
const cache = new NodeSlot<ast.Definition, { fingerprint: string; result: ElaborationResult }>('elaboration');

export function elaborateCached(def: ast.Definition): ElaborationResult {
  const fingerprint = fingerprintOf(def);
  const hit = cache.get(def);
  if (hit && hit.fingerprint === fingerprint) return hit.result;
  const result = elaborate(def, { rootDocument: AstUtils.findRootNode(def) });
  cache.set(def, { fingerprint, result });
  return result;
}
