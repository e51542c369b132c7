/**
 * The document factory parses a document top-level chunk by chunk, keeps the chunks an edit did
 * not touch and moves them (src/core/language/syntax/nas-document-factory.ts), and builds a compact CST
 * (cst-builder.ts). For text without errors, the result must be what Langium's own parser, with
 * its own CST builder, gives for the whole text: the same AST (types, properties, values,
 * containers, reference texts) and the same CST (nodes, grammar sources, token types, offsets,
 * ranges, texts, hidden comments and where they sit, the AST node of each CST node), fresh and
 * after edits moved the kept chunks. Covered: the examples, the standard library, the grammar
 * fixtures, hand-written cases for every construct, comments in every gap, and seeded random
 * programs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI, createLangiumParser, isAstNode, isReference, type CstNode, type LangiumDocument, type ParseResult } from 'langium';
import { describe, expect, it } from 'vitest';
import { NasWorkspace } from '../../src/core/workspace.js';
import { BUILTIN_DOCUMENTS } from '../../src/core/stdlib/index.js';
import { splitTopLevelChunks } from '../../src/core/language/syntax/chunks.js';
import type { NasDocumentFactory } from '../../src/core/language/syntax/nas-document-factory.js';
import { Rng } from '../../src/core/util/random.js';
import { generateProgram } from '../helpers/random-program.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ws = new NasWorkspace();
const factory = ws.shared.workspace.LangiumDocumentFactory as NasDocumentFactory;
/** Langium's parser as Langium builds it, with Langium's CST builder: the oracle. */
const langium = createLangiumParser(ws.services);

/** Langium's whole-text parse, or undefined where it reports any error (or throws). */
function parseWithLangium(text: string): ParseResult | undefined {
  let result: ParseResult;
  try {
    result = langium.parse(text);
  } catch {
    (langium as unknown as { stack: unknown[] }).stack = [];
    return undefined;
  }
  return result.lexerErrors.length + result.parserErrors.length === 0 ? result : undefined;
}

type Obj = Record<string, unknown>;

/**
 * Pairs the two trees node by node, from the CST roots and from the documents, and records every
 * difference in what Langium's API reads: each pairing must also agree on every node one of them
 * points to (containers, AST nodes of CST nodes, CST nodes of AST nodes, reference nodes).
 */
class TreeComparer {
  private readonly partner = new Map<object, object>();
  readonly diffs: string[] = [];

  constructor(a: ParseResult, b: ParseResult) {
    const rootA = a.value.$cstNode;
    const rootB = b.value.$cstNode;
    if (!rootA || !rootB) this.check(rootA === rootB, () => 'one document has no CST');
    else this.pairCst(rootA, rootB, 'cst');
    this.pairAst(a.value as unknown as Obj, b.value as unknown as Obj, 'ast');
    for (const [x, y] of [...this.partner]) {
      if (isAstNode(x)) this.compareAst(x as unknown as Obj, y as Obj);
      else this.compareCst(x as CstNode, y as CstNode);
    }
  }

  private check(ok: boolean, describe: () => string): void {
    if (!ok && this.diffs.length < 10) this.diffs.push(describe());
  }

  private pair(a: object, b: object, where: string): boolean {
    if (this.partner.has(a)) {
      this.check(false, () => `${where}: reached twice`);
      return false;
    }
    this.partner.set(a, b);
    return true;
  }

  private pairCst(a: CstNode, b: CstNode, where: string): void {
    if (!this.pair(a, b, where)) return;
    const ca = (a as { content?: CstNode[] }).content;
    const cb = (b as { content?: CstNode[] }).content;
    this.check(Array.isArray(ca) === Array.isArray(cb), () => `${where}: composite vs leaf`);
    if (!ca || !cb) return;
    this.check(ca.length === cb.length, () => `${where}: ${ca.length} vs ${cb.length} children`);
    for (let i = 0; i < Math.min(ca.length, cb.length); i++) this.pairCst(ca[i]!, cb[i]!, `${where}/${i}`);
  }

  private pairAst(a: Obj, b: Obj, where: string): void {
    if (!this.pair(a, b, where)) return;
    for (const key of Object.keys(b)) {
      if (key.startsWith('$')) continue;
      const x = a[key];
      const y = b[key];
      if (isAstNode(x) && isAstNode(y)) this.pairAst(x as unknown as Obj, y as unknown as Obj, `${where}.${key}`);
      else if (Array.isArray(x) && Array.isArray(y)) {
        for (let i = 0; i < Math.min(x.length, y.length); i++) {
          if (isAstNode(x[i]) && isAstNode(y[i])) this.pairAst(x[i] as Obj, y[i] as Obj, `${where}.${key}[${i}]`);
        }
      }
    }
  }

  /** Whether `x` (of one tree) is the partner of `y` (of the other). */
  private same(x: unknown, y: unknown): boolean {
    if (x === undefined || y === undefined || x === null || y === null) return x === y;
    return this.partner.get(x as object) === y;
  }

