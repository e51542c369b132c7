/** Signature help for op, block and function attributes inside `name(...)`. */
import { CstUtils, type AstNode, type LangiumDocument } from 'langium';
import type { SignatureHelpProvider } from 'langium/lsp';
import type { SignatureHelp, SignatureHelpOptions, SignatureHelpParams } from 'vscode-languageserver';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import { paramText, positionalParam, signatureText } from './describe.js';

export class NasSignatureHelpProvider implements SignatureHelpProvider {
  get signatureHelpOptions(): SignatureHelpOptions {
    return { triggerCharacters: ['('], retriggerCharacters: [',', '='] };
  }

  provideSignatureHelp(document: LangiumDocument, params: SignatureHelpParams): SignatureHelp | undefined {
    const offset = document.textDocument.offsetAt(params.position);
    // The token before the cursor: after `conv(` the cursor sits past the parenthesis.
    const root = document.parseResult.value.$cstNode;
    const leaf = root && (CstUtils.findLeafNodeBeforeOffset(root, offset) ?? CstUtils.findLeafNodeAtOffset(root, offset));
    if (!leaf) return undefined;
    const call = enclosingCall(leaf.astNode, offset);
    if (!call) return undefined;
    const def = (call.callee as ast.Ref).target?.ref as ast.Definition;
    const doc = document.textDocument.getText();
    // Which argument the cursor is in: count the top-level commas between `(` and the cursor.
    const open = call.callee.$cstNode!.end;
    let depth = 0;
    let index = 0;
    let start = open + 1;
    for (let i = open + 1; i < offset && i < doc.length; i++) {
      const c = doc[i];
      if (c === '(' || c === '[') depth++;
      else if (c === ')' || c === ']') depth--;
      else if (c === ',' && depth === 0) {
        index++;
        start = i + 1;
      }
    }
    const current = doc.slice(start, offset);
    const named = /^\s*([_a-zA-Z]\w*)\s*=/.exec(current)?.[1];
    const positional = positionalParam(def, index);
    let active = named ? def.params.findIndex((p) => p.name === named) : positional ? def.params.indexOf(positional) : -1;
    if (active < 0) active = 0;
    return {
      signatures: [
        {
          label: signatureText(def),
          parameters: def.params.map((p) => ({ label: paramText(p) })),
          activeParameter: active,
        },
      ],
      activeSignature: 0,
      activeParameter: active,
    };
  }
}

/** The innermost call to a definition whose parentheses contain the offset. */
export function enclosingCall(node: AstNode | undefined, offset: number): ast.Call | undefined {
  for (let n = node; n; n = n.$container) {
    if (n.$type !== 'Call') continue;
    const call = n as ast.Call;
    const target = call.callee.$type === 'Ref' ? (call.callee as ast.Ref).target?.ref : undefined;
    const calleeEnd = call.callee.$cstNode?.end ?? Infinity;
    const end = call.$cstNode?.end ?? -1;
    if (target?.$type === 'Definition' && offset > calleeEnd && offset < end + (call.$cstNode?.text.endsWith(')') ? 0 : 1)) return call;
  }
  return undefined;
}
