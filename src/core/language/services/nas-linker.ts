/**
 * Linking that keeps what an edit did not change. Langium's linker resolves every reference of
 * a document after each change (a scope lookup per reference and an `await` per AST node: about
 * 100 ms for a 5,000-line file). A top-level element kept by the incremental parse keeps its
 * reference objects; a reference among them keeps its target when the target is still part of
 * a live document and no parse since this document's last link added, removed or redefined a
 * top-level name equal to the reference's text, and the document's imports did not change
 * (syntax/incremental-state.ts). Everything else is resolved as before. The targets are
 * also recorded as each element's dependencies, for validation and elaboration fingerprints.
 */
import {
  AstUtils,
  Cancellation,
  DefaultLinker,
  interruptAndCheck,
  isAstNode,
  type AstNode,
  type AstNodeDescription,
  type LangiumCoreServices,
  type LangiumDocument,
  type Reference,
  type ReferenceInfo,
  type CstNode,
} from 'langium';
import type { Document } from '../syntax/generated/ast.js';
import { incrementalStateOf } from '../syntax/incremental-state.js';
import { referencesOf, topLevelElementOf } from './ast-walk.js';
import { noteRelinked } from './link-versions.js';
import { NasReference, type ReferenceResolver } from './nas-reference.js';
import { recordDependencies } from '../../semantics/dependencies.js';
import { NodeSlot } from '../../util/node-slot.js';

interface RefInternals {
  _ref?: unknown;
  _nodeDescription?: AstNodeDescription;
}

/** The outcome of an element's last link, parallel to `referencesOf(element)`. */
interface ElementLinks {
  readonly targets: Array<AstNode | undefined>;
  readonly descriptions: Array<AstNodeDescription | undefined>;
  /** The top-level elements (other than itself) its references resolved to. */
  readonly dependencies: readonly AstNode[];
}

export class NasLinker extends DefaultLinker {
  private readonly shared: object;
  private readonly links = new NodeSlot<AstNode, ElementLinks>('element links');

  constructor(services: LangiumCoreServices) {
    super(services);
    this.shared = services.shared;
  }

  /**
   * References as instances of a class (Langium builds an object literal with own getters):
   * one subclass per linker and property, whose prototype holds the resolver and the property
   * name, fields every one of a file's 9,700 references carried alike.
   */
  override buildReference(node: AstNode, property: string, refNode: CstNode | undefined, refText: string): Reference {
    let C = this.referenceClasses.get(property);
    if (C === undefined) {
      C = class BoundReference extends NasReference {};
      Object.defineProperties(C.prototype, { resolver: { value: this.resolver }, property: { value: property } });
      this.referenceClasses.set(property, C);
    }
    return new C(node, refNode, refText);
  }

  private readonly referenceClasses = new Map<string, new (container: AstNode, refNode: CstNode | undefined, refText: string) => NasReference>();

  /** Resets references without `delete`, which would turn every reference object into a slow dictionary. */
  override unlink(document: LangiumDocument): void {
    for (const ref of document.references) {
      const r = ref as unknown as RefInternals;
      r._ref = undefined;
      r._nodeDescription = undefined;
    }
    document.references = [];
  }

  private readonly resolver: ReferenceResolver = {
    loadAstNode: (d) => this.loadAstNode(d),
    createLinkingError: (info, d) => this.createLinkingError(info, d),
    getLinkedNode: (info) => this.getLinkedNode(info),
    throwCyclicReferenceError: (node, property, refText) => this.throwCyclicReferenceError(node, property, refText),
  };

  override async link(document: LangiumDocument, cancelToken = Cancellation.CancellationToken.None): Promise<void> {
    const root = document.parseResult.value as Document;
    const { relinkAll, changedNames } = incrementalStateOf(this.shared).startLinking(document.uri.toString());
    const liveRoots = new Set<AstNode>();
    for (const d of this.langiumDocuments().all) liveRoots.add(d.parseResult.value);
    const alive = (node: AstNode): boolean => liveRoots.has(AstUtils.findRootNode(node));
    const elements: AstNode[] = [...(root.imports ?? []), ...(root.elements ?? [])];
    for (const element of elements) {
      await interruptAndCheck(cancelToken);
      const infos = referencesOf(element);
      const saved = this.links.get(element);
      // Kept wholesale: nothing it refers to by name changed and every target is still live.
      const keepAll = saved !== undefined && !relinkAll && saved.dependencies.every(alive) && (changedNames.size === 0 || !refersToAny(infos, changedNames));
      if (keepAll && saved.targets.every((t) => t !== undefined)) {
        for (let k = 0; k < infos.length; k++) {
          const ref = infos[k]!.reference;
          const r = ref as unknown as RefInternals;
          r._ref = saved.targets[k];
          r._nodeDescription = saved.descriptions[k];
          document.references.push(ref);
        }
        recordDependencies(element, saved.dependencies);
        continue;
      }
      // Filled, not sparse: `every` skips holes.
      const targets: Array<AstNode | undefined> = new Array<AstNode | undefined>(infos.length).fill(undefined);
      const descriptions: Array<AstNodeDescription | undefined> = new Array<AstNodeDescription | undefined>(infos.length).fill(undefined);
      const dependencies = new Set<AstNode>();
      let relinked = saved === undefined;
      for (let k = 0; k < infos.length; k++) {
        const info = infos[k]!;
        const ref = info.reference as Reference;
        const r = ref as unknown as RefInternals;
        const before = saved?.targets[k];
        if (before !== undefined && (keepAll || (!relinkAll && !changedNames.has(ref.$refText) && alive(before)))) {
          r._ref = before;
          r._nodeDescription = saved!.descriptions[k];
          document.references.push(ref);
        } else {
          if (r._ref !== undefined) {
            r._ref = undefined;
            r._nodeDescription = undefined;
          }
          this.doLink(info, document);
          relinked = true;
        }
        const target = r._ref;
        if (isAstNode(target)) {
          targets[k] = target;
          descriptions[k] = r._nodeDescription;
          const top = topLevelElementOf(target);
          if (top !== element) dependencies.add(top);
        }
      }
      const deps = [...dependencies];
      this.links.set(element, { targets, descriptions, dependencies: deps });
      if (relinked) noteRelinked(element);
      recordDependencies(element, deps);
    }
  }
}

/**
 * Whether some reference's text is one of `names`: read from the references when a parse
 * changed some top-level name (a set of texts kept per element was 200 hash tables a
 * 5,000-line file kept alive for this).
 */
function refersToAny(infos: readonly ReferenceInfo[], names: ReadonlySet<string>): boolean {
  for (let k = 0; k < infos.length; k++) if (names.has(infos[k]!.reference.$refText)) return true;
  return false;
}
