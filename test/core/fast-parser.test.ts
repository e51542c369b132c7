/**
 * The hand-written parser (src/core/language/fast-parser.ts) against Langium's own parser, the
 * oracle: for text without errors both must give the same AST and CST, node for node (types,
 * properties and their order, containers, references, grammar sources, token types, positions,
 * hidden comments); for text with any lexer or parser error the fast parser must decline.
 * Covered: the examples, the standard library, every top-level chunk of them, the benchmark's
 * generated file, hand-written cases for every construct, seeded random programs and mutations,
 * and the lexer alone against Chevrotain's for every UTF-16 code unit and random text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RootCstNodeImpl, URI, isAstNode, isReference, type AstNode, type CstNode, type LangiumDocument, type ParseResult } from 'langium';
import { describe, expect, it, vi } from 'vitest';
import { NasWorkspace } from '../../src/core/workspace.js';
import { BUILTIN_DOCUMENTS } from '../../src/core/stdlib/index.js';
import { splitTopLevelChunks } from '../../src/core/language/chunks.js';
import { NasCstNodeBuilder, linkContainers } from '../../src/core/language/cst-builder.js';
import { cstMaterializations, type NasDocumentFactory } from '../../src/core/language/nas-document-factory.js';
import { FastNasParser, isFastAstPrototype } from '../../src/core/language/fast-parser.js';
import { KIND_NAMES, T_EOF, TokenBuffer, tokenize } from '../../src/core/language/fast-lexer.js';
import { generateLargeFile } from '../../bench/generated-file.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ws = new NasWorkspace();
const services = ws.services;
const fast = new FastNasParser(services);
const langium = services.parser.LangiumParser;
(langium as unknown as { nodeBuilder: unknown }).nodeBuilder = new NasCstNodeBuilder();

/** Langium's parse, or undefined where it reports any error (or throws). */
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

/** Read, not listed: see TreeComparer. */
const DERIVED = ['$type', '$containerProperty', '$containerIndex'];

/**
 * A structural comparison of two parse results: the CSTs are paired node by node from the
 * roots, then the ASTs from the documents; every reference between nodes (containers, CST
 * nodes of AST nodes, AST nodes of CST nodes, reference nodes) must point to the partner.
 *
 * With `assembled`, `a` is a document of the document factory, whose chunks the fast parser
 * stored AST-only and which built their CSTs when read: its AST nodes have a prototype of
 * their own (Object.prototype plus a `$cstNode` accessor, in place of Langium's own property);
 * its CST nodes' `root` is the root of their chunk's parse, which reads the
 * whole text, where Langium's whole-text parse has one root; the document's own nodes (CST root,
 * Document) have their fields in another order. Everything else is compared alike.
 *
 * The fast parser's nodes have `$type`, `$containerProperty` and `$containerIndex` on their
 * prototypes (the type's, over accessors that read the container), where Langium's have own
 * properties: those three are compared by what reading them gives, the other keys in order.
 */
class TreeComparer {
  private readonly cst = new Map<object, object>();
  private readonly ast = new Map<object, object>();
  readonly diffs: string[] = [];

  constructor(
    a: ParseResult,
    b: ParseResult,
    private readonly assembled = false,
  ) {
    this.check(a.lexerErrors.length === 0 && a.parserErrors.length === 0, () => 'fast result has errors');
    this.check(JSON.stringify(a.lexerReport) === JSON.stringify(b.lexerReport), () => 'lexer reports differ');
    const rootA = a.value.$cstNode;
    const rootB = b.value.$cstNode;
    if (!rootA || !rootB) this.check(rootA === rootB, () => 'one document has no CST');
    else this.pairCst(rootA, rootB, 'cst');
    this.pairAst(a.value as unknown as Obj, b.value as unknown as Obj, 'ast');
    for (const [x, y] of this.cst) this.compareCst(x as CstNode, y as CstNode);
    for (const [x, y] of this.ast) this.compareAst(x as Obj, y as Obj);
  }

  /** Records a difference; the description is made only then (the trees are large). */
  private check(ok: boolean, describe: () => string): void {
    if (!ok && this.diffs.length < 10) this.diffs.push(describe());
  }

  private pairCst(a: CstNode, b: CstNode, where: string): void {
    if (this.cst.has(a) || this.cst.has(b)) return this.check(false, () => `${where}: CST node reached twice`);
    this.cst.set(a, b);
    this.cst.set(b, a);
    const ca = (a as unknown as { content?: CstNode[] }).content;
    const cb = (b as unknown as { content?: CstNode[] }).content;
    this.check(Array.isArray(ca) === Array.isArray(cb), () => `${where}: composite vs leaf`);
    if (!ca || !cb) return;
    this.check(ca.length === cb.length, () => `${where}: content length ${ca.length} vs ${cb.length}`);
    for (let i = 0; i < Math.min(ca.length, cb.length); i++) this.pairCst(ca[i]!, cb[i]!, `${where}/${i}`);
  }

