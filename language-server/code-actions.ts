/**
 * Quick fixes: "did you mean" for an unknown name, a 1x1 projection for a channel mismatch
 * of `add`/`mul`, and removing a dead node; on a training-time block, fusing its network for
 * deployment (fuse-actions.ts).
 */
import { AstUtils, CstUtils, type AstNode, type LangiumDocument } from 'langium';
import type { CodeActionProvider } from 'langium/lsp';
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import type { NasAnalysis } from './analysis.js';
import { fuseActions } from './fuse-actions.js';

export class NasCodeActionProvider implements CodeActionProvider {
  constructor(private readonly analysis: NasAnalysis) {}

  getCodeActions(document: LangiumDocument, params: CodeActionParams): CodeAction[] {
    const actions: CodeAction[] = [];
    for (const d of params.context.diagnostics) {
      try {
        const action = this.fixFor(document, d);
        if (action) actions.push(action);
      } catch {
        // A fix that cannot be computed is simply not offered.
      }
    }
    try {
      actions.push(...fuseActions(document, params.range));
    } catch {
      // As above: an action that cannot be computed is not offered.
    }
    return actions;
  }

  private fixFor(document: LangiumDocument, d: Diagnostic): CodeAction | undefined {
    const uri = document.uri.toString();
    const edit = (edits: TextEdit[]) => ({ changes: { [uri]: edits } });
    switch (d.code) {
      case 'unknown-name': {
        const suggestion = (d.data as { suggestion?: string } | undefined)?.suggestion;
        if (!suggestion) return undefined;
        return {
          title: `Change to \`${suggestion}\``,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: true,
          edit: edit([{ range: d.range, newText: suggestion }]),
        };
      }
      case 'dead-node': {
        const statement = this.statementAt(document, d);
        if (!statement?.$cstNode) return undefined;
        const text = document.textDocument;
        const { start, end } = statement.$cstNode.range;
        // Remove whole lines when the statement is alone on them, else just its text.
        const lineStart = text.offsetAt({ line: start.line, character: 0 });
        const before = text.getText().slice(lineStart, statement.$cstNode.offset);
        const nextLine = text.offsetAt({ line: end.line + 1, character: 0 });
        const after = text.getText().slice(statement.$cstNode.end, nextLine);
        const range =
          before.trim() === '' && after.trim() === ''
            ? { start: { line: start.line, character: 0 }, end: text.positionAt(nextLine) }
            : statement.$cstNode.range;
        return { title: 'Remove the dead node', kind: CodeActionKind.QuickFix, diagnostics: [d], edit: edit([{ range, newText: '' }]) };
      }
      case 'shape-mismatch':
        return this.projectionFix(document, d, edit);
    }
    return undefined;
  }

  private statementAt(document: LangiumDocument, d: Diagnostic): AstNode | undefined {
    const node = this.nodeAt(document, d);
    return node && AstUtils.getContainerOfType(node, (n): n is AstNode => n.$type === 'Node' || n.$type === 'OutputStmt');
  }

  private nodeAt(document: LangiumDocument, d: Diagnostic): AstNode | undefined {
    const root = document.parseResult.value.$cstNode;
    if (!root) return undefined;
    const leaf = CstUtils.findLeafNodeAtOffset(root, document.textDocument.offsetAt(d.range.start));
    return leaf?.astNode;
  }

  /**
   * `add(a, b)` with a of 64 and b of 128 channels: project the input that differs from the
   * first one (the one the message names as "found") with `-> conv(64, k=1)`.
   */
  private projectionFix(document: LangiumDocument, d: Diagnostic, edit: (e: TextEdit[]) => CodeAction['edit']): CodeAction | undefined {
    const m = /expected (\d+)(?:×(\d+)×(\d+))?, found (\d+)(?:×(\d+)×(\d+))?/.exec(d.message);
    if (!m) return undefined;
    const [want, wh, ww, got, gh, gw] = [m[1], m[2], m[3], m[4], m[5], m[6]];
    if (want === got || wh !== gh || ww !== gw) return undefined; // only channels differ
    const node = this.nodeAt(document, d);
    const call =
      node &&
      AstUtils.getContainerOfType(
        node,
        (n): n is ast.Call => n.$type === 'Call' && ['add', 'mul'].includes(((n as ast.Call).callee as ast.Ref).target?.$refText ?? ''),
      );
    if (!call) return undefined;
    // The inputs in the order the op receives them: `x -> add(y)` is add(x, y).
    const inputs: ast.Expr[] = [];
    const parent = call.$container;
    if (parent.$type === 'BinaryExpr' && (parent as ast.BinaryExpr).operator === '->' && (parent as ast.BinaryExpr).right === call)
      inputs.push((parent as ast.BinaryExpr).left);
    inputs.push(...call.args.filter((a) => !a.name).map((a) => a.value));
    if (inputs.length < 2) return undefined;
    const index = this.analysis.statementIndex(document);
    const channelsOf = (e: ast.Expr): number | undefined => {
      if (e.$type !== 'Ref') return undefined;
      const target = (e as ast.Ref).target.ref;
      return target ? index.get(target)?.info.output?.shape.c : undefined;
    };
    const culprit = inputs.slice(1).find((e) => channelsOf(e) === Number(got)) ?? inputs[1]!;
    const cst = culprit.$cstNode;
    if (!cst) return undefined;
    const needsParens = culprit.$type === 'BinaryExpr' && (culprit as ast.BinaryExpr).operator !== '->';
    const edits: TextEdit[] = needsParens
      ? [
          { range: { start: cst.range.start, end: cst.range.start }, newText: '(' },
          { range: { start: cst.range.end, end: cst.range.end }, newText: `) -> conv(${want}, k=1)` },
        ]
      : [{ range: { start: cst.range.end, end: cst.range.end }, newText: ` -> conv(${want}, k=1)` }];
    return { title: `Project \`${cst.text}\` to ${want} channels with a 1x1 conv`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: edit(edits) };
  }
}
