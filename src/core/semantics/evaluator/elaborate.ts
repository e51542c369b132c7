/** The entry points: elaborate a network or space, or read the cached first-options elaboration. */
import { AstUtils, type AstNode } from 'langium';
import type * as ast from '../../language/syntax/generated/ast.js';
import { fingerprintOf } from '../dependencies.js';
import { NodeSlot } from '../../util/node-slot.js';
import { FixedDecider } from '../readable/resolve.js';
import { Evaluator } from './interpreter.js';
import { FIRST_OPTION, type ElaborateOptions, type ElaborationResult } from './types.js';

/** Elaborates a network or space with every choice decided by `options.decider` (the first option by default). */
export function elaborate(def: ast.Definition, options: ElaborateOptions = {}): ElaborationResult {
  if (def.fixed) return elaborateFixed(def, def.fixed, options);
  const ev = new Evaluator(
    options.decider ?? FIRST_OPTION,
    options.rootDocument ?? AstUtils.findRootNode(def),
    (options.memo ?? true) && !options.observer,
    options.observer,
  );
  return ev.run(def);
}

/**
 * A fixed network (`network X = S(args) with { ... }`): its space elaborated with the
 * decisions the `with` block names (readable/resolve.ts). What goes wrong inside the space is
 * reported on the network's reference to it, with the place in the space.
 */
function elaborateFixed(def: ast.Definition, fixed: ast.Fixed, options: ElaborateOptions): ElaborationResult {
  const root = options.rootDocument ?? AstUtils.findRootNode(def);
  const space = fixed.space?.ref;
  const fail = (message: string, code: string): ElaborationResult => {
    const r = new Evaluator(FIRST_OPTION, root, false).empty();
    r.diagnostics.push({ node: fixed, property: 'space', message, code, severity: 'error' });
    return r;
  };
  // An unknown space is the linker's to report, a fixed `space` the validator's.
  if (!space || def.kind !== 'network') return new Evaluator(FIRST_OPTION, root, false).empty();
  if (space.kind !== 'space') return fail(`\`${space.name}\` is a ${space.kind}: a network is written as a space with its decisions fixed`, 'type-mismatch');
  if (space.fixed || !space.body.some((s) => s.$type === 'InputStmt' && s.dims.length > 0))
    return fail(`space ${space.name} cannot be elaborated`, 'type-mismatch');
  const decider = new FixedDecider(fixed);
  const ev = new Evaluator(decider, root, (options.memo ?? true) && !options.observer, options.observer);
  const r = ev.run(space, fixed);
  decider.finish(space.name, r.output !== undefined);
  const inside = (n: AstNode): boolean => AstUtils.findRootNode(n) === root && AstUtils.hasContainerOfType(n, (x) => x === def);
  const diagnostics = r.diagnostics.map((d) =>
    inside(d.node) && d.node !== fixed
      ? d
      : { ...d, node: fixed, property: 'space', message: `in ${space.name}${d.node === fixed ? '' : placeOf(d.node)}: ${d.message}` },
  );
  diagnostics.push(...decider.diagnostics);
  return { ...r, diagnostics, fixed: decider.bindings };
}

function placeOf(node: AstNode): string {
  const line = node.$cstNode?.range.start.line;
  return line === undefined ? '' : ` (line ${line + 1})`;
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
