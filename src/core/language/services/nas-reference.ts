/**
 * Langium's lazy reference as a class (NasLinker.buildReference makes one subclass per linker
 * and property, whose prototype holds the resolver and the property name).
 */
import {
  AstUtils,
  DocumentState,
  RefResolving,
  isAstNode,
  isAstNodeDescription,
  isLinkingError,
  type AstNode,
  type AstNodeDescription,
  type CstNode,
  type LinkingError,
  type Reference,
  type ReferenceInfo,
} from 'langium';

/** What a reference asks its linker (on the prototype of the linker's subclass for its property). */
export interface ReferenceResolver {
  loadAstNode(d: AstNodeDescription): AstNode | undefined;
  createLinkingError(info: ReferenceInfo, d?: AstNodeDescription): LinkingError;
  getLinkedNode(info: ReferenceInfo): { node?: AstNode; descr?: AstNodeDescription; error?: LinkingError };
  throwCyclicReferenceError(node: AstNode, property: string, refText: string): never;
}

/** Langium's lazy reference (same behavior as `DefaultLinker.buildReference`), as a class. */
export abstract class NasReference implements Reference {
  _ref: AstNode | LinkingError | typeof RefResolving | undefined = undefined;
  _nodeDescription: AstNodeDescription | undefined = undefined;

  /** On the prototype of the linker's subclass for the property (NasLinker.buildReference). */
  declare protected readonly resolver: ReferenceResolver;
  declare readonly property: string;

  constructor(
    /** The node holding the reference, and `property` its property: with `reference`, the
     * reference is its own `ReferenceInfo` (ast-walk.ts lists references without an object
     * for each). */
    readonly container: AstNode,
    readonly $refNode: CstNode | undefined,
    readonly $refText: string,
  ) {}

  get reference(): Reference {
    return this;
  }

  get ref(): AstNode | undefined {
    if (isAstNode(this._ref)) return this._ref;
    if (isAstNodeDescription(this._nodeDescription)) {
      const info = { reference: this, container: this.container, property: this.property };
      this._ref = this.resolver.loadAstNode(this._nodeDescription) ?? this.resolver.createLinkingError(info, this._nodeDescription);
    } else if (this._ref === undefined) {
      this._ref = RefResolving;
      const document = AstUtils.findRootNode(this.container).$document;
      const data = this.resolver.getLinkedNode({ reference: this, container: this.container, property: this.property });
      if (data.error && document && document.state < DocumentState.ComputedScopes) {
        // The document's scopes are not ready: leave it for the linker to retry.
        this._ref = undefined;
        return undefined;
      }
      this._ref = data.node ?? data.error;
      this._nodeDescription = data.descr;
      document?.references.push(this);
    } else if (this._ref === RefResolving) {
      this.resolver.throwCyclicReferenceError(this.container, this.property, this.$refText);
    }
    return isAstNode(this._ref) ? this._ref : undefined;
  }

  get $nodeDescription(): AstNodeDescription | undefined {
    return this._nodeDescription;
  }

  get error(): LinkingError | undefined {
    return isLinkingError(this._ref) ? this._ref : undefined;
  }
}
