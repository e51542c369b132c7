/** The diagnostics of one elaboration, each once, on nodes of the checked document. */
import { AstUtils, UriUtils, type AstNode } from 'langium';
import type * as ast from '../../language/syntax/generated/ast.js';
import type { Graph } from '../graph.js';
import { formatShape } from '../shape.js';
import type { TensorValue } from '../values.js';
import type { RelatedNote, SemanticDiagnostic } from './types.js';

/** Limits of the elaboration as a whole: where inside a callee they were hit says nothing. */
const WHOLE_ELABORATION: ReadonlySet<string> = new Set(['too-large', 'too-deep']);

export class DiagnosticLog {
  readonly list: SemanticDiagnostic[] = [];
  /** Errors seen, reported or not (poison, or outside the checked document); warnings are not counted. */
  errorCount = 0;
  private readonly reported = new Set<string>();

  /**
   * `root`: the checked document; a diagnostic elsewhere moves to the outermost call site in it,
   * names the definition it happened in, and keeps the place itself as related information.
   */
  constructor(private readonly root: AstNode) {}

  report(node: AstNode, message: string, code: string, property?: string, severity: 'error' | 'warning' = 'error', callStack: readonly AstNode[] = []): void {
    if (severity === 'error') this.errorCount++;
    if (code === 'poison') return;
    let target = node;
    let prop = property;
    let text = message;
    let related: RelatedNote[] | undefined;
    const at = AstUtils.findRootNode(node) === this.root ? -1 : callStack.findIndex((s) => AstUtils.findRootNode(s) === this.root);
    if (AstUtils.findRootNode(node) !== this.root) {
      if (at < 0) return;
      target = callStack[at]!;
      prop = undefined;
    }
    if (at >= 0 && !WHOLE_ELABORATION.has(code)) {
      const where = placeOf(node);
      text = `in ${where}: ${message}`;
      related = [{ node, property, message: `the error is here, in ${placeOf(node, false)}` }];
      // The calls between the checked file and the error, outermost first, when they pass through other files.
      for (const s of callStack.slice(at + 1))
        if (AstUtils.findRootNode(s) !== this.root) related.push({ node: s, message: `called here, in ${placeOf(s, false)}` });
    }
    const key = `${target.$cstNode?.offset}:${prop}:${text}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.list.push({ node: target, property: prop, message: text, code, severity, related });
  }

  /** A warning per statement whose output never reaches the network's `output`. */
  reportDeadNodes(graph: Graph, output: TensorValue): void {
    const seen = new Set<AstNode>();
    for (const n of graph.deadNodes(output.node)) {
      if (n.op === 'input' || !n.source || seen.has(n.source)) continue;
      // One warning per statement: report where the dead value is produced.
      const stmt = AstUtils.getContainerOfType(n.source, (x): x is ast.Node => x.$type === 'Node') ?? n.source;
      if (seen.has(stmt)) continue;
      seen.add(stmt);
      seen.add(n.source);
      const name = (stmt as ast.Node).name;
      this.report(
        stmt,
        `dead node: the output of ${name ? `\`${name}\`` : `this ${n.op}`} (${formatShape(n.shape)}) never reaches the network's output`,
        'dead-node',
        undefined,
        'warning',
      );
    }
  }
}

/** `block Bad (lib.nas)`: the definition a node is in and, unless told not to, its file's name. */
export function placeOf(node: AstNode, withFile = true): string {
  const def = AstUtils.getContainerOfType(node, (x): x is ast.Definition => x.$type === 'Definition');
  const file = UriUtils.basename(AstUtils.getDocument(node).uri);
  if (!def) return file;
  return withFile ? `${def.kind} ${def.name} (${file})` : `${def.kind} ${def.name}`;
}