  private compareCst(a: CstNode, b: CstNode): void {
    const where = (): string => `CST at ${b.offset} '${b.text.slice(0, 20)}'`;
    this.check(
      a.offset === b.offset && a.length === b.length && a.end === b.end,
      () => `${where()}: offset ${a.offset}+${a.length} vs ${b.offset}+${b.length}`,
    );
    this.check(JSON.stringify(a.range) === JSON.stringify(b.range), () => `${where()}: range ${JSON.stringify(a.range)} vs ${JSON.stringify(b.range)}`);
    this.check(a.text === b.text, () => `${where()}: text`);
    this.check(a.hidden === b.hidden, () => `${where()}: hidden`);
    this.check(sameGrammarSource(a.grammarSource, b.grammarSource), () => `${where()}: grammar source`);
    this.check((a as { tokenType?: unknown }).tokenType === (b as { tokenType?: unknown }).tokenType, () => `${where()}: token type`);
    this.check(this.same(a.container, b.container), () => `${where()}: container`);
    const astA = astNodeOf(a);
    const astB = astNodeOf(b);
    this.check(astA === 'throws' ? astB === 'throws' : this.same(astA, astB), () => `${where()}: AST node`);
    this.check(a.root.fullText === b.root.fullText, () => `${where()}: root text`);
  }

  private compareAst(a: Obj, b: Obj): void {
    const where = (): string => `AST ${String(b.$type)} at ${(b.$cstNode as CstNode | undefined)?.offset}`;
    // The factory assembles the document node itself, with its properties in another order.
    const keys = (o: Obj): string[] => {
      const own = Object.keys(o).filter((k) => !k.startsWith('$'));
      return o.$container === undefined ? own.sort() : own;
    };
    this.check(keys(a).join() === keys(b).join(), () => `${where()}: keys ${keys(a).join()} vs ${keys(b).join()}`);
    for (const key of ['$type', '$containerProperty', '$containerIndex'])
      this.check(a[key] === b[key], () => `${where()}: ${key} ${String(a[key])} vs ${String(b[key])}`);
    this.check(this.same(a.$container, b.$container), () => `${where()}: container`);
    this.check(this.same(a.$cstNode, b.$cstNode), () => `${where()}: CST node`);
    for (const key of keys(b)) this.compareValue(a[key], b[key], () => `${where()}.${key}`);
  }

  private compareValue(x: unknown, y: unknown, where: () => string): void {
    if (isAstNode(x)) return this.check(this.same(x, y), () => `${where()}: not the partner`);
    if (isReference(x)) {
      if (!isReference(y)) return this.check(false, () => `${where()}: reference vs no reference`);
      this.check(x.$refText === y.$refText, () => `${where()}: reference text ${x.$refText} vs ${y.$refText}`);
      this.check(this.same(x.$refNode, y.$refNode), () => `${where()}: reference node not the partner`);
      return;
    }
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return this.check(false, () => `${where()}: arrays differ in length`);
      x.forEach((e, i) => this.compareValue(e, y[i], () => `${where()}[${i}]`));
      return;
    }
    this.check(x === y, () => `${where()}: ${String(x)} vs ${String(y)}`);
  }
}

/**
 * The same grammar element; the infix rule's parts and operators are elements each parser makes
 * for itself (Langium's `prepareLangiumParser`), which are compared by what they assign.
 */
function sameGrammarSource(a: CstNode['grammarSource'], b: CstNode['grammarSource']): boolean {
  if (a === b) return true;
  const describe = (g: CstNode['grammarSource']): string => {
    const e = g as unknown as { $type?: string; feature?: string; operator?: string; $container?: { $type?: string } } | undefined;
    return JSON.stringify([e?.$type, e?.feature, e?.operator, e?.$container?.$type]);
  };
  return (a as { $type?: string } | undefined)?.$type === 'Assignment' && describe(a) === describe(b);
}

/** A CST node's `astNode`, or 'throws' where the getter throws (a node of no AST node). */
function astNodeOf(node: CstNode): unknown {
  try {
    return node.astNode;
  } catch {
    return 'throws';
  }
}

let documents = 0;

/**
 * The factory's parse of `text` (parsed after `previous` under the same URI, whose unchanged
 * chunks it then keeps and moves) against Langium's whole-text parse: undefined if they agree,
 * else what differs.
 */
function disagreement(text: string, previous?: string): string | undefined {
  const expected = parseWithLangium(text);
  if (!expected) return 'Langium reports errors';
  const uri = URI.file(path.join(ROOT, `chunked-parse-${documents++}.nas`));
  try {
    if (previous !== undefined) factory.fromString(previous, uri);
    const doc: LangiumDocument = factory.fromString(text, uri);
    const diffs = new TreeComparer(doc.parseResult, expected).diffs;
    return diffs.length ? diffs.join('\n') : undefined;
  } finally {
    factory.forget(uri);
  }
}

/** Earlier versions of `text` whose chunks after the first one move when `text` is parsed next. */
function earlierVersions(text: string): string[] {
  const first = splitTopLevelChunks(text)[0]!;
  const rest = text.slice(first.end);
  return ['# moved\r\n\n  \n' + text, text.slice(0, first.end) + '/* a\nb */ let moved = 1\n' + rest, rest];
}

