/**
 * The keys of choices (docs/dsl.md, "Choices"): a choice's site id plus the instance path of
 * the block calls and loop iterations around it.
 */
import { AstUtils, type AstNode } from 'langium';
import type * as ast from '../../language/syntax/generated/ast.js';

/**
 * The instance path of a choice key: `/site#repeat` per enclosing block call and loop
 * iteration. Built as a list and turned into text only when a choice needs its key: most
 * calls decide nothing, and their site ids cost range lookups in the CST.
 */
export class InstancePath {
  private text: string | undefined;
  constructor(
    readonly parent: InstancePath | undefined,
    readonly site: AstNode,
    readonly suffix: string,
  ) {}
  toText(): string {
    this.text ??= `${pathText(this.parent)}/${siteId(this.site)}${this.suffix}`;
    return this.text;
  }
}

export function pathText(path: InstancePath | undefined): string {
  return path ? path.toText() : '';
}

/**
 * A site's stable id: the enclosing definition and the 1-based line:column of the call
 * counted from the definition's first line, so that ids (and the architecture encodings made
 * of them) do not change when text above the definition is edited.
 */
const siteIds = new WeakMap<AstNode, string>();

export function siteId(node: AstNode): string {
  let id = siteIds.get(node);
  if (id === undefined) {
    id = computeSiteId(node);
    siteIds.set(node, id);
  }
  return id;
}

function computeSiteId(node: AstNode): string {
  const def = AstUtils.getContainerOfType(node, (x): x is ast.Definition => x.$type === 'Definition');
  const pos = node.$cstNode?.range.start;
  const base = def?.$cstNode?.range.start.line ?? 0;
  return `${def?.name ?? 'top'}@${pos ? pos.line - base + 1 : 0}:${pos ? pos.character + 1 : 0}`;
}
