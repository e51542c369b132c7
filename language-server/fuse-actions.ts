/**
 * Code actions on a use of a training-time block (RepVGGBlock, ACBlock, DBBlock,
 * MobileOneBlock): fuse the network that uses it for deployment, either into
 * `NAME.deploy.nas` beside the file (the NAS: Fuse for Deployment command, which shows the
 * figures before and after) or in place, as an edit to review (every use in the network's
 * closure renamed to its deployment block, src/core/reparam/source-fusion.ts). Trained weights
 * are fused by `nas fuse --weights` (docs/cli.md).
 */
import { AstUtils, CstUtils, UriUtils, type AstNode, type LangiumDocument } from 'langium';
import { CodeActionKind, type CodeAction, type Range } from 'vscode-languageserver';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import { fusableUses, fuseSource, networkUses, trainingBlockOf } from '../src/core/reparam/source-fusion.js';
import { NasCommands } from '../src/protocol/lsp-extensions.js';
import { deployTarget } from './fuse-request.js';

function topLevel(node: AstNode): AstNode | undefined {
  let n: AstNode | undefined = node;
  while (n && n.$container?.$type !== 'Document') n = n.$container;
  return n;
}

export function fuseActions(document: LangiumDocument, range: Range): CodeAction[] {
  const cst = document.parseResult.value.$cstNode;
  if (!cst) return [];
  const leaf = CstUtils.findLeafNodeAtOffset(cst, document.textDocument.offsetAt(range.start));
  const ref = leaf && AstUtils.getContainerOfType(leaf.astNode, (n): n is ast.Ref => n.$type === 'Ref');
  const block = ref && trainingBlockOf(ref);
  const top = ref && topLevel(ref);
  if (!block || !top) return [];
  const root = document.parseResult.value as ast.Document;
  const networks = root.elements.filter((e): e is ast.Definition => e.$type === 'Definition' && e.kind === 'network');
  const fusable = networks.filter((n) => fusableUses(n) > 0);
  const uri = document.uri.toString();
  const actions: CodeAction[] = [];
  for (const network of fusable.filter((n) => networkUses(n, top))) {
    const target = UriUtils.basename(deployTarget(document.uri, network.name, fusable.length > 1));
    const title = `Fuse ${network.name} for deployment: write ${target}`;
    actions.push({ title, kind: CodeActionKind.QuickFix, command: { title, command: NasCommands.fuse, arguments: [uri, network.name] } });
    const fused = fuseSource(network);
    const renames = Object.entries(fused.renamed)
      .map(([from, n]) => `${from} ×${n}`)
      .join(', ');
    actions.push({
      title: `Fuse ${network.name} in place (${renames} → deployment blocks; fuse trained weights with nas fuse --weights)`,
      kind: CodeActionKind.RefactorRewrite,
      edit: {
        changes: {
          [uri]: fused.edits.map((e) => ({
            range: { start: document.textDocument.positionAt(e.offset), end: document.textDocument.positionAt(e.offset + e.length) },
            newText: e.text,
          })),
        },
      },
    });
  }
  return actions;
}
