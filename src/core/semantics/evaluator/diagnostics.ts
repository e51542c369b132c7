/** The diagnostics of one elaboration, each once, on nodes of the checked document. */
import { AstUtils, type AstNode } from 'langium';
import type * as ast from '../../language/syntax/generated/ast.js';
import type { Graph } from '../graph.js';
import { formatShape } from '../shape.js';
import type { TensorValue } from '../values.js';
import type { SemanticDiagnostic } from './types.js';

export class DiagnosticLog {
  readonly list: SemanticDiagnostic[] = [];
  /** Errors seen, reported or not (poison, or outside the checked document). */
  errorCount = 0;
  private readonly reported = new Set<string>();

  /** `root`: the checked document; a diagnostic elsewhere moves to the outermost call site in it. */
  constructor(private readonly root: AstNode) {}

  report(node: AstNode, message: string, code: string, property?: string, severity: 'error' | 'warning' = 'error', callStack: readonly AstNode[] = []): void {
    this.errorCount++;
    if (code === 'poison') return;
    let target = node;
    let prop = property;
    if (AstUtils.findRootNode(node) !== this.root) {
      const site = callStack.find((s) => AstUtils.findRootNode(s) === this.root);
      if (!site) return;
      target = site;
      prop = undefined;
    }
    const key = `${target.$cstNode?.offset}:${prop}:${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.list.push({ node: target, property: prop, message, code, severity });
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