  private pairAst(a: Obj, b: Obj, where: string): void {
    if (this.ast.has(a) || this.ast.has(b)) return this.check(false, () => `${where}: AST node reached twice`);
    this.ast.set(a, b);
    this.ast.set(b, a);
    for (const key of Object.keys(a)) {
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

  /** Whether `x` (of one tree) corresponds to `y` (of the other), by the pairing. */
  private same(x: unknown, y: unknown): boolean {
    if (x === undefined || y === undefined || x === null || y === null) return x === y;
    return this.cst.get(x as object) === y || this.ast.get(x as object) === y;
  }

  private compareCst(a: CstNode, b: CstNode): void {
    const where = (): string => `CST ${b.constructor.name} at ${b.offset} '${b.text.slice(0, 20)}'`;
    // The factory assembles the document's root itself, with the same fields in another order.
    const order = (keys: string[]): string[] => (this.assembled && b.root === b ? keys.sort() : keys);
    const keysA = order(Object.keys(a).filter((k) => k !== '_rangeCache'));
    const keysB = order(Object.keys(b).filter((k) => k !== '_rangeCache'));
    this.check(keysA.join() === keysB.join(), () => `${where()}: keys ${keysA.join()} vs ${keysB.join()}`);
    this.check(Object.getPrototypeOf(a) === Object.getPrototypeOf(b), () => `${where()}: prototype`);
    for (const key of keysA) {
      const x = (a as unknown as Obj)[key];
      const y = (b as unknown as Obj)[key];
      if (key === 'content') continue;
      if (key === 'root' && this.assembled) {
        const ra = x as RootCstNodeImpl;
        const rb = y as RootCstNodeImpl;
        this.check(ra instanceof RootCstNodeImpl && ra.fullText === rb.fullText && rb.root === rb, () => `${where()}: root reads another text`);
      } else if (key === 'container' || key === 'root' || key === '_astNode') this.check(this.same(x, y), () => `${where()}: ${key} not the partner`);
      else if (key === '_range') this.check(sameRange(x, y), () => `${where()}: range ${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
      else this.check(x === y, () => `${where()}: ${key}: ${String(x)} vs ${String(y)}`);
    }
    this.check(
      a.offset === b.offset && a.length === b.length && a.end === b.end,
      () => `${where()}: offset/length ${a.offset}+${a.length} vs ${b.offset}+${b.length}`,
    );
    this.check(sameRange(a.range, b.range), () => `${where()}: range getter`);
    this.check(a.text === b.text, () => `${where()}: text`);
    this.check(a.hidden === b.hidden, () => `${where()}: hidden`);
    this.check(a.grammarSource === b.grammarSource, () => `${where()}: grammar source`);
    this.check((a as { tokenType?: unknown }).tokenType === (b as { tokenType?: unknown }).tokenType, () => `${where()}: token type`);
    const astA = astNodeOf(a);
    const astB = astNodeOf(b);
    this.check(astA === 'throws' ? astB === 'throws' : this.same(astA, astB), () => `${where()}: astNode getter`);
  }

  private compareAst(a: Obj, b: Obj): void {
    const where = (): string => `AST ${String(b.$type)} at ${(b.$cstNode as CstNode | undefined)?.offset}`;
    // The factory's document node is its own (`$document` comes with the LangiumDocument).
    const skip = (k: string): boolean => this.assembled && (k === '$cstNode' || k === '$document');
    const order = (keys: string[]): string[] => (this.assembled && b.$container === undefined ? keys.sort() : keys);
    const keysA = order(Object.keys(a).filter((k) => !skip(k) && !DERIVED.includes(k)));
    const keysB = order(Object.keys(b).filter((k) => !skip(k) && !DERIVED.includes(k)));
    this.check(keysA.join() === keysB.join(), () => `${where()}: keys ${keysA.join()} vs ${keysB.join()}`);
    for (const key of DERIVED) this.check(a[key] === b[key], () => `${where()}: ${key} ${String(a[key])} vs ${String(b[key])}`);
    // (The pairs come both ways round.) The fast parser's prototypes: the type's (`$type` only)
    // over Object.prototype plus the container accessors and, assembled, the lazy `$cstNode`.
    const accessors = this.assembled ? ['$containerProperty', '$containerIndex', '$cstNode'] : ['$containerProperty', '$containerIndex'];
    const proto = (x: Obj): unknown => {
      let p: unknown = Object.getPrototypeOf(x);
      if (isFastAstPrototype(p)) {
        if (Object.getOwnPropertyNames(p).join() !== '$type' || (p as Obj).$type !== x.$type) return p;
        p = Object.getPrototypeOf(p);
      }
      const own = p === Object.prototype ? [] : Object.getOwnPropertyNames(p);
      return own.length > 0 && own.every((k) => accessors.includes(k)) && Object.getPrototypeOf(p) === Object.prototype ? Object.prototype : p;
    };
    this.check(proto(a) === proto(b), () => `${where()}: prototype`);
    for (const key of keysA) this.compareValue(a[key], b[key], key, () => `${where()}.${key}`);
    if (this.assembled) this.compareValue(a.$cstNode, b.$cstNode, '$cstNode', () => `${where()}.$cstNode`);
  }

  private compareValue(x: unknown, y: unknown, key: string, where: () => string): void {
    if (key === '$container' || key === '$cstNode' || isAstNode(x)) return this.check(this.same(x, y), () => `${where()}: not the partner`);
    if (isReference(x)) {
      if (!isReference(y)) return this.check(false, () => `${where()}: reference vs no reference`);
      const rx = x as unknown as Obj;
      const ry = y as unknown as Obj;
      this.check(Object.getPrototypeOf(rx) === Object.getPrototypeOf(ry), () => `${where()}: reference class`);
      this.check(Object.keys(rx).join() === Object.keys(ry).join(), () => `${where()}: reference keys`);
      for (const k of Object.keys(rx)) {
        const u = rx[k];
        const v = ry[k];
        if (k === '_refNode' || k === 'container') this.check(this.same(u, v), () => `${where()}: reference ${k} not the partner`);
        else this.check(u === v, () => `${where()}: reference ${k}: ${String(u)} vs ${String(v)}`);
      }
      this.check(this.same(x.$refNode, y.$refNode), () => `${where()}: reference $refNode not the partner`);
      return;
    }
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return this.check(false, () => `${where()}: arrays differ in length`);
      x.forEach((e, i) => this.compareValue(e, y[i], key, () => `${where()}[${i}]`));
      return;
    }
    this.check(x === y, () => `${where()}: ${String(x)} vs ${String(y)}`);
  }
}

interface RangeLike {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/** Equal ranges, with the same fields in the same order (as JSON would tell). */
function sameRange(x: unknown, y: unknown): boolean {
  const a = x as RangeLike;
  const b = y as RangeLike;
  const keys = (o: object): string => Object.keys(o).join();
  if (keys(a) !== keys(b) || keys(a.start) !== keys(b.start) || keys(a.end) !== keys(b.end)) return false;
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** A CST node's `astNode`, or 'throws' where the getter throws (a node of no AST node). */
function astNodeOf(node: CstNode): unknown {
  try {
    return node.astNode;
  } catch {
    return 'throws';
  }
}

/** Both parsers on `text`: undefined if they agree, else what differs. */
function disagreement(text: string): string | undefined {
  const expected = parseWithLangium(text);
  const actual = fast.parse(text);
  if (!expected) return actual ? 'Langium reports errors, the fast parser accepted' : undefined;
  if (!actual) return 'the fast parser declined error-free text';
  const diffs = new TreeComparer(actual, expected).diffs;
  return diffs.length ? diffs.join('\n') : undefined;
}

const factory = ws.shared.workspace.LangiumDocumentFactory as NasDocumentFactory;
let lazyDocuments = 0;

interface LazyPath {
  /** Parsed first under the same URI: its unchanged chunks are kept and moved. */
  previous?: string;
  /** Build the previous document's CST before the move (else the kept chunks move AST-only). */
  readPreviousFirst?: boolean;
  /** Build the CSTs chunk by chunk through each element's `$cstNode`, last first (else through the root). */
  byElement?: boolean;
}

/**
 * The document factory's parse of `text` (error-free: every chunk parsed by the fast parser,
 * AST-only) with its CST built on demand, against Langium's whole-text parse: undefined if
 * they agree, else what differs.
 */
function lazyDisagreement(text: string, how: LazyPath = {}): string | undefined {
  const uri = URI.file(path.join(ROOT, `lazy-cst-${lazyDocuments++}.nas`));
  try {
    if (how.previous !== undefined) {
      const before = factory.fromString(how.previous, uri);
      if (how.readPreviousFirst) void (before.parseResult.value.$cstNode as CstNode & { content: CstNode[] }).content;
    }
    const count = cstMaterializations.count;
    const doc: LangiumDocument = factory.fromString(text, uri);
    if (cstMaterializations.count !== count) return 'parsing built a CST';
    const elements = (doc.parseResult.value as AstNode & { elements: AstNode[] }).elements;
    if (how.byElement) for (const e of [...elements].reverse()) void e.$cstNode;
    const expected = parseWithLangium(text);
    if (!expected) return 'Langium reports errors';
    // The factory repairs every parse's containers (cst-builder.ts), the document's too.
    const root = expected.value.$cstNode as CstNode & { content: CstNode[] };
    linkContainers(root.content, root as never, []);
    const diffs = new TreeComparer(doc.parseResult, expected, true).diffs;
    return diffs.length ? diffs.join('\n') : undefined;
  } finally {
    factory.forget(uri);
  }
}

/** `text` with its first chunk changed (the other chunks are kept and move). */
function movedVersions(text: string): string[] {
  const chunks = splitTopLevelChunks(text);
  const first = chunks[0]!;
  const rest = text.slice(first.end);
  return ['# moved\r\n\n  \n' + text, text.slice(0, first.end) + '/* a\nb */ let moved = 1\n' + rest, rest];
}

/** Every lazy path for `text`: built through the root or element by element, fresh or moved. */
function expectSameLazyParse(text: string, label: string): void {
  for (const byElement of [false, true]) {
    expect(lazyDisagreement(text, { byElement }), `${label} (by element: ${byElement})`).toBeUndefined();
    for (const previous of movedVersions(text)) {
      for (const readPreviousFirst of [false, true]) {
        const d = lazyDisagreement(text, { previous, readPreviousFirst, byElement });
        expect(d, `${label} after ${JSON.stringify(previous.slice(0, 40))} (by element: ${byElement}, read first: ${readPreviousFirst})`).toBeUndefined();
      }
    }
  }
}

/** Asserts that both parsers accept `text` and give the same trees. */
function expectSameParse(text: string, label = JSON.stringify(text.slice(0, 60))): void {
  const expected = parseWithLangium(text);
  expect(expected, `Langium parses ${label} without errors`).toBeDefined();
  const actual = fast.parse(text);
  expect(actual, `the fast parser accepts ${label}`).toBeDefined();
  expect(new TreeComparer(actual!, expected!).diffs, label).toEqual([]);
}

const corpus: Array<{ name: string; text: string }> = [
  ...fs
    .readdirSync(path.join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.nas'))
    .map((f) => ({ name: `examples/${f}`, text: fs.readFileSync(path.join(ROOT, 'examples', f), 'utf8') })),
  ...fs
    .readdirSync(path.join(ROOT, 'test/grammar/fixtures'))
    .filter((f) => f.endsWith('.nas'))
    .map((f) => ({ name: `test/grammar/fixtures/${f}`, text: fs.readFileSync(path.join(ROOT, 'test/grammar/fixtures', f), 'utf8') })),
  ...BUILTIN_DOCUMENTS.map((d) => ({ name: d.uri, text: d.text })),
];

describe('fast parser: the corpus', () => {
  it.each(corpus.map((c) => [c.name, c.text]))('%s, whole and chunk by chunk', (_name, text) => {
    expectSameParse(text, _name);
    for (const c of splitTopLevelChunks(text)) expectSameParse(text.slice(c.start, c.end), `${_name} @${c.start}`);
  });

  it("the benchmark's generated 5,000-line file, whole and chunk by chunk", () => {
    const text = generateLargeFile();
    expectSameParse(text, 'generated file');
    const chunks = splitTopLevelChunks(text);
    expect(chunks.length).toBeGreaterThan(100);
    for (const c of chunks) expectSameParse(text.slice(c.start, c.end), `generated @${c.start}`);
  });
});

/** Every construct of the grammar, with comments and odd line breaks. */
const CASES: string[] = [
  '',
  '   \n\t  \r\n',
  '# only a comment',
  '/* only */ # comments\n/* and\r\nmore */',
  'import "std/blocks"\nimport \'x\'',
  'let a = b -> c -> d',
  'let a = 1 + 2 * 3 - 4 / 5 // 6 % 7',
  'let a = 1 * 2 + 3 * 4 - 5',
  'let r = a .. b step c',
  'let r = 16..64 step 8 + 1',
  'let c = not a == b',
  'let c = not not a',
  'let u = -x.c',
  'let u = - - x',
  'let u = -f(1)[2].y',
  'let k = a < b and c <= d or e > f and g >= h or i == j and k != l',
  'let k = a -> b or c and d == e .. f step g + h * i',
  'let k = (a -> b) * (c + d)',
  'let k = a == b == c',
  'let m = f(1, x = 2, int = 3)(4).y[5][6]',
  'let m = f()',
  'let m = [] + [1] + [1, [2, 3], "s"]',
  'let i = if a then b else c + d',
  'let i = if if a then b else c then [d] else (e)',
  'let s = "esc \\" \\\\ \\n \\t \\x" + \'single \\\' "\' + "a\'b"',
  'let n = [0, 12, 3.5, 1e3, 2E-4, 7e+2, 600M, 3.5k, 4G, 1T, 1.5e3k]',
  'let t = true and false',
  'let a=1+2',
  'let any = int + float + bool + string + tensor + layer + list + any',
  'let x = int.float',
  '/* start */ let /* a */ a /* b */ = /* c */ 1 /* d */ + # e\n 2 /* f */ # g\n# h\n/* end */',
  'block B { # first\n  x /* mid */ -> y # after\n}\n# trailing',
  '# lead\n\n# two\nnetwork N { }',
  'let a = 1\r\nlet b = 2\r\n',
  'let a = 1\rlet b = 2\r',
  'let a = "x\ry" -> /* \r\n */ b\n# c\r\nlet d = e',
  'let a = 1\n\r\n\r\rlet b = 2',
  'network N {\n  input (3, 32, 32)\n  conv(16, k=3) -> bn -> relu\n  output x\n}',
  'block B {\n  input x, y, z\n  input int\n  output x + y\n}',
  'block B(C: int, s: int = 1, *rest: tensor, flag: bool = true, d, e = [1]) { }',
  'block B() {}',
  'block B()',
  'op conv(C: int, k: int = 3, stride: int = 1)',
  'fn f(x)\nop g',
  'cell C { a = x b = y c = a -> b }',
  'space S { for i in 0..3 { a = conv(C) choice = [a, b] } for j in xs { } }',
  'network N { let w = 16\n x = y\n f(x) }',
  'block B { x\n(y) }',
  'block B { x\n-y }',
  'block B { x\n[1] }',
  'block B { a = b c }',
  'search S {\n  space Net\n  strategy random\n  strategy evo(pop=10, 3)\n  strategy e()\n  maximize accuracy\n  minimize latency\n  constraint macs <= 600M\n  constraint a < 1\n  constraint a >= 1\n  constraint a > 1\n  constraint a == 1\n  constraint a != 1\n  evaluator proxy\n  evaluator train(epochs=5)\n  budget 100\n  budget (3)\n  budget (3) + 1\n  budget (a = 3)\n  budget (3, 4)\n  budget (f(x = 1))\n  budget ((1))\n  seed 42\n}',
  'search S { }',
  'search S { budget (a)(b) budget (a)[0] budget (a).b budget (a) -> b budget -1 budget ([1, 2]) budget (f(a, b)) }',
  'search S { budget (a, b = 2) budget (int = 3) budget (x) seed 3 budget (if a then (b) else c) }',
  'search S { budget (x, (y)) strategy s(x) (y) }'.replace(' (y) }', ' }'),
  'let a = 1\nsearch S { seed 1 }\nnetwork N { }\nlet b = 2',
  'let inputs = input2 + for_ + iffy + notx + and1 + or_ + step2 + in_ + int8',
  'let _a = _ + a_1 + A',
  'let d = a/b + a//b + a /* c */ / b',
  'let x = 1.5.c',
  'let x = 1..2',
  'let x = a.b.c.d',
  'let x = f(a)(b)(c)',
  'let x = f(\n  a,\n  b = 1,\n)'.replace(',\n)', '\n)'),
  'let\u00a0x\u2028=\u20031\ufeff',
];

/** Text that Langium rejects, which the fast parser must decline. */
const REJECTED: string[] = [
  'let a = /* unterminated',
  'let a = 1 +',
  'let a = "unterminated',
  "let a = 'x\n'",
  'let a = 3e',
  'let a = 12abc',
  'let a = 1 ! 2',
  'let a = é',
  'block B { x = }',
  'block B {',
  'block B }',
  'budget 3',
  'search S { budget () }',
  'search S { budget (a b) }',
  'let a = f(x=)',
  'let a = ' + '('.repeat(40) + '1' + ')'.repeat(40),
  'let a = ' + '- '.repeat(130) + '1',
  'let a = 1 let',
  'import x',
  'network N { input }',
  'network N { input (1,) }',
  'network N { f(x) = 3 }',
  'search S { budget ((a, b)) }',
  'search S { budget (a = 1) + 2 }',
  'search S { budget (a, b) + 2 }',
];

describe('fast parser: hand-written cases', () => {
  it.each(CASES.map((c) => [c]))('%j', (text) => expectSameParse(text));

  it.each(REJECTED.map((c) => [c]))('declines %j', (text) => {
    expect(parseWithLangium(text), 'Langium reports an error').toBeUndefined();
    expect(fast.parse(text)).toBeUndefined();
  });

  it('places comments as Langium does in every gap of a construct-rich text', () => {
    const base =
      'block B(C: int, *r) { input x, y\n a = f(x, k = 1)[0].c -> -g\n for i in 0..2 step 1 { output if a then [b] else (c) } }\nsearch S { strategy s(a = 1) budget (2) constraint m <= 3 }';
    const gaps = [...base.matchAll(/ /g)].map((m) => m.index);
    for (const at of [0, ...gaps, base.length]) {
      for (const comment of ['/* c */', '# c\n', '/*\r\n*/']) expectSameParse(base.slice(0, at) + comment + base.slice(at), `comment at ${at}`);
    }
  });
});

/** A small seeded generator (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INSERTS = [
  ...['(', ')', '{', '}', '[', ']', ',', '=', '==', '->', '-', '+', '*', '/', '//', '%', '..', '.', ':', '<', '<=', '!='],
  ...['step', 'not', 'and', 'or', 'if', 'then', 'else', 'let', 'input', 'output', 'for', 'in', 'block', 'network', 'space', 'search', 'op', 'fn'],
  ...['budget', 'seed', 'strategy', 'maximize', 'constraint', 'evaluator', 'int', 'any', 'true', 'x', 'conv', 'k=3', '3', '1.5e3', '600M', '4x'],
  ...['"s"', "'t'", '"\\"', '/* c */', '/* open', '# c\n', '\n', '\r\n', '\r', ' ', '\t', '(x)', '[1, 2]', 'f(a, b=1)', '.c', '[0]', '$', 'é'],
];

/** Token-wise mutations of `text`: delete, insert, swap, duplicate, replace, truncate. */
function mutate(text: string, random: () => number): string {
  const tokens =
    text.match(/[A-Za-z_]\w*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[kMGT]?|\s+|->|\/\/|\.\.|[<>=!]=|"(?:\\.|[^"\\\n])*"|#[^\n]*|\/\*[\s\S]*?\*\/|[^\s\w]/g) ?? [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const count = 1 + Math.floor(random() * 3);
  for (let m = 0; m < count && tokens.length > 0; m++) {
    const at = Math.floor(random() * tokens.length);
    const r = random();
    if (r < 0.25) tokens.splice(at, 1 + Math.floor(random() * 3));
    else if (r < 0.5) tokens.splice(at, 0, pick(INSERTS));
    else if (r < 0.6) {
      const other = Math.floor(random() * tokens.length);
      [tokens[at], tokens[other]] = [tokens[other]!, tokens[at]!];
    } else if (r < 0.7) tokens.splice(at, 0, ...tokens.slice(at, at + 1 + Math.floor(random() * 12)));
    else if (r < 0.85) {
      // Often keeps the text valid: a word for a word, a number for a number, a gap for a gap.
      const t = tokens[at]!;
      if (/^[A-Za-z_]/.test(t)) tokens[at] = pick(['x', 'int', 'any', 'in_', 'relu', 'conv', 'step', 'not', 'if', 'a1']);
      else if (/^\d/.test(t)) tokens[at] = pick(['0', '7', '2.5', '1e3', '3k', '9G', '1.5e-2M', '08']);
      else if (/^\s/.test(t)) tokens[at] = pick([' ', '\n', '\r\n', '\r', ' /* c */ ', ' # c\n', '\t\t', '\n\n']);
      else tokens[at] = pick(['->', '+', '*', '==', 'and', ',', '.', '(', ')']);
    } else tokens.length = at;
  }
  return tokens.join('');
}

describe('fast parser: random mutations (seeded)', () => {
  it('accepts what Langium accepts, with the same trees, and declines the rest', () => {
    const random = rng(20240613);
    const bases = corpus.flatMap((c) => [c.text, ...splitTopLevelChunks(c.text).map((k) => c.text.slice(k.start, k.end))]).filter((t) => t.length < 6000);
    let accepted = 0;
    let declined = 0;
    const failures: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const text = mutate(bases[Math.floor(random() * bases.length)]!, random);
      const d = disagreement(text);
      if (d !== undefined && failures.length < 3) failures.push(`${JSON.stringify(text)}\n${d}`);
      if (parseWithLangium(text)) accepted++;
      else declined++;
    }
    console.log(`random mutations: ${accepted} accepted, ${declined} declined`);
    expect(failures).toEqual([]);
    // The mutations exercise both sides.
    expect(accepted).toBeGreaterThan(500);
    expect(declined).toBeGreaterThan(500);
  });
});

/**
 * Random programs from the grammar, tokens joined by random gaps (spaces, line breaks of all
 * three kinds, comments, or nothing, which can merge tokens): mostly valid text, with every
 * construct in every combination.
 */
function generateProgram(random: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const chance = (p: number): boolean => random() < p;
  const out: string[] = [];
  const name = (): string => pick(['x', 'y', 'conv', 'C', '_t2', 'int', 'any', 'list', 'tensor', 'inputs', 'for_', 'stepper']);
  const ops = ['*', '/', '//', '%', '+', '-', '..', 'step', '==', '!=', '<', '<=', '>', '>=', 'and', 'or', '->'];
  const args = (depth: number, allowEmpty: boolean): void => {
    const n = allowEmpty ? Math.floor(random() * 4) : 1 + Math.floor(random() * 3);
    for (let i = 0; i < n; i++) {
      if (i > 0) out.push(',');
      if (chance(0.4)) out.push(name(), '=');
      expr(depth + 1);
    }
  };
  const primary = (depth: number): void => {
    const r = depth > 3 ? random() * 0.4 : random();
    if (r < 0.15) out.push(pick(['0', '3', '16', '2.5', '1e3', '7E-2', '4e+1', '600M', '3.5k', '1G', '2T', '1.5e3k']));
    else if (r < 0.4) out.push(name());
    else if (r < 0.45) out.push(pick(['"s"', "'t'", '"a \\" b"', "'it\\'s'", '""', '"\\n\\t"']));
    else if (r < 0.5) out.push(pick(['true', 'false']));
    else if (r < 0.6) {
      out.push('[');
      const n = Math.floor(random() * 3);
      for (let i = 0; i < n; i++) {
        if (i > 0) out.push(',');
        expr(depth + 1);
      }
      out.push(']');
    } else if (r < 0.7) {
      out.push('(');
      expr(depth + 1);
      out.push(')');
    } else if (r < 0.8) {
      out.push(pick(['-', 'not']));
      postfix(depth + 1);
    } else if (r < 0.87) {
      out.push('if');
      expr(depth + 1);
      out.push('then');
      expr(depth + 1);
      out.push('else');
      expr(depth + 1);
    } else out.push(name());
  };
  const postfix = (depth: number): void => {
    primary(depth);
    while (depth < 4 && chance(0.3)) {
      const r = random();
      if (r < 0.5) {
        out.push('(');
        args(depth, true);
        out.push(')');
      } else if (r < 0.75) out.push('.', name());
      else {
        out.push('[');
        expr(depth + 1);
        out.push(']');
      }
    }
  };
  const expr = (depth: number): void => {
    postfix(depth);
    while (depth < 4 && chance(0.35)) {
      out.push(pick(ops));
      postfix(depth + 1);
    }
  };
  const statement = (depth: number): void => {
    const r = random();
    if (r < 0.1) out.push('let', name(), '=');
    else if (r < 0.2) {
      out.push('input');
      if (chance(0.5)) {
        out.push('(');
        args(depth, false);
        out.push(')');
      } else {
        out.push(name());
        while (chance(0.4)) out.push(',', name());
      }
      return;
    } else if (r < 0.3) out.push('output');
    else if (r < 0.38 && depth < 2) {
      out.push('for', name(), 'in');
      expr(1);
      out.push('{');
      while (chance(0.6)) statement(depth + 1);
      out.push('}');
      return;
    } else if (r < 0.7) out.push(name(), '=');
    expr(0);
  };
  const element = (): void => {
    const r = random();
    if (r < 0.1) out.push('import', pick(['"std/blocks"', "'x.nas'"]));
    else if (r < 0.3) {
      out.push('let', name(), '=');
      expr(0);
    } else if (r < 0.85) {
      out.push(pick(['op', 'fn', 'block', 'cell', 'network', 'space']), name());
      if (chance(0.6)) {
        out.push('(');
        const n = Math.floor(random() * 4);
        for (let i = 0; i < n; i++) {
          if (i > 0) out.push(',');
          if (chance(0.2)) out.push('*');
          out.push(name());
          if (chance(0.4)) out.push(':', pick(['int', 'float', 'bool', 'string', 'tensor', 'layer', 'list', 'any']));
          if (chance(0.3)) {
            out.push('=');
            expr(1);
          }
        }
        out.push(')');
      }
      if (chance(0.8)) {
        out.push('{');
        while (chance(0.75)) statement(0);
        out.push('}');
      }
    } else {
      out.push('search', pick(['S', 'find']), '{');
      while (chance(0.8)) {
        const item = pick(['space', 'strategy', 'objective', 'constraint', 'evaluator', 'budget', 'seed']);
        if (item === 'space') out.push('space', pick(['Net', 'S']));
        else if (item === 'strategy' || item === 'evaluator') {
          out.push(item, pick(['random', 'evo']));
          if (chance(0.5)) {
            out.push('(');
            args(1, true);
            out.push(')');
          }
        } else if (item === 'objective') out.push(pick(['maximize', 'minimize']), pick(['acc', 'latency']));
        else if (item === 'constraint') {
          out.push('constraint', 'macs', pick(['<=', '<', '>=', '>', '==', '!=']));
          expr(1);
        } else if (item === 'budget') {
          out.push('budget');
          if (chance(0.5)) {
            out.push('(');
            args(1, false);
            out.push(')');
          } else expr(1);
        } else {
          out.push('seed');
          expr(1);
        }
      }
      out.push('}');
    }
  };
  const count = 1 + Math.floor(random() * 4);
  for (let i = 0; i < count; i++) element();
  const gaps = [' ', ' ', ' ', '\n', '\n  ', '\r\n', '\r', '\t', '', ' /* c */ ', '/**/', ' # c\n', '\n# c\r\n', ' /* a\r\nb */ ', '\u00a0'];
  let text = chance(0.2) ? pick(['# head\n', '/* head */', '\n\n', '\r\n']) : '';
  for (let i = 0; i < out.length; i++) text += (i > 0 ? pick(gaps) : '') + out[i];
  return text + (chance(0.3) ? pick(['\n', ' # tail', '/* tail */\n', '\r']) : '');
}

describe('fast parser: random programs (seeded)', () => {
  it('gives Langium trees for generated programs and declines where Langium reports errors', () => {
    const random = rng(4242);
    let accepted = 0;
    const failures: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const text = generateProgram(random);
      const d = disagreement(text);
      if (d !== undefined && failures.length < 3) failures.push(`${JSON.stringify(text)}\n${d}`);
      if (fast.parse(text)) accepted++;
    }
    console.log(`random programs: ${accepted} of 2000 accepted`);
    expect(failures).toEqual([]);
    expect(accepted).toBeGreaterThan(600);
  });
});

describe('fast lexer: Chevrotain as the oracle', () => {
  const lexer = services.parser.Lexer;
  const buf = new TokenBuffer();

  /** Both lexers on `text`: undefined if they agree, else what differs. */
  function lexDisagreement(text: string): string | undefined {
    const expected = lexer.tokenize(text);
    const ok = tokenize(text, buf);
    const hasErrors = expected.errors.length > 0;
    if (!ok || hasErrors) return ok === !hasErrors ? undefined : `errors: fast ${!ok}, Chevrotain ${hasErrors}`;
    const mine: string[] = [];
    for (let i = 0; i < buf.count; i++) mine.push(`${KIND_NAMES[buf.kinds[i]!]} ${buf.starts[i]}-${buf.ends[i]} ${buf.lines[i]}:${buf.cols[i]}`);
    const theirs = expected.tokens.map(
      (t) => `${t.tokenType.name} ${t.startOffset}-${t.startOffset + t.image.length} ${t.startLine}:${t.startColumn}${t.endLine !== t.startLine ? '!' : ''}`,
    );
    for (let i = 0; i < buf.hCount; i++) {
      mine.push(`${KIND_NAMES[buf.hKinds[i]!]} ${buf.hStarts[i]}-${buf.hEnds[i]} ${buf.hLines[i]}:${buf.hCols[i]}-${buf.hEndLines[i]}:${buf.hEndCols[i]}`);
    }
    for (const t of expected.hidden)
      theirs.push(`${t.tokenType.name} ${t.startOffset}-${t.startOffset + t.image.length} ${t.startLine}:${t.startColumn}-${t.endLine}:${t.endColumn}`);
    const a = mine.join('\n');
    const b = theirs.join('\n');
    if (buf.kinds[buf.count] !== T_EOF) return 'no EOF';
    return a === b ? undefined : `fast:\n${a}\nChevrotain:\n${b}`;
  }

  it('agrees on every UTF-16 code unit in word, string, comment and number contexts', () => {
    const failures: string[] = [];
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      for (const text of [`a${ch}b`, `"${ch}"x`, `'\\${ch}'`, `# ${ch}\nx`, `/*${ch}*/x`, `1${ch}`, `in${ch}`, `/${ch}*/`]) {
        const d = lexDisagreement(text);
        if (d !== undefined && failures.length < 5) failures.push(`${JSON.stringify(text)}: ${d}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('agrees on random text over the language alphabet', () => {
    const random = rng(7);
    const alphabet = [
      '0',
      '1',
      '9',
      '.',
      'e',
      'E',
      '+',
      '-',
      'k',
      'M',
      'G',
      'T',
      'x',
      '_',
      ' ',
      '\n',
      '\r',
      '"',
      "'",
      '\\',
      '#',
      '/',
      '*',
      '=',
      '!',
      '<',
      '>',
      'in',
      'int',
      'put',
    ];
    const failures: string[] = [];
    for (let i = 0; i < 20000; i++) {
      let text = '';
      const n = 1 + Math.floor(random() * 12);
      for (let j = 0; j < n; j++) text += alphabet[Math.floor(random() * alphabet.length)];
      const d = lexDisagreement(text);
      if (d !== undefined && failures.length < 5) failures.push(`${JSON.stringify(text)}: ${d}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('fast parser: chunks stored AST-only, CST built on demand', () => {
  it.each(corpus.map((c) => [c.name, c.text]))('%s: the same trees as Langium, fresh and after a move', (name, text) => {
    expectSameLazyParse(text, name);
  });

  it("the benchmark's generated 5,000-line file", () => {
    const text = generateLargeFile();
    expect(lazyDisagreement(text)).toBeUndefined();
    expect(lazyDisagreement(text, { byElement: true, previous: movedVersions(text)[0] })).toBeUndefined();
    expect(lazyDisagreement(text, { previous: movedVersions(text)[1], readPreviousFirst: true })).toBeUndefined();
  });

  it('hand-written cases', () => {
    for (const text of CASES) expectSameLazyParse(text, JSON.stringify(text));
  });

  it('random programs (seeded)', () => {
    const random = rng(777);
    const failures: string[] = [];
    let checked = 0;
    for (let i = 0; i < 400; i++) {
      const text = generateProgram(random);
      if (!parseWithLangium(text)) continue;
      checked++;
      const how: LazyPath = { byElement: random() < 0.5 };
      if (random() < 0.5) {
        how.previous = movedVersions(text)[Math.floor(random() * 3)];
        how.readPreviousFirst = random() < 0.5;
      }
      const d = lazyDisagreement(text, how);
      if (d !== undefined && failures.length < 3) failures.push(`${JSON.stringify(text)} ${JSON.stringify(how)}\n${d}`);
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });
});

describe('fast parser in the document factory', () => {
  it("parses error-free chunks itself and leaves the others to Langium's parser", () => {
    const factory = ws.shared.workspace.LangiumDocumentFactory;
    // The first use reads the infix rule's elements off one parse of Langium's (see fast-parser.ts).
    factory.fromString('let a = 1', URI.file(path.join(ROOT, 'fast-parser-test-0.nas')));
    const spy = vi.spyOn(langium, 'parse');
    try {
      const text = corpus[0]!.text;
      const doc = factory.fromString(text, URI.file(path.join(ROOT, 'fast-parser-test-1.nas')));
      expect(doc.parseResult.parserErrors).toEqual([]);
      expect((doc.parseResult.value as AstNode & { elements: unknown[] }).elements.length).toBeGreaterThan(0);
      expect(spy).not.toHaveBeenCalled();
      const broken = factory.fromString(text + '\nnetwork Broken { x = }\n', URI.file(path.join(ROOT, 'fast-parser-test-2.nas')));
      expect(broken.parseResult.parserErrors.length).toBeGreaterThan(0);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});
