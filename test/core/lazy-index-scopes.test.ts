/**
 * Local symbols are made only of nodes that a reference can target (`NasScopeComputation`,
 * src/core/language/services/nas-scope-computation.ts): named arguments and searches have names but no
 * reference of the grammar targets them. Here, against a computation that makes a symbol of
 * every named node (Langium's rule, which the scope computation followed before): every
 * reference links to the same target, every scope that linking or completion can ask for (at
 * each reference, and for a new reference anywhere) lists the same elements, and the checks give
 * the same diagnostics, on every example and on the generated 5,000-line file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AstUtils, URI, type AstNode, type LangiumCoreServices, type LangiumDocument, type ReferenceInfo } from 'langium';
import { describe, expect, it } from 'vitest';
import { NasWorkspace } from '../../src/core/workspace.js';
import { NasScopeComputation } from '../../src/core/language/services/nas-scope-computation.js';
import { referencesOf } from '../../src/core/language/services/ast-walk.js';
import { generateLargeFile } from '../../bench/generated-file.js';
import type { Document } from '../../src/core/language/syntax/generated/ast.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples');

/** A symbol of every named node, as Langium's default scope computation makes them. */
class EveryNamedNode extends NasScopeComputation {
  constructor(services: LangiumCoreServices) {
    super(services);
  }
  override isReferenceable(): boolean {
    return true;
  }
}

async function load(ws: NasWorkspace): Promise<LangiumDocument[]> {
  const docs: LangiumDocument[] = [];
  for (const f of fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.nas'))) docs.push(await ws.addFile(path.join(EXAMPLES, f)));
  docs.push(await ws.addText(generateLargeFile(600), URI.file(path.join(ROOT, 'lazy-index-scopes.nas'))));
  return docs;
}

/** What linking and completion see in a document, as plain data. */
function observe(ws: NasWorkspace, doc: LangiumDocument): unknown {
  const locator = ws.services.workspace.AstNodeLocator;
  const scopes = ws.services.references.ScopeProvider;
  const where = (node: AstNode | undefined) => node && `${AstUtils.getDocument(node).uri.toString()}#${locator.getAstNodePath(node)}`;
  const scopeAt = (info: ReferenceInfo) =>
    scopes
      .getScope(info)
      .getAllElements()
      .map((d) => `${d.name}:${d.type}:${d.documentUri.toString()}#${d.path}`)
      .toArray();
  const root = doc.parseResult.value as Document;
  const links: unknown[] = [];
  const scopesSeen: unknown[] = [];
  for (const element of [...root.imports, ...root.elements] as AstNode[]) {
    for (const info of referencesOf(element)) {
      links.push([where(info.container), info.reference.$refText, where((info.reference as { ref?: AstNode }).ref), info.reference.error?.message]);
      scopesSeen.push(scopeAt(info));
    }
  }
  // A new reference anywhere, as completion asks for one: inside every node of a few elements.
  for (const element of root.elements.slice(0, 12) as AstNode[]) {
    for (const node of AstUtils.streamAst(element)) {
      const container = { $type: 'Ref', $container: node } as unknown as AstNode;
      scopesSeen.push(scopeAt({ reference: { $refText: '' } as never, container, property: 'target' }));
    }
  }
  return { links, scopesSeen, diagnostics: ws.diagnostics(doc) };
}

describe('local symbols of referenceable nodes only', () => {
  it('link, scopes and diagnostics equal those of a symbol per named node', async () => {
    const mine = new NasWorkspace();
    const every = new NasWorkspace({ language: { references: { ScopeComputation: (s) => new EveryNamedNode(s) } } });
    const a = await load(mine);
    const b = await load(every);
    let symbolsMine = 0;
    let symbolsEvery = 0;
    for (let i = 0; i < a.length; i++) {
      expect(observe(mine, a[i]!), a[i]!.uri.toString()).toEqual(observe(every, b[i]!));
      symbolsMine += countSymbols(a[i]!);
      symbolsEvery += countSymbols(b[i]!);
    }
    // Named arguments are most of the named nodes.
    expect(symbolsMine).toBeGreaterThan(200);
    expect(symbolsMine).toBeLessThan(symbolsEvery / 2);
  });

  it('named arguments and searches are not symbols; parameters, inputs, nodes, loop variables and definitions are', () => {
    const ws = new NasWorkspace();
    const computation = ws.services.references.ScopeComputation as NasScopeComputation;
    for (const t of ['Definition', 'Param', 'Let', 'InputName', 'LoopVar', 'Node']) expect(computation.isReferenceable(t), t).toBe(true);
    for (const t of ['Arg', 'Search', 'StrategyItem', 'EvaluatorItem', 'Call']) expect(computation.isReferenceable(t), t).toBe(false);
  });
});

function countSymbols(doc: LangiumDocument): number {
  let n = 0;
  const root = doc.parseResult.value;
  for (const node of AstUtils.streamAst(root)) n += doc.localSymbols?.has(node) ? doc.localSymbols.getStream(node).count() : 0;
  return n;
}
