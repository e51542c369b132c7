/**
 * Where a decision sits in a readable architecture (docs/dsl.md, "Fixed architectures"): the
 * cell whose genotype holds it (or the space's own body), the statement of that body that
 * makes it (its name, or none: the decision is positional) and, inside, the name of the value
 * it decides (`k = choice(3, 5)`, `convs=choice(2, 4)`). Read from the choice's site and its
 * instance path, the same things its key is made of, so that every elaboration of the space
 * gives a decision the same address.
 */
import { AstUtils, type AstNode } from 'langium';
import type * as ast from '../../language/syntax/generated/ast.js';
import type { InstancePath } from '../evaluator/choice-keys.js';

export interface Address {
  /** The cell whose genotype holds the decision (shared by all its instances), or undefined. */
  readonly cell: ast.Definition | undefined;
  /** The statement of the space's (or the cell's) body that makes the decision. */
  readonly statement: AstNode;
  /** The statement's name (a node, a `let`, `output`), or undefined: a positional decision. */
  readonly line: string | undefined;
  /** Positional decisions print one line per statement and loop iteration. */
  readonly lineBreak: string;
  /** The name of the value the choice decides, inside its own definition (`k`, `convs`). */
  readonly name: string | undefined;
  /** The tensor the decided layer is applied to, when the text fixes it (`n0 -> NB201Op(C)`). */
  readonly input: string | undefined;
}

export function addressOf(site: AstNode, path: InstancePath | undefined): Address {
  const segments: InstancePath[] = [];
  for (let p = path; p; p = p.parent) segments.unshift(p);
  const outer = segments[0]?.site ?? site;
  const def = AstUtils.getContainerOfType(outer, (x): x is ast.Definition => x.$type === 'Definition');
  let statement: AstNode = outer;
  while (statement.$container && statement.$container !== def && statement.$container.$type !== 'Document') statement = statement.$container;
  const line = statementName(statement);
  const iteration = segments[0]?.site.$type === 'ForStmt' ? segments[0].suffix : '';
  return {
    cell: def?.kind === 'cell' ? def : undefined,
    statement,
    line,
    lineBreak: `${statement.$cstNode?.offset ?? 0}${iteration}`,
    name: valueName(site, line),
    input: segments[0] ? appliedTo(segments[0].site) : undefined,
  };
}

function statementName(s: AstNode): string | undefined {
  if (s.$type === 'Let') return (s as ast.Let).name;
  if (s.$type === 'Node') return (s as ast.Node).name ?? undefined;
  if (s.$type === 'OutputStmt') return 'output';
  return undefined;
}

/** The parameter a choice is passed to, or the node or `let` it is assigned to (not the line's own name). */
function valueName(site: AstNode, line: string | undefined): string | undefined {
  let node = site;
  while (node.$container?.$type === 'Paren') node = node.$container;
  const parent = node.$container;
  let name: string | undefined;
  if (parent?.$type === 'Arg') name = (parent as ast.Arg).name ?? parameterAt(parent as ast.Arg);
  else if (parent?.$type === 'Let' || parent?.$type === 'Node') name = (parent as ast.Let | ast.Node).name ?? undefined;
  return name === line ? undefined : name;
}

/** The name of the parameter a positional argument binds to, when the callee is a definition. */
function parameterAt(arg: ast.Arg): string | undefined {
  const call = arg.$container;
  if (call?.$type !== 'Call') return undefined;
  const callee = (call as ast.Call).callee;
  const target = callee.$type === 'Ref' ? (callee as ast.Ref).target?.ref : undefined;
  if (target?.$type !== 'Definition' || target.kind === 'fn') return undefined;
  const index = (call as ast.Call).args.filter((a) => !a.name).indexOf(arg);
  return index >= 0 ? target.params[index]?.name : undefined;
}

/** `x -> Block(...)`: the name of `x`. */
function appliedTo(site: AstNode): string | undefined {
  let node = site;
  while (node.$container?.$type === 'Paren') node = node.$container;
  const parent = node.$container;
  if (parent?.$type !== 'BinaryExpr') return undefined;
  const b = parent as ast.BinaryExpr;
  return b.operator === '->' && b.right === node && b.left.$type === 'Ref' ? (b.left as ast.Ref).target.$refText : undefined;
}
