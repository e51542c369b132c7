/**
 * Named inputs (`input s0, s1`) are visible in the whole body of their definition, not only
 * inside the `input` statement that declares them.
 *
 * Only nodes that a reference can target are local symbols. Langium's default makes one of
 * every node with a name, but the grammar's references target `NamedElement`s and `Definition`s
 * only: named arguments (`k=3`) and searches were 5,700 of the 6,700 local symbols of the
 * 5,002-line benchmark file, each a description kept alive with the document, and every call
 * a container that the scope provider looked up, for nothing. Scopes filter symbols by the
 * reference type anyway, so linking and completion see the same symbols as before.
 */
import {
  Cancellation,
  DefaultScopeComputation,
  MultiMap,
  interruptAndCheck,
  type AstNode,
  type AstNodeDescription,
  type AstReflection,
  type LangiumCoreServices,
  type LangiumDocument,
} from 'langium';
import type { Document } from '../syntax/generated/ast.js';
import { contentsOf } from './ast-walk.js';
import { NodeSlot } from '../../util/node-slot.js';

export class NasScopeComputation extends DefaultScopeComputation {
  /** The local symbols inside each top-level element, collected once per element object. */
  private readonly inner = new NodeSlot<AstNode, Array<[AstNode, AstNodeDescription]>>('inner symbols');
  /** Per node type: whether some reference of the grammar can target it. */
  private readonly referenceable = new Map<string, boolean>();
  private targetTypes?: string[];
  private readonly reflection: AstReflection;

  constructor(services: LangiumCoreServices) {
    super(services);
    this.reflection = services.shared.AstReflection;
  }

  /**
   * Langium's default walks the whole AST after every change; an element kept by the
   * incremental parse (syntax/incremental-state.ts) has the same symbols as before.
   */
  override async collectLocalSymbols(
    document: LangiumDocument,
    cancelToken = Cancellation.CancellationToken.None,
  ): Promise<MultiMap<AstNode, AstNodeDescription>> {
    const root = document.parseResult.value as Document;
    const symbols = new MultiMap<AstNode, AstNodeDescription>();
    for (const element of [...(root.imports ?? []), ...(root.elements ?? [])] as AstNode[]) {
      await interruptAndCheck(cancelToken);
      this.addLocalSymbol(element, document, symbols);
      let entries = this.inner.get(element);
      if (!entries) {
        entries = [];
        const nodes = contentsOf(element).nodes;
        for (let i = 1; i < nodes.length; i++) {
          const node = nodes[i]!;
          if (!this.isReferenceable(node.$type)) continue;
          // Named inputs (`input s0, s1`) belong to the definition, not to the input statement.
          const container = node.$type === 'InputName' ? node.$container?.$container : node.$container;
          if (!container) continue;
          const name = this.nameProvider.getName(node);
          if (name) entries.push([container, this.descriptions.createDescription(node, name, document)]);
        }
        this.inner.set(element, entries);
      }
      for (const [container, description] of entries) symbols.add(container, description);
    }
    return symbols;
  }

  protected override addLocalSymbol(node: AstNode, document: LangiumDocument, symbols: MultiMap<AstNode, AstNodeDescription>): void {
    if (!this.isReferenceable(node.$type)) return;
    if (node.$type === 'InputName' && node.$container?.$container) {
      const name = this.nameProvider.getName(node);
      if (name) symbols.add(node.$container.$container, this.descriptions.createDescription(node, name, document));
      return;
    }
    super.addLocalSymbol(node, document, symbols);
  }

  /** Whether `type` is a subtype of the target type of some cross-reference of the grammar. */
  isReferenceable(type: string): boolean {
    let known = this.referenceable.get(type);
    if (known === undefined) {
      const reflection = this.reflection;
      this.targetTypes ??= [
        ...new Set(
          reflection.getAllTypes().flatMap((t) =>
            Object.values(reflection.getTypeMetaData(t).properties)
              .map((p) => p.referenceType)
              .filter((r): r is string => r !== undefined),
          ),
        ),
      ];
      known = this.targetTypes.some((target) => reflection.isSubtype(type, target));
      this.referenceable.set(type, known);
    }
    return known;
  }
}