function expectSameParse(text: string, label: string): void {
  expect(disagreement(text), label).toBeUndefined();
  for (const previous of earlierVersions(text)) expect(disagreement(text, previous), `${label} after ${JSON.stringify(previous.slice(0, 40))}`).toBeUndefined();
}

const corpus: Array<{ name: string; text: string }> = [
  ...['examples', 'test/grammar/fixtures'].flatMap((dir) =>
    fs
      .readdirSync(path.join(ROOT, dir))
      .filter((f) => f.endsWith('.nas'))
      .map((f) => ({ name: `${dir}/${f}`, text: fs.readFileSync(path.join(ROOT, dir, f), 'utf8') })),
  ),
  ...BUILTIN_DOCUMENTS.map((d) => ({ name: d.uri, text: d.text })),
];

/** Every construct of the grammar, with comments and odd line breaks. */
const CASES: string[] = [
  '',
  '   \n\t  \r\n',
  '# only a comment',
  '/* only */ # comments\n/* and\r\nmore */',
  'import "std/blocks"\nimport \'x\'',
  'let a = 1 + 2 * 3 - 4 / 5 // 6 % 7',
  'let r = 16..64 step 8 + 1',
  'let c = not a == b',
  'let u = -f(1)[2].y',
  'let k = a < b and c <= d or e > f and g >= h or i == j and k != l',
  'let k = a -> b or c and d == e .. f step g + h * i',
  'let m = f(1, x = 2, int = 3)(4).y[5][6]',
  'let m = [] + [1] + [1, [2, 3], "s"]',
  'let i = if if a then b else c then [d] else (e)',
  'let s = "esc \\" \\\\ \\n \\t \\x" + \'single \\\' "\' + "a\'b"',
  'let n = [0, 12, 3.5, 1e3, 2E-4, 7e+2, 600M, 3.5k, 4G, 1T, 1.5e3k]',
  'let any = int + float + bool + string + tensor + layer + list + any',
  '/* start */ let /* a */ a /* b */ = /* c */ 1 /* d */ + # e\n 2 /* f */ # g\n# h\n/* end */',
  'block B { # first\n  x /* mid */ -> y # after\n}\n# trailing',
  '# lead\n\n# two\nnetwork N { }',
  'let a = 1\r\nlet b = 2\r\n',
  'let a = 1\rlet b = 2\r',
  'let a = "x\ry" -> /* \r\n */ b\n# c\r\nlet d = e',
  'network N {\n  input (3, 32, 32)\n  conv(16, k=3) -> bn -> relu\n  output x\n}',
  'block B(C: int, s: int = 1, *rest: tensor, flag: bool = true, d, e = [1]) { input x, y\n output x + y }',
  'op conv(C: int, k: int = 3, stride: int = 1)\nfn f(x)\nop g',
  'space S { for i in 0..3 { a = conv(C) choice = [a, b] } for j in xs { } }',
  'block B { x\n(y) }',
  'search S {\n  space Net\n  strategy evo(pop=10, 3)\n  maximize accuracy\n  constraint macs <= 600M\n  evaluator train(epochs=5)\n  budget (3) + 1\n  budget (a = 3)\n  budget (3, 4)\n  seed 42\n}',
  'let a = 1\nsearch S { seed 1 }\nnetwork N { }\nlet b = 2',
  'let\u00a0x\u2028=\u20031\ufeff',
];

describe('chunked parse = whole-text parse', () => {
  it.each(corpus.map((c) => [c.name, c.text]))('%s, fresh and after earlier versions', (name, text) => expectSameParse(text, name));

  it('hand-written cases for every construct', () => {
    for (const text of CASES) expectSameParse(text, JSON.stringify(text));
  });

  it('places comments as Langium does in every gap of a construct-rich text', () => {
    const base =
      'block B(C: int, *r) { input x, y\n a = f(x, k = 1)[0].c -> -g\n for i in 0..2 step 1 { output if a then [b] else (c) } }\nsearch S { strategy s(a = 1) budget (2) constraint m <= 3 }\nlet z = 1';
    const gaps = [...base.matchAll(/ |\n/g)].map((m) => m.index);
    for (const at of [0, ...gaps, base.length]) {
      for (const comment of ['/* c */', '# c\n', '/*\r\n*/']) {
        const text = base.slice(0, at) + comment + base.slice(at);
        expect(disagreement(text), `comment at ${at}`).toBeUndefined();
      }
    }
  });

  it('random programs (seeded)', () => {
    const rng = new Rng(4242);
    const failures: string[] = [];
    let checked = 0;
    for (let i = 0; i < 600 && failures.length < 3; i++) {
      const text = generateProgram(rng);
      if (!parseWithLangium(text)) continue;
      checked++;
      const previous = rng.next() < 0.5 ? earlierVersions(text)[rng.int(3)] : undefined;
      const d = disagreement(text, previous);
      if (d !== undefined) failures.push(`${JSON.stringify(text)} after ${JSON.stringify(previous)}\n${d}`);
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(150);
  });
});
