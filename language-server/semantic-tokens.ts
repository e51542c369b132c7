/**
 * Semantic tokens: what the TextMate grammar cannot know, i.e. what a name refers to (an op,
 * a block, a parameter, a node) and which names are attributes.
 */
import type { AstNode } from 'langium';
import { AbstractSemanticTokenProvider, type SemanticTokenAcceptor } from 'langium/lsp';
import { SemanticTokenModifiers, SemanticTokenTypes } from 'vscode-languageserver';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import { isBuiltinUri } from '../src/core/language/services/imports.js';
import { AstUtils } from 'langium';

function typeOfDefinition(def: ast.Definition): string {
  return def.kind === 'op' || def.kind === 'fn' ? SemanticTokenTypes.function : SemanticTokenTypes.class;
}

function typeOfTarget(target: AstNode): string {
  switch (target.$type) {
    case 'Definition':
      return typeOfDefinition(target as ast.Definition);
    case 'Param':
    case 'InputName':
      return SemanticTokenTypes.parameter;
    default:
      return SemanticTokenTypes.variable;
  }
}

export class NasSemanticTokenProvider extends AbstractSemanticTokenProvider {
  protected highlightElement(node: AstNode, acceptor: SemanticTokenAcceptor): void {
    switch (node.$type) {
      case 'Definition': {
        const def = node as ast.Definition;
        acceptor({ node: def, property: 'name', type: typeOfDefinition(def), modifier: SemanticTokenModifiers.declaration });
        break;
      }
      case 'Param':
        acceptor({ node, property: 'name', type: SemanticTokenTypes.parameter, modifier: SemanticTokenModifiers.declaration });
        break;
      case 'InputName':
        acceptor({ node, property: 'name', type: SemanticTokenTypes.parameter, modifier: SemanticTokenModifiers.declaration });
        break;
      case 'Node':
        if ((node as ast.Node).name) acceptor({ node, property: 'name', type: SemanticTokenTypes.variable, modifier: SemanticTokenModifiers.declaration });
        break;
      case 'Let':
        acceptor({
          node,
          property: 'name',
          type: SemanticTokenTypes.variable,
          modifier: [SemanticTokenModifiers.declaration, SemanticTokenModifiers.readonly],
        });
        break;
      case 'LoopVar':
        acceptor({ node, property: 'name', type: SemanticTokenTypes.variable, modifier: SemanticTokenModifiers.declaration });
        break;
      case 'Ref': {
        const target = (node as ast.Ref).target?.ref;
        if (!target) break;
        const builtin = isBuiltinUri(AstUtils.getDocument(target).uri);
        acceptor({ node, property: 'target', type: typeOfTarget(target), modifier: builtin ? SemanticTokenModifiers.defaultLibrary : [] });
        break;
      }
      case 'Arg':
        if ((node as ast.Arg).name) acceptor({ node, property: 'name', type: SemanticTokenTypes.property });
        break;
      case 'Member':
        acceptor({ node, property: 'member', type: SemanticTokenTypes.property });
        break;
      case 'SpaceItem':
        acceptor({ node, property: 'space', type: SemanticTokenTypes.class });
        break;
      case 'NumberLit':
        acceptor({ node, property: 'value', type: SemanticTokenTypes.number });
        break;
    }
  }
}
