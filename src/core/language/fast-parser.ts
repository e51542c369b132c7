/**
 * A hand-written recursive-descent parser for .nas chunks, about eight times faster than Langium's
 * Chevrotain-based parser, that gives exactly what `LangiumParser.parse` gives with
 * `NasCstNodeBuilder` for text without lexical or syntax errors: the same AST (types, properties
 * and their order, defaults, containers, references built by the linker, values converted by the
 * value converter) and the same CST (nodes, grammar sources, token types, positions, hidden
 * comments). On any error, or anything it does not handle, it returns undefined and the document
 * factory falls back to Langium's parser, so diagnostics and error recovery stay Langium's.
 * test/core/fast-parser.test.ts compares the two parsers on the examples, the standard library,
 * hand-written cases, random programs and thousands of random mutations.
 *
 * To get the same trees it replays the calls Langium's parser makes to its CST builder
 * (langium/lib/parser/langium-parser.js): a composite node per rule call, made before the rule
 * consumes anything; hidden tokens placed just before each consumed token; a tree-rewriting
 * action (`{infer Call.callee=current}`) finishing the current node, moving its CST node into a
 * new composite; an unassigned rule call (`Statement: Let | ... | Node`) handing its result to
 * the caller, whose CST node then takes it; the infix rule collecting parts and operators and
 * building the binary tree as `constructInfix` does.
 *
 * Its decisions are those of Langium's lookahead (chevrotain-allstar): every choice in the
 * grammar is LL(1) and greedy except `(name=Name '=')?` in Node and Arg (taken when a name is
 * followed by '=') and BudgetItem's `value=Expr | '(' args ')'` (see `isBudgetArgs`).
 *
 * It also has an AST-only mode (`parse(text, false)`): the same AST with no CST at all — no
 * composite nodes, leaves or comment placement, and references without `$refNode` — because a
 * check of a document reads no CST node of an error-free chunk, and the CST was most of what a
 * parse allocated and the young-generation collector then copied. The document factory stores
 * fast-parsed chunks that way and, when something first reads a CST node of one (`$cstNode` on
 * the prototype of the mode's AST nodes, a reference's `$refNode`, the document root's
 * `content`), parses the chunk again in full mode and hands the CST nodes over to the kept AST
 * (nas-document-factory.ts; docs/architecture.md, "The fast parser builds no CST ...").
 */
import {
  DefaultValueConverter,
  LeafCstNodeImpl,
  RootCstNodeImpl,
  ValueConverter,
  type AstNode,
  type CstNode,
  type GrammarAST,
  type LangiumCoreServices,
  type Linker,
  type ParseResult,
  type Reference,
} from 'langium';
import type { Document } from './generated/ast.js';
import { findNestingProblem } from './parse-guard.js';
import { COMPOSITE_PROTOTYPE, makeLeafConstructor } from './cst-nodes.js';
import { KEYWORDS, KIND_NAMES, KW_BASE, T_EOF, T_ID, T_NUMBER, T_STRING, TokenBuffer, kw, tokenize, type Keyword } from './fast-lexer.js';
import { NodeSlot } from '../util/node-slot.js';

/** Chevrotain's token type, as Langium's CST leaves hold it (chevrotain is Langium's dependency). */
type TokenType = LeafCstNodeImpl['tokenType'];

type Feature = GrammarAST.AbstractElement;

interface AstObj {
  $type: string;
  $cstNode?: CstNode;
  $container?: AstObj;
  $containerProperty?: string;
  $containerIndex?: number;
  [key: string]: unknown;
}

/** A composite CST node as NasCstNodeBuilder makes it (plain `content` array). */
interface Composite {
  content: CstNode[];
  grammarSource: Feature;
  root: RootCstNodeImpl;
  container: Composite | undefined;
  astNode: AstObj | undefined;
}

interface MutableLeaf {
  grammarSource?: Feature;
  root: RootCstNodeImpl;
  container: Composite;
}

interface CompositeConstructor {
  new (grammarSource: Feature, root: RootCstNodeImpl, container: Composite): Composite;
}

/** No content yet: an open node's children are collected aside (see `FastNasParser.kids`). */
const NO_CONTENT: CstNode[] = [];

/**
 * Makes composite nodes as NasCstNodeBuilder does (a CompositeCstNodeImpl without its
 * constructor's content array, the same properties in the same order) but with a constructor,
 * so that V8 sizes them for their properties.
 */
const FastComposite = function (this: Composite, grammarSource: Feature, root: RootCstNodeImpl, container: Composite): void {
  this.content = NO_CONTENT;
  this.grammarSource = grammarSource;
  this.root = root;
  this.container = container;
} as unknown as CompositeConstructor;
(FastComposite as unknown as { prototype: object }).prototype = COMPOSITE_PROTOTYPE;
// V8 fixes an instance size from the first few objects a constructor makes ("slack
// tracking"); show it that half of them get an AST node, so that `_astNode` is stored in the
// object rather than in an extra property array.
for (let i = 0; i < 8; i++)
  new FastComposite(undefined as unknown as Feature, undefined as unknown as RootCstNodeImpl, undefined as unknown as Composite).astNode = undefined;

/**
 * Leaves keep their position as numbers and make ranges on read (cst-nodes.ts); this parser has
 * a leaf constructor of its own, whose numbers stay unboxed.
 */
const FastLeaf = makeLeafConstructor();

interface AstObjectConstructor {
  new (): AstObj;
  readonly prototype: object;
}

/** Symbol of the per-type prototypes' list of the properties `assignMandatoryProperties` sets, in its order (finishTyped). */
const TYPE_DEFAULTS = Symbol('type defaults');

/**
 * The chunk that owns an AST-only parse, able to build its CST on demand (the document factory
 * registers its records here: nas-document-factory.ts). Keys are the top-level elements, the
 * imports and the chunk's own Document node; other nodes find theirs through `$container`.
 */
export interface LazyCstOwner {
  /** Builds the chunk's CST and hands it to the kept AST nodes and references (idempotent). */
  materialize(): void;
  /** The chunk's text and the 0-based line where it now starts (features that need only where
   * an element lies read these rather than build the CST: language-server/chunk-span.ts). */
  readonly text: string;
  readonly line: number;
  /** The chunk's own parse: its top-level nodes. */
  readonly root: { readonly imports: readonly AstNode[]; readonly elements: readonly AstNode[] };
  /** The document-root child before `cst`, one of this chunk's top-level CST nodes (null if it is
   * not), building no other chunk's CST than this one's and, if needed, the previous one's. */
  previousTopLevelNode(cst: CstNode): CstNode | null | undefined;
}

const lazyCstOwners = new NodeSlot<object, LazyCstOwner>('lazy CST owner');

/** Registers `owner` as the chunk of `node` (a top-level element, import or chunk root). */
export function registerLazyCstOwner(node: object, owner: LazyCstOwner): void {
  lazyCstOwners.set(node, owner);
}

/** The registered chunk of `node`, through its containers; undefined for other parses. */
export function lazyCstOwnerOf(node: object): LazyCstOwner | undefined {
  let n: { $container?: object } | undefined = node as { $container?: object };
  while (n !== undefined) {
    const owner = lazyCstOwners.get(n);
    if (owner !== undefined) return owner;
    n = n.$container as { $container?: object } | undefined;
  }
  return undefined;
}

/**
 * Whether `node` comes from a parse of this parser that was stored AST-only (registered with
 * the document factory): such a chunk parsed without any lexer or syntax error, by construction.
 */
export function parsedByFastParser(node: object): boolean {
  return lazyCstOwnerOf(node) !== undefined;
}

/**
 * Where an AST node of an AST-only parse keeps its CST node: a symbol-keyed field, which
 * `Object.keys`, `for...in`, JSON and Langium's AST streams do not see, so the node has the same
 * (string) keys as Langium's except `$cstNode`, an accessor of its prototype.
 */
const CST = Symbol('cstNode');
/** The CST slot's value while the chunk's CST is not built. */
const PENDING = Object.freeze({ pending: true }) as unknown as CstNode;

/** Whether `node` is an AST node of an AST-only parse whose CST is not built yet. */
export function isCstPending(node: object): boolean {
  return (node as { [CST]?: CstNode })[CST] === PENDING;
}

/**
 * Where a node sits in its container, read from the container: `$containerProperty` is the
 * container's property that holds the node, `$containerIndex` its index when that property is
 * a list. Langium stores both on every node; they are read rarely (AST paths for the index,
 * serialization), and two fields on each of the 43,000 nodes of a 5,000-line file were a
 * tenth of the memory a check keeps alive. Writes (Langium's `linkContentToContainer`) are
 * ignored: they can only agree with the container.
 */
export function containerSlot(node: AstObj): { property: string; index: number | undefined } | undefined {
  const container = node.$container;
  if (container === undefined) return undefined;
  // for...in rather than Object.keys (an array per read); the prototypes' keys are not enumerable.
  for (const key in container) {
    if (key.charCodeAt(0) === 36 /* $ */) continue;
    const value = container[key];
    if (value === node) return { property: key, index: undefined };
    if (Array.isArray(value)) {
      const index = value.indexOf(node);
      if (index >= 0) return { property: key, index };
    }
  }
  return undefined;
}

/** An accessor that reads one part of the node's place in its container; writes are ignored. */
function fromContainerSlot(read: (slot: { property: string; index: number | undefined }) => string | number | undefined): PropertyDescriptor {
  return {
    get(this: AstObj): string | number | undefined {
      const slot = containerSlot(this);
      return slot === undefined ? undefined : read(slot);
    },
    set(): void {},
    enumerable: false,
    configurable: true,
  };
}

const CONTAINER_ACCESSORS: PropertyDescriptorMap = {
  $containerProperty: fromContainerSlot((slot) => slot.property),
  $containerIndex: fromContainerSlot((slot) => slot.index),
};

/** The prototype of the AST nodes of a full parse: Object.prototype plus the container accessors. */
const FULL_AST_PROTOTYPE: object = Object.create(Object.prototype, CONTAINER_ACCESSORS);

/**
 * The prototype of the AST nodes of an AST-only parse: FULL_AST_PROTOTYPE's plus a `$cstNode`
 * accessor over the CST slot. Reading it first builds the chunk's CST, which sets the slot of
 * every kept node of the chunk (a plain store: defining an own `$cstNode` property on each of
 * 100k nodes took 15-70 ms).
 */
const LAZY_AST_PROTOTYPE: object = Object.create(Object.prototype, {
  ...CONTAINER_ACCESSORS,
  $cstNode: {
    get(this: { [CST]: CstNode | undefined }): CstNode | undefined {
      if (this[CST] === PENDING) lazyCstOwnerOf(this)?.materialize();
      const node = this[CST];
      return node === PENDING ? undefined : node;
    },
    set(this: { [CST]: CstNode | undefined }, value: CstNode | undefined): void {
      this[CST] = value;
    },
    enumerable: false,
    configurable: true,
  },
});

/** The per-type prototypes (see astConstructorFor), for tests that compare with Langium's plain objects. */
const astPrototypes = new WeakSet<object>();

/** Whether `proto` is the prototype of this parser's AST nodes of some type. */
export function isFastAstPrototype(proto: unknown): boolean {
  return typeof proto === 'object' && proto !== null && astPrototypes.has(proto);
}

/**
 * Makes AST nodes: objects read as Langium's `{ $type }` nodes, with the properties Langium
 * sets, added in the same order, but made by a constructor so that V8 keeps their properties
 * in the object instead of a separate, growing property array (one object per node instead of
 * two, less to collect). A constructor of its own per node type and mode: V8 sizes the objects
 * of a constructor by the fields its first few objects get ("slack tracking"), so one
 * constructor for every type gave each node the ten fields of the largest; most nodes
 * (references, numbers, arguments) have five to seven, and the unused slots were a quarter of
 * an AST's memory. The type's prototype holds `$type` (the same for all its nodes: a field per
 * node was 8 bytes of the 64 to 80 a node takes) over FULL_AST_PROTOTYPE or, in an AST-only
 * parse, LAZY_AST_PROTOTYPE.
 */
const astConstructors = new Map<string, AstObjectConstructor>();

function astConstructorFor($type: string, fields: number, lazy: boolean): AstObjectConstructor {
  const key = `${lazy ? 'lazy' : 'full'}:${$type}`;
  let made = astConstructors.get(key);
  if (made === undefined) {
    // A new function object per type: each has its own initial map, hence its own size.
    const C = lazy
      ? function LazyAstNode(this: { [CST]: CstNode | undefined }): void {
          this[CST] = PENDING;
        }
      : function AstNode(): void {};
    const prototype: object = Object.create(lazy ? LAZY_AST_PROTOTYPE : FULL_AST_PROTOTYPE, {
      // Writable, so that an assignment makes an own property as on a plain object.
      $type: { value: $type, writable: true, enumerable: false, configurable: true },
    });
    astPrototypes.add(prototype);
    (C as unknown as { prototype: object }).prototype = prototype;
    made = C as unknown as AstObjectConstructor;
    // Show slack tracking the most fields a node of this type can get (set by the constructor:
    // the CST slot when lazy).
    const own = lazy ? 1 : 0;
    for (let i = 0; i < 8; i++) {
      const warm = new made() as unknown as Record<string, number>;
      for (let k = own; k < fields; k++) warm[`f${k}`] = k;
    }
    astConstructors.set(key, made);
  }
  return made;
}

/** Thrown on any syntax error; caught by `parse`, which then returns undefined. */
const FAIL = new Error('not parsed by the fast path');

const KIND_COUNT = KIND_NAMES.length;
/** Size of the table of recent token texts (a power of two). */
const INTERNED = 1024;
const K = (k: Keyword): number => kw(k);
const K_IMPORT = K('import');
const K_LET = K('let');
const K_SEARCH = K('search');
const K_INPUT = K('input');
const K_OUTPUT = K('output');
const K_FOR = K('for');
const K_IN = K('in');
const K_LPAREN = K('(');
const K_RPAREN = K(')');
const K_LBRACE = K('{');
const K_RBRACE = K('}');
const K_LBRACKET = K('[');
const K_RBRACKET = K(']');
const K_COMMA = K(',');
const K_COLON = K(':');
const K_EQ = K('=');
const K_STAR = K('*');
const K_DOT = K('.');
const K_MINUS = K('-');
const K_NOT = K('not');
const K_IF = K('if');
const K_THEN = K('then');
const K_ELSE = K('else');
const K_TRUE = K('true');
const K_FALSE = K('false');
const K_SPACE = K('space');
const K_STRATEGY = K('strategy');
const K_MAXIMIZE = K('maximize');
const K_MINIMIZE = K('minimize');
const K_CONSTRAINT = K('constraint');
const K_EVALUATOR = K('evaluator');
const K_BUDGET = K('budget');
const K_SEED = K('seed');

const DEFINITION_KINDS: Keyword[] = ['op', 'fn', 'block', 'cell', 'network', 'space'];
const TYPE_NAMES: Keyword[] = ['int', 'float', 'bool', 'string', 'tensor', 'layer', 'list', 'any'];
const COMPARE_OPS: Keyword[] = ['<=', '<', '>=', '>', '==', '!='];

function kindSet(...kinds: number[]): Uint8Array {
  const set = new Uint8Array(KIND_COUNT);
  for (const k of kinds) set[k] = 1;
  return set;
}

/** Tokens that start a Name (ID or a type name). */
const NAME_FIRST = kindSet(T_ID, ...TYPE_NAMES.map(K));
/** Tokens that start an Expr (and so an Arg or a Node). */
const EXPR_FIRST = kindSet(T_ID, ...TYPE_NAMES.map(K), T_NUMBER, T_STRING, K_TRUE, K_FALSE, K_LBRACKET, K_LPAREN, K_MINUS, K_NOT, K_IF);
const STATEMENT_FIRST = kindSet(...[...EXPR_FIRST.keys()].filter((k) => EXPR_FIRST[k] === 1), K_LET, K_INPUT, K_OUTPUT, K_FOR);
const DEFINITION_FIRST = kindSet(...DEFINITION_KINDS.map(K));
const SEARCH_ITEM_FIRST = kindSet(K_SPACE, K_STRATEGY, K_MAXIMIZE, K_MINIMIZE, K_CONSTRAINT, K_EVALUATOR, K_BUDGET, K_SEED);
const PARAM_FIRST = kindSet(T_ID, ...TYPE_NAMES.map(K), K_STAR);

/** The grammar's elements that the parser passes to the CST builder, found by their place. */
class GrammarElements {
  private readonly grammar: GrammarAST.Grammar;

  constructor(grammar: GrammarAST.Grammar) {
    this.grammar = grammar;
  }

  /** The element at `path` in rule `rule` ('e3' is `elements[3]`, 't' is `terminal`). */
  at(rule: string, path: string, type: string, detail?: string): Feature {
    const r = this.grammar.rules.find((x) => x.name === rule) as GrammarAST.ParserRule | undefined;
    if (!r || !r.definition) throw new Error(`fast parser: no rule ${rule}`);
    let e = r.definition as Feature & { elements?: Feature[]; terminal?: Feature };
    for (const step of path ? path.split('.') : []) {
      const next = step === 't' ? e.terminal : e.elements?.[Number(step.slice(1))];
      if (!next) throw new Error(`fast parser: no ${rule}/${path}`);
      e = next as typeof e;
    }
    if (e.$type !== type) throw new Error(`fast parser: ${rule}/${path} is a ${e.$type}, not a ${type}`);
    const got = describe(e);
    if (detail !== undefined && got !== detail) throw new Error(`fast parser: ${rule}/${path} is ${got}, not ${detail}`);
    return e;
  }

  keyword(rule: string, path: string, value: string): Feature {
    return this.at(rule, path, 'Keyword', value);
  }

  call(rule: string, path: string, callee: string): Feature {
    return this.at(rule, path, 'RuleCall', callee);
  }

  /** A table from token kind to the Keyword element of each alternative of `path`. */
  keywordTable(rule: string, path: string, first: number, values: readonly Keyword[]): Feature[] {
    const table: Feature[] = new Array<Feature>(KIND_COUNT);
    values.forEach((v, i) => {
      table[K(v)] = this.keyword(rule, `${path}${path ? '.' : ''}e${first + i}`, v);
    });
    return table;
  }
}

function describe(e: Feature): string {
  const x = e as unknown as { value?: string; rule?: { $refText: string }; feature?: string; inferredType?: { name: string }; type?: { $refText: string } };
  if (e.$type === 'Keyword') return x.value ?? '';
  if (e.$type === 'RuleCall') return x.rule?.$refText ?? '';
  if (e.$type === 'Action') return `${x.inferredType?.name ?? ''}.${x.feature ?? ''}`;
  if (e.$type === 'CrossReference') return x.type?.$refText ?? '';
  return '';
}

export class FastNasParser {
  private readonly buf = new TokenBuffer();
  /** Langium's token types, by token kind. */
  private readonly tokenTypes: TokenType[] = [];
  private readonly linker: Linker;
  private readonly converter: LangiumCoreServices['parser']['ValueConverter'];
  /** Whether the value converter is Langium's default one, whose results are known here. */
  private readonly defaultConverter: boolean;
  /** Per node type, the constructors of its AST nodes (see astConstructorFor). */
  private readonly constructors = new Map<string, AstObjectConstructor>();
  private readonly lazyConstructors = new Map<string, AstObjectConstructor>();
  /** Operator precedence (index in the infix rule, loosest last) by token kind, -1 if none. */
  private readonly precedence = new Int8Array(KIND_COUNT).fill(-1);
  private readonly rightAssoc = new Uint8Array(KIND_COUNT);

  /** Grammar elements, named rule + what they are. */
  private readonly g: ReturnType<typeof findElements>;

  private readonly interned: Array<string | undefined> = new Array<string | undefined>(INTERNED).fill(undefined);

  // State of one parse.
  private text = '';
  private pos = 0;
  private hpos = 0;
  private root!: RootCstNodeImpl;
  /**
   * The open composite nodes, the root first, and their children so far: a child list is
   * collected in a reused array and copied, exactly sized, into the node's `content` when the
   * node is done (nothing changes a finished node's content), which halves the memory of a
   * CST (most composite nodes have one child) and with it the time of garbage collection.
   * The root's list is its own `content`.
   */
  private readonly open: Composite[] = [];
  private readonly kids: CstNode[][] = [];
  private depth = 0;
  private cur!: Composite;
  /** The composite node of the last Name parsed (the CST node of a reference). */
  private lastName!: Composite;
  /** The last leaf made (the CST node of a token whose value or reference is assigned). */
  private lastLeaf!: LeafCstNodeImpl;
  /**
   * An AST-only parse: no CST nodes, no leaves, no comment placement; AST nodes are
   * made with LAZY_AST_PROTOTYPE and references get no `$refNode` (the document factory materializes the
   * CST on demand by parsing the text again in full mode). Every CST step below starts with a
   * test of this flag, so the full mode pays one predictable branch per step.
   */
  private lazy = false;

  /** Whether `prepareCst` ran (see there). */
  private cstReady = false;

  constructor(private readonly services: LangiumCoreServices) {
    this.linker = services.references.Linker;
    this.converter = services.parser.ValueConverter;
    this.defaultConverter = Object.getPrototypeOf(this.converter) === DefaultValueConverter.prototype;
    const reflection = services.shared.AstReflection;
    for (const type of reflection.getAllTypes()) {
      const list: Array<[string, unknown]> = [];
      for (const p of Object.values(reflection.getTypeMetaData(type).properties)) {
        if (p.defaultValue !== undefined) list.push([p.name, p.defaultValue]);
      }
      // The grammar's properties, `$container`, `$cstNode` (an own property in full mode, the
      // CST slot when lazy) and a document root's `$document` (`$type` and the container's
      // property and index are the prototype's).
      const fields = Object.keys(reflection.getTypeMetaData(type).properties).length + 1 + 1 + (type === 'Document' ? 1 : 0);
      for (const lazy of [false, true]) {
        const C = astConstructorFor(type, fields, lazy);
        // The grammar's default values of the type, read when a node is finished (a lookup
        // by type name per node was a millisecond of a 5,000-line parse).
        Object.defineProperty(C.prototype, TYPE_DEFAULTS, { value: list, enumerable: false, writable: true, configurable: true });
        (lazy ? this.lazyConstructors : this.constructors).set(type, C);
      }
    }
    const grammar = services.Grammar;
    const infix = grammar.rules.find((r) => r.name === 'BinaryExpr') as GrammarAST.InfixRule | undefined;
    if (!infix || infix.$type !== 'InfixRule') throw new Error('fast parser: no infix rule BinaryExpr');
    infix.operators.precedences.forEach((level, i) => {
      for (const op of level.operators) {
        const k = KEYWORDS.indexOf(op.value as Keyword);
        if (k < 0) throw new Error(`fast parser: unknown operator ${op.value}`);
        this.precedence[KW_BASE + k] = i;
        this.rightAssoc[KW_BASE + k] = level.associativity === 'right' ? 1 : 0;
      }
    });
    this.g = findElements(new GrammarElements(grammar));
  }

  /**
   * What building a CST needs from Langium's lexer and parser: the token types of the leaves
   * and the grammar elements Langium makes up for the infix rule. Done at the first parse with
   * a CST, not when the parser is made: an AST-only parse needs neither, and building
   * Chevrotain's lexer and parser costs about 100 ms (parse-guard.ts).
   */
  private prepareCst(): void {
    if (this.cstReady) return;
    const vocabulary = this.services.parser.Lexer.definition as Record<string, TokenType>;
    const expected = new Set<string>(['WS', ...KIND_NAMES.slice(1)]);
    const names = Object.keys(vocabulary);
    if (names.length !== expected.size || names.some((n) => !expected.has(n)))
      throw new Error('fast parser: token vocabulary differs from the grammar it was written for');
    for (let k = 1; k < KIND_COUNT; k++) this.tokenTypes[k] = vocabulary[KIND_NAMES[k]!]!;
    const infix = findInfixElements(this.services);
    this.g.infixPart1 = infix.part1;
    this.g.infixOperator = infix.operator;
    this.g.infixPart2 = infix.part2;
    this.cstReady = true;
  }

  /**
   * The parse of `text`, or undefined where it has errors or needs Langium's parser. With
   * `cst` false the result is AST-only (see `lazy`; its nodes answer `isCstPending`), unless
   * the value converter is not Langium's default one, which may read the CST nodes it is given.
   */
  parse(text: string, cst = true): ParseResult<Document> | undefined {
    // The guard around Langium's parser (parse-guard.ts) turns over-deep text into an error.
    if (findNestingProblem(text) !== undefined) return undefined;
    if (!tokenize(text, this.buf)) return undefined;
    this.text = text;
    this.pos = 0;
    this.hpos = 0;
    this.depth = 0;
    this.lazy = !cst && this.defaultConverter;
    if (!this.lazy) {
      this.prepareCst();
      const root = new RootCstNodeImpl(text);
      root.root = root;
      this.root = root;
      this.cur = root as unknown as Composite;
      this.open[0] = this.cur;
      this.kids[0] = root.content;
    }
    let doc: AstObj;
    try {
      doc = this.parseDocument();
    } catch {
      // FAIL, or a stack overflow on absurdly nested text: Langium's parser decides.
      for (const k of this.kids) k.length = 0;
      this.open.length = 0;
      this.release();
      return undefined;
    }
    if (!this.lazy && this.hpos < this.buf.hCount) this.placeHidden(this.hiddenBefore(Infinity));
    this.open.length = 0;
    this.kids[0] = [];
    this.text = '';
    this.release();
    return { value: doc as unknown as Document, lexerErrors: [], lexerReport: { diagnostics: [] }, parserErrors: [] };
  }

  /** Drops the parse's last nodes, which would otherwise keep its CST alive. */
  private release(): void {
    this.root = undefined as unknown as RootCstNodeImpl;
    this.cur = undefined as unknown as Composite;
    this.lastName = undefined as unknown as Composite;
    this.lastLeaf = undefined as unknown as LeafCstNodeImpl;
  }

  // ---- CST building, as NasCstNodeBuilder does it ----

  /** NasCstNodeBuilder.buildCompositeNode. */
  private comp(feature: Feature): Composite {
    // AST-only: nothing to open (the depth stays 0, so `pop` does nothing either).
    if (this.lazy) return this.cur;
    const node = new FastComposite(feature, this.root, this.cur);
    this.kids[this.depth]!.push(node as unknown as CstNode);
    const d = ++this.depth;
    this.open[d] = node;
    if (this.kids[d] === undefined) this.kids[d] = [];
    this.cur = node;
    return node;
  }

  /** The current node is done; popping the root leaves the root current (as Langium's builder). */
  private pop(): void {
    const d = this.depth;
    if (d === 0) return;
    const kids = this.kids[d]!;
    // Most composite nodes have one child (setting `length` is a slow runtime call).
    if (kids.length === 1) this.cur.content = [kids.pop()!];
    else {
      this.cur.content = kids.slice();
      kids.length = 0;
    }
    this.depth = d - 1;
    this.cur = this.open[d - 1]!;
  }

  /**
   * Consumes the current token as a leaf of the current node (kept as `lastLeaf`); returns the
   * token's index, which is all that the AST needs of it (`image`).
   */
  private leaf(feature: Feature): number {
    const p = this.pos;
    if (this.lazy) {
      this.pos = p + 1;
      return p;
    }
    const b = this.buf;
    const start = b.starts[p]!;
    if (this.hpos < b.hCount && b.hStarts[this.hpos]! < start) this.placeHidden(this.hiddenBefore(start));
    const length = b.ends[p]! - start;
    const line = b.lines[p]! - 1;
    const character = b.cols[p]! - 1;
    const leaf = new FastLeaf(start, length, line, character, line, character + length, this.tokenTypes[b.kinds[p]!]!, false);
    const m = leaf as unknown as MutableLeaf;
    m.grammarSource = feature;
    m.root = this.root;
    m.container = this.cur;
    this.kids[this.depth]!.push(leaf);
    this.lastLeaf = leaf;
    this.pos = p + 1;
    return p;
  }

  private expect(kind: number, feature: Feature): number {
    if (this.buf.kinds[this.pos] !== kind) throw FAIL;
    return this.leaf(feature);
  }

  /**
   * The text of token `p`. Short texts repeat (names, small numbers): they come from a small
   * table of earlier ones where the same, rather than as a new string per token.
   */
  private image(p: number): string {
    const text = this.text;
    const start = this.buf.starts[p]!;
    const length = this.buf.ends[p]! - start;
    if (length > 24) return text.slice(start, start + length);
    let hash = length;
    for (let i = start; i < start + length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
    const slot = hash & (INTERNED - 1);
    const known = this.interned[slot];
    if (known !== undefined && known.length === length && text.startsWith(known, start)) return known;
    const image = text.slice(start, start + length);
    this.interned[slot] = image;
    return image;
  }

  /**
   * The value of an assigned ID, NUMBER or STRING token `p`, the last one consumed, as the value
   * converter gives it.
   */
  private tokenValue(p: number, kind: number): unknown {
    const image = this.image(p);
    if (!this.defaultConverter) return this.converter.convert(image, this.lastLeaf);
    // DefaultValueConverter: ID drops a leading '^' (which no ID has here), NUMBER returns a
    // string, STRING is unquoted and unescaped.
    return kind === T_STRING ? ValueConverter.convertString(image) : image;
  }

  /** Hidden leaves for the comments before offset `before`. */
  private hiddenBefore(before: number): LeafCstNodeImpl[] {
    const b = this.buf;
    const nodes: LeafCstNodeImpl[] = [];
    let h = this.hpos;
    while (h < b.hCount && b.hStarts[h]! < before) {
      const start = b.hStarts[h]!;
      const leaf = new FastLeaf(
        start,
        b.hEnds[h]! - start,
        b.hLines[h]! - 1,
        b.hCols[h]! - 1,
        b.hEndLines[h]! - 1,
        b.hEndCols[h]!,
        this.tokenTypes[b.hKinds[h]!]!,
        true,
      );
      (leaf as unknown as MutableLeaf).root = this.root;
      nodes.push(leaf);
      h++;
    }
    this.hpos = h;
    return nodes;
  }

  /**
   * NasCstNodeBuilder.addHiddenNodes: into the current node if it has content, else before the
   * first open ancestor that is not its parent's first child, else at the start of the root.
   * (An open node's container is the open node below it.)
   */
  private placeHidden(nodes: LeafCstNodeImpl[]): void {
    if (nodes.length === 0) return;
    let d = this.depth;
    if (this.kids[d]!.length > 0) {
      for (const n of nodes) (n as unknown as MutableLeaf).container = this.open[d]!;
      this.kids[d]!.push(...nodes);
      return;
    }
    while (d > 0) {
      const index = this.kids[d - 1]!.indexOf(this.open[d] as unknown as CstNode);
      if (index > 0) {
        for (const n of nodes) (n as unknown as MutableLeaf).container = this.open[d - 1]!;
        this.kids[d - 1]!.splice(index, 0, ...nodes);
        return;
      }
      d--;
    }
    const root = this.root as unknown as Composite;
    for (const n of nodes) (n as unknown as MutableLeaf).container = root;
    this.root.content.unshift(...nodes);
  }

  // ---- AST building, as LangiumParser does it ----

  /** The end of a rule (`construct`): the current CST node takes the AST node. */
  private finish(node: AstObj, defaults: Array<[string, unknown]> | undefined): AstObj {
    if (!this.lazy) {
      const c = this.cur;
      c.astNode = node;
      node.$cstNode = c as unknown as CstNode;
      this.pop();
    }
    if (defaults !== undefined) applyDefaults(node, defaults);
    return node;
  }

  /**
   * The end of a rule whose body is one unassigned rule call (`Statement: Let | ... | Node`):
   * the result loses its CST node (`assignWithoutOverride`) and takes the caller's.
   */
  private finishUnassigned(node: AstObj): AstObj {
    if (this.lazy) return node;
    (node.$cstNode as unknown as Composite).astNode = undefined;
    node.$cstNode = undefined;
    return this.finish(node, undefined);
  }

  /** `finish` with the defaults of the node's type (kept on its prototype: see TYPE_DEFAULTS). */
  private finishTyped(node: AstObj): AstObj {
    return this.finish(node, (node as unknown as { [TYPE_DEFAULTS]?: Array<[string, unknown]> })[TYPE_DEFAULTS]);
  }

  // ---- rules ----

  private parseDocument(): AstObj {
    const g = this.g;
    const kinds = this.buf.kinds;
    const doc: AstObj = this.make('Document');
    for (;;) {
      const k = kinds[this.pos]!;
      if (k === K_IMPORT) {
        this.comp(g.documentImport);
        const imp: AstObj = this.make('Import');
        this.leaf(g.importKeyword);
        const path = this.expect(T_STRING, g.importPath);
        imp.path = this.tokenValue(path, T_STRING);
        pushChild(doc, 'imports', this.finishTyped(imp));
      } else if (DEFINITION_FIRST[k] === 1 || k === K_LET || k === K_SEARCH) {
        this.comp(g.documentElement);
        const el =
          DEFINITION_FIRST[k] === 1 ? this.parseDefinition(g.elementDefinition) : k === K_LET ? this.parseLet(g.elementLet) : this.parseSearch(g.elementSearch);
        pushChild(doc, 'elements', this.finishUnassigned(el));
      } else break;
    }
    if (kinds[this.pos] !== T_EOF) throw FAIL;
    return this.finishTyped(doc);
  }

  private parseDefinition(feature: Feature): AstObj {
    const g = this.g;
    const kinds = this.buf.kinds;
    this.comp(feature);
    const node: AstObj = this.make('Definition');
    node.kind = this.parseKeywordDatatype(g.definitionKind, g.definitionKinds);
    node.name = this.parseName(g.definitionName);
    if (kinds[this.pos] === K_LPAREN) {
      this.leaf(g.definitionLParen);
      if (PARAM_FIRST[kinds[this.pos]!] === 1) {
        pushChild(node, 'params', this.parseParam(g.definitionParam1));
        while (kinds[this.pos] === K_COMMA) {
          this.leaf(g.definitionComma);
          pushChild(node, 'params', this.parseParam(g.definitionParam2));
        }
        trimList(node, 'params');
      }
      this.expect(K_RPAREN, g.definitionRParen);
    }
    if (kinds[this.pos] === K_LBRACE) {
      this.leaf(g.definitionLBrace);
      while (STATEMENT_FIRST[kinds[this.pos]!] === 1) pushChild(node, 'body', this.parseStatement(g.definitionBody));
      this.expect(K_RBRACE, g.definitionRBrace);
    }
    return this.finishTyped(node);
  }

  /** A data-type rule whose alternatives are keywords (DefinitionKind, TypeName, CompareOp). */
  private parseKeywordDatatype(feature: Feature, table: Feature[]): unknown {
    const c = this.comp(feature);
    const k = this.buf.kinds[this.pos]!;
    const f = table[k];
    if (f === undefined) throw FAIL;
    this.leaf(f);
    this.pop();
    const value = KEYWORDS[k - KW_BASE]!;
    return this.defaultConverter ? value : this.converter.convert(value, c as unknown as CstNode);
  }

  /** The data-type rule Name: ID or a type name. */
  private parseName(feature: Feature): unknown {
    const c = this.comp(feature);
    const k = this.buf.kinds[this.pos]!;
    let value: string;
    if (k === T_ID) {
      value = this.image(this.leaf(this.g.nameId));
      if (!this.defaultConverter) value = String(this.converter.convert(value, this.lastLeaf));
    } else {
      const f = this.g.nameKeywords[k];
      if (f === undefined) throw FAIL;
      this.leaf(f);
      value = KEYWORDS[k - KW_BASE]!;
    }
    this.pop();
    this.lastName = c;
    return this.defaultConverter ? value : this.converter.convert(value, c as unknown as CstNode);
  }

  private parseParam(feature: Feature): AstObj {
    const g = this.g;
    const kinds = this.buf.kinds;
    this.comp(feature);
    const node: AstObj = this.make('Param');
    if (kinds[this.pos] === K_STAR) {
      this.leaf(g.paramStar);
      node.variadic = true;
    }
    node.name = this.parseName(g.paramName);
    if (kinds[this.pos] === K_COLON) {
      this.leaf(g.paramColon);
      node.type = this.parseKeywordDatatype(g.paramType, g.typeNames);
    }
    if (kinds[this.pos] === K_EQ) {
      this.leaf(g.paramEq);
      setChild(node, 'default', this.parseExpr(g.paramDefault));
    }
    return this.finishTyped(node);
  }

  private parseLet(feature: Feature): AstObj {
    const g = this.g;
    this.comp(feature);
    const node: AstObj = this.make('Let');
    this.expect(K_LET, g.letKeyword);
    node.name = this.parseName(g.letName);
    this.expect(K_EQ, g.letEq);
    setChild(node, 'value', this.parseExpr(g.letValue));
    return this.finishTyped(node);
  }

  private parseStatement(feature: Feature): AstObj {
    const g = this.g;
    this.comp(feature);
    const k = this.buf.kinds[this.pos]!;
    let node: AstObj;
    if (k === K_LET) node = this.parseLet(g.statementLet);
    else if (k === K_INPUT) node = this.parseInput(g.statementInput);
    else if (k === K_OUTPUT) node = this.parseOutput(g.statementOutput);
    else if (k === K_FOR) node = this.parseFor(g.statementFor);
    else node = this.parseNode(g.statementNode);
    return this.finishUnassigned(node);
  }

  private parseInput(feature: Feature): AstObj {
    const g = this.g;
    const kinds = this.buf.kinds;
    this.comp(feature);
    const node: AstObj = this.make('InputStmt');
    this.expect(K_INPUT, g.inputKeyword);
    const k = kinds[this.pos]!;
    if (k === K_LPAREN) {
      this.leaf(g.inputLParen);
      pushChild(node, 'dims', this.parseExpr(g.inputDim1));
      while (kinds[this.pos] === K_COMMA) {
        this.leaf(g.inputDimComma);
        pushChild(node, 'dims', this.parseExpr(g.inputDim2));
      }
      trimList(node, 'dims');
      this.expect(K_RPAREN, g.inputRParen);
    } else if (NAME_FIRST[k] === 1) {
      pushChild(node, 'names', this.parseNamed('InputName', g.inputName1, g.inputNameName));
      while (kinds[this.pos] === K_COMMA) {
        this.leaf(g.inputNameComma);
        pushChild(node, 'names', this.parseNamed('InputName', g.inputName2, g.inputNameName));
      }
      trimList(node, 'names');
    } else throw FAIL;
    return this.finishTyped(node);
  }

  /** InputName and LoopVar: `name=Name`. */
  private parseNamed(type: string, feature: Feature, nameFeature: Feature): AstObj {
    this.comp(feature);
    const node: AstObj = this.make(type);
    node.name = this.parseName(nameFeature);
    return this.finishTyped(node);
  }

  private parseOutput(feature: Feature): AstObj {
    this.comp(feature);
    const node: AstObj = this.make('OutputStmt');
    this.expect(K_OUTPUT, this.g.outputKeyword);
    setChild(node, 'value', this.parseExpr(this.g.outputValue));
    return this.finishTyped(node);
  }

  private parseFor(feature: Feature): AstObj {
    const g = this.g;
    const kinds = this.buf.kinds;
    this.comp(feature);
    const node: AstObj = this.make('ForStmt');
    this.expect(K_FOR, g.forKeyword);
    setChild(node, 'variable', this.parseNamed('LoopVar', g.forVariable, g.loopVarName));
    this.expect(K_IN, g.forIn);
    setChild(node, 'iterable', this.parseExpr(g.forIterable));
    this.expect(K_LBRACE, g.forLBrace);
    while (STATEMENT_FIRST[kinds[this.pos]!] === 1) pushChild(node, 'body', this.parseStatement(g.forBody));
    this.expect(K_RBRACE, g.forRBrace);
    return this.finishTyped(node);
  }

  private parseNode(feature: Feature): AstObj {
    const g = this.g;
    const kinds = this.buf.kinds;
    this.comp(feature);
    const node: AstObj = this.make('Node');
    if (NAME_FIRST[kinds[this.pos]!] === 1 && kinds[this.pos + 1] === K_EQ) {
      node.name = this.parseName(g.nodeName);
      this.leaf(g.nodeEq);
    }
    setChild(node, 'value', this.parseExpr(g.nodeValue));
    return this.finishTyped(node);
  }

  private parseSearch(feature: Feature): AstObj {
    const g = this.g;
    const kinds = this.buf.kinds;
    this.comp(feature);
    const node: AstObj = this.make('Search');
    this.expect(K_SEARCH, g.searchKeyword);
    node.name = this.tokenValue(this.expect(T_ID, g.searchName), T_ID);
    this.expect(K_LBRACE, g.searchLBrace);
    while (SEARCH_ITEM_FIRST[kinds[this.pos]!] === 1) pushChild(node, 'items', this.parseSearchItem(g.searchItems));
    this.expect(K_RBRACE, g.searchRBrace);
    return this.finishTyped(node);
  }

  private parseSearchItem(feature: Feature): AstObj {
    const g = this.g;
    const kinds = this.buf.kinds;
    this.comp(feature);
    const k = kinds[this.pos]!;
    let node: AstObj;
    if (k === K_SPACE) {
      this.comp(g.itemSpace);
      node = this.make('SpaceItem');
      this.leaf(g.spaceKeyword);
      const value = this.tokenValue(this.expect(T_ID, g.spaceRef), T_ID);
      node.space = this.reference(node, 'space', this.lastLeaf, value);
      this.finishTyped(node);
    } else if (k === K_STRATEGY) {
      node = this.parseNamedCall('StrategyItem', g.itemStrategy, g.strategy);
    } else if (k === K_EVALUATOR) {
      node = this.parseNamedCall('EvaluatorItem', g.itemEvaluator, g.evaluator);
    } else if (k === K_MAXIMIZE || k === K_MINIMIZE) {
      this.comp(g.itemObjective);
      node = this.make('ObjectiveItem');
      this.leaf(k === K_MAXIMIZE ? g.objectiveMaximize : g.objectiveMinimize);
      node.direction = k === K_MAXIMIZE ? 'maximize' : 'minimize';
      node.metric = this.tokenValue(this.expect(T_ID, g.objectiveMetric), T_ID);
      this.finishTyped(node);
    } else if (k === K_CONSTRAINT) {
      this.comp(g.itemConstraint);
      node = this.make('ConstraintItem');
      this.leaf(g.constraintKeyword);
      node.metric = this.tokenValue(this.expect(T_ID, g.constraintMetric), T_ID);
      node.op = this.parseKeywordDatatype(g.constraintOp, g.compareOps);
      setChild(node, 'value', this.parseExpr(g.constraintValue));
      this.finishTyped(node);
    } else if (k === K_BUDGET) {
      this.comp(g.itemBudget);
      node = this.make('BudgetItem');
      this.leaf(g.budgetKeyword);
      if (this.isBudgetArgs()) {
        this.leaf(g.budgetLParen);
        pushChild(node, 'args', this.parseArg(g.budgetArg1));
        while (kinds[this.pos] === K_COMMA) {
          this.leaf(g.budgetComma);
          pushChild(node, 'args', this.parseArg(g.budgetArg2));
        }
        trimList(node, 'args');
        this.expect(K_RPAREN, g.budgetRParen);
      } else setChild(node, 'value', this.parseExpr(g.budgetValue));
      this.finishTyped(node);
    } else {
      this.comp(g.itemSeed);
      node = this.make('SeedItem');
      this.expect(K_SEED, g.seedKeyword);
      setChild(node, 'value', this.parseExpr(g.seedValue));
      this.finishTyped(node);
    }
    return this.finishUnassigned(node);
  }

  /**
   * BudgetItem's `value=Expr | '(' args+=Arg (',' args+=Arg)* ')'`: both may start with '('.
   * Langium's ALL(*) prediction follows both until one fails and takes the expression where
   * both parse (`budget (3)`). A parenthesized expression has no ',' directly inside and
   * does not start with `name =`, while argument lists are nothing else, so: arguments iff
   * the parenthesis holds a ',' at its own level or starts with a name and '='.
   */
  private isBudgetArgs(): boolean {
    const kinds = this.buf.kinds;
    let p = this.pos;
    if (kinds[p] !== K_LPAREN) return false;
    if (NAME_FIRST[kinds[p + 1]!] === 1 && kinds[p + 2] === K_EQ) return true;
    let depth = 0;
    for (; kinds[p] !== T_EOF; p++) {
      const k = kinds[p];
      if (k === K_LPAREN || k === K_LBRACKET) depth++;
      else if (k === K_RPAREN || k === K_RBRACKET) {
        if (--depth === 0) return false;
      } else if (k === K_COMMA && depth === 1) return true;
    }
    return false;
  }

  /** StrategyItem and EvaluatorItem: keyword, `name=ID`, optional argument list. */
  private parseNamedCall(type: string, feature: Feature, f: NamedCallElements): AstObj {
    const kinds = this.buf.kinds;
    this.comp(feature);
    const node: AstObj = this.make(type);
    this.leaf(f.keyword);
    node.name = this.tokenValue(this.expect(T_ID, f.name), T_ID);
    if (kinds[this.pos] === K_LPAREN) {
      this.leaf(f.lParen);
      if (EXPR_FIRST[kinds[this.pos]!] === 1) {
        pushChild(node, 'args', this.parseArg(f.arg1));
        while (kinds[this.pos] === K_COMMA) {
          this.leaf(f.comma);
          pushChild(node, 'args', this.parseArg(f.arg2));
        }
        trimList(node, 'args');
      }
      this.expect(K_RPAREN, f.rParen);
    }
    return this.finishTyped(node);
  }

  private parseArg(feature: Feature): AstObj {
    const g = this.g;
    const kinds = this.buf.kinds;
    this.comp(feature);
    const node: AstObj = this.make('Arg');
    if (NAME_FIRST[kinds[this.pos]!] === 1 && kinds[this.pos + 1] === K_EQ) {
      node.name = this.parseName(g.argName);
      this.leaf(g.argEq);
    }
    setChild(node, 'value', this.parseExpr(g.argValue));
    return this.finishTyped(node);
  }

  /** `Expr: BinaryExpr;` and the infix rule BinaryExpr on Postfix. */
  private parseExpr(feature: Feature): AstObj {
    const g = this.g;
    const kinds = this.buf.kinds;
    this.comp(feature);
    const infix = this.comp(g.exprBinary);
    const first = this.parsePostfix(g.infixPart1);
    let result: AstObj;
    if (this.precedence[kinds[this.pos]!]! < 0) {
      this.pop();
      result = first;
    } else {
      const parts = [first];
      const operators: number[] = [];
      const values: unknown[] = [];
      for (let k = kinds[this.pos]!; this.precedence[k]! >= 0; k = kinds[this.pos]!) {
        const p = this.leaf(g.infixOperator);
        operators.push(k);
        // The leaf's grammar source is the infix rule's operator assignment, which the default
        // converter passes through.
        values.push(this.defaultConverter ? KEYWORDS[k - KW_BASE] : this.converter.convert(this.image(p), this.lastLeaf));
        parts.push(this.parsePostfix(g.infixPart2));
      }
      this.pop();
      result = this.buildInfix(parts, operators, values, 0, parts.length - 1, infix);
    }
    // Expr's unassigned call of BinaryExpr.
    return this.finishUnassigned(result);
  }

  /** Langium's `constructInfix` over parts[lo..hi]: split at the loosest, rightmost operator. */
  private buildInfix(parts: AstObj[], operators: number[], values: unknown[], lo: number, hi: number, cst: Composite): AstObj {
    if (lo === hi) return parts[lo]!;
    let at = lo;
    let loosest = -1;
    for (let i = lo; i < hi; i++) {
      const p = this.precedence[operators[i]!]!;
      if (p > loosest) {
        loosest = p;
        at = i;
      } else if (p === loosest && this.rightAssoc[operators[i]!] === 0) at = i;
    }
    const left = this.buildInfix(parts, operators, values, lo, at, cst);
    const right = this.buildInfix(parts, operators, values, at + 1, hi, cst);
    const node = this.make('BinaryExpr');
    if (!this.lazy) node.$cstNode = cst as unknown as CstNode;
    node.left = left;
    node.operator = values[at];
    node.right = right;
    left.$container = node;
    right.$container = node;
    return node;
  }

  /** Postfix: Primary followed by calls, members and indexes (tree-rewriting actions). */
  private parsePostfix(feature: Feature): AstObj {
    const g = this.g;
    const kinds = this.buf.kinds;
    this.comp(feature);
    let node = this.parsePrimary(g.postfixPrimary);
    const lazy = this.lazy;
    if (!lazy) {
      (node.$cstNode as unknown as Composite).astNode = undefined;
      node.$cstNode = undefined;
    }
    for (let k = kinds[this.pos]!; k === K_LPAREN || k === K_DOT || k === K_LBRACKET; k = kinds[this.pos]!) {
      // The action finishes the current node and moves its CST node into a new composite
      // (whose `container` Langium's builder leaves stale; linkContainers fixes it later).
      const done = this.cur;
      this.finishTyped(node);
      if (!lazy) {
        // Its parent is the current node now.
        const content = this.kids[this.depth]!;
        if (content[content.length - 1] === (done as unknown as CstNode)) content.pop();
        else {
          const i = content.indexOf(done as unknown as CstNode);
          if (i >= 0) content.splice(i, 1);
        }
      }
      let next: AstObj;
      if (k === K_LPAREN) {
        this.comp(g.callAction);
        if (!lazy) this.kids[this.depth]!.push(done as unknown as CstNode);
        next = this.make('Call');
        setChild(next, 'callee', node);
        this.leaf(g.callLParen);
        if (EXPR_FIRST[kinds[this.pos]!] === 1) {
          pushChild(next, 'args', this.parseArg(g.callArg1));
          while (kinds[this.pos] === K_COMMA) {
            this.leaf(g.callComma);
            pushChild(next, 'args', this.parseArg(g.callArg2));
          }
          trimList(next, 'args');
        }
        this.expect(K_RPAREN, g.callRParen);
      } else if (k === K_DOT) {
        this.comp(g.memberAction);
        if (!lazy) this.kids[this.depth]!.push(done as unknown as CstNode);
        next = this.make('Member');
        setChild(next, 'receiver', node);
        this.leaf(g.memberDot);
        next.member = this.parseName(g.memberName);
      } else {
        this.comp(g.indexAction);
        if (!lazy) this.kids[this.depth]!.push(done as unknown as CstNode);
        next = this.make('Index');
        setChild(next, 'receiver', node);
        this.leaf(g.indexLBracket);
        setChild(next, 'index', this.parseExpr(g.indexExpr));
        this.expect(K_RBRACKET, g.indexRBracket);
      }
      node = next;
    }
    return this.finishTyped(node);
  }

  private parsePrimary(feature: Feature): AstObj {
    const g = this.g;
    const kinds = this.buf.kinds;
    this.comp(feature);
    const k = kinds[this.pos]!;
    let node: AstObj;
    if (k === T_NUMBER) {
      node = this.make('NumberLit');
      node.value = this.tokenValue(this.leaf(g.numberValue), T_NUMBER);
    } else if (NAME_FIRST[k] === 1) {
      node = this.make('Ref');
      const name = this.parseName(g.refTarget);
      node.target = this.reference(node, 'target', this.lastName, name);
    } else if (k === K_LPAREN) {
      node = this.make('Paren');
      this.leaf(g.parenLParen);
      setChild(node, 'inner', this.parseExpr(g.parenInner));
      this.expect(K_RPAREN, g.parenRParen);
    } else if (k === T_STRING) {
      node = this.make('StringLit');
      node.value = this.tokenValue(this.leaf(g.stringValue), T_STRING);
    } else if (k === K_TRUE || k === K_FALSE) {
      node = this.make('BoolLit');
      this.leaf(k === K_TRUE ? g.boolTrue : g.boolFalse);
      node.value = k === K_TRUE ? 'true' : 'false';
    } else if (k === K_LBRACKET) {
      node = this.make('ListLit');
      this.leaf(g.listLBracket);
      if (EXPR_FIRST[kinds[this.pos]!] === 1) {
        pushChild(node, 'items', this.parseExpr(g.listItem1));
        while (kinds[this.pos] === K_COMMA) {
          this.leaf(g.listComma);
          pushChild(node, 'items', this.parseExpr(g.listItem2));
        }
        trimList(node, 'items');
      }
      this.expect(K_RBRACKET, g.listRBracket);
    } else if (k === K_MINUS || k === K_NOT) {
      node = this.make('Unary');
      this.leaf(k === K_MINUS ? g.unaryMinus : g.unaryNot);
      node.op = k === K_MINUS ? '-' : 'not';
      setChild(node, 'operand', this.parsePostfix(g.unaryOperand));
    } else if (k === K_IF) {
      node = this.make('IfExpr');
      this.leaf(g.ifKeyword);
      setChild(node, 'condition', this.parseExpr(g.ifCondition));
      this.expect(K_THEN, g.ifThenKeyword);
      setChild(node, 'then', this.parseExpr(g.ifThen));
      this.expect(K_ELSE, g.ifElseKeyword);
      setChild(node, 'else', this.parseExpr(g.ifElse));
    } else throw FAIL;
    return this.finishTyped(node);
  }

  /**
   * Langium's `assign` of a cross-reference: a reference for a string, else the value. An
   * AST-only parse gives the reference no CST node (NasReference reads it on demand).
   */
  private reference(node: AstObj, property: string, refNode: Composite | LeafCstNodeImpl, value: unknown): unknown {
    if (typeof value !== 'string') return value;
    return this.linker.buildReference(node as never, property, this.lazy ? undefined : (refNode as unknown as CstNode), value) as Reference;
  }

  /** A new AST node of type `$type` (with LAZY_AST_PROTOTYPE in an AST-only parse; see astConstructorFor). */
  private make($type: string): AstObj {
    const table = this.lazy ? this.lazyConstructors : this.constructors;
    let C = table.get($type);
    if (C === undefined) {
      // Not a type of the grammar's reflection (none is): room for ten fields.
      C = astConstructorFor($type, 10, this.lazy);
      table.set($type, C);
    }
    return new C();
  }
}

function applyDefaults(node: AstObj, defaults: Array<[string, unknown]>): void {
  for (let i = 0; i < defaults.length; i++) {
    const [name, value] = defaults[i]!;
    if (node[name] === undefined) node[name] = copyDefault(value);
  }
}

function copyDefault(value: unknown): unknown {
  return Array.isArray(value) ? value.map(copyDefault) : value;
}

/** `obj.prop = child`, with the container `linkContentToContainer` would set (the rest is derived: containerSlot). */
function setChild(obj: AstObj, prop: string, child: AstObj): void {
  obj[prop] = child;
  child.$container = obj;
}

/**
 * Replaces the list `obj.prop` by an exact-size copy: a list grown by `push` keeps room for 17
 * elements, and an argument list has one to three (4,000 of them in a 5,000-line file).
 */
function trimList(obj: AstObj, prop: string): void {
  const list = obj[prop] as AstObj[] | undefined;
  if (list !== undefined && list.length > 1) obj[prop] = list.slice();
}

/** `obj.prop += child`. */
function pushChild(obj: AstObj, prop: string, child: AstObj): void {
  const list = obj[prop] as AstObj[] | undefined;
  child.$container = obj;
  if (list === undefined) {
    // A literal has room for its one element only (most lists have one: see trimList).
    obj[prop] = [child];
    return;
  }
  list.push(child);
}

interface NamedCallElements {
  keyword: Feature;
  name: Feature;
  lParen: Feature;
  arg1: Feature;
  comma: Feature;
  arg2: Feature;
  rParen: Feature;
}

/**
 * The parts of the infix rule that Langium makes up when it builds the parser (the part and
 * operator assignments, langium/lib/parser/parser-builder-base.js) are in no grammar: read
 * them off a CST of Langium's own parser.
 */
function findInfixElements(services: LangiumCoreServices): { part1: Feature; operator: Feature; part2: Feature } {
  const result = services.parser.LangiumParser.parse('let a = 1 + 2');
  let part1: Feature | undefined;
  let operator: Feature | undefined;
  let part2: Feature | undefined;
  const visit = (node: CstNode): void => {
    const source = node.grammarSource as (Feature & { feature?: string }) | undefined;
    if (source?.$type === 'Assignment' && source.feature === 'parts') {
      if (part1 === undefined) part1 = source;
      else if (source !== part1) part2 = source;
    }
    if (source?.$type === 'Assignment' && source.feature === 'operators') operator = source;
    for (const child of (node as { content?: CstNode[] }).content ?? []) visit(child);
  };
  if (result.value.$cstNode) visit(result.value.$cstNode);
  if (!part1 || !operator || !part2 || result.parserErrors.length > 0) throw new Error('fast parser: no infix rule elements');
  return { part1, operator, part2 };
}

/** A grammar element not known yet: only an AST-only parse, which makes no CST node, sees it. */
const NO_FEATURE = Object.freeze({ $type: 'Keyword' }) as unknown as Feature;

/** The grammar elements the CST nodes point to (the infix rule's come with prepareCst). */
function findElements(e: GrammarElements) {
  const namedCall = (rule: string, keyword: string): NamedCallElements => ({
    keyword: e.keyword(rule, 'e0', keyword),
    name: e.call(rule, 'e1.t', 'ID'),
    lParen: e.keyword(rule, 'e2.e0', '('),
    arg1: e.call(rule, 'e2.e1.e0.t', 'Arg'),
    comma: e.keyword(rule, 'e2.e1.e1.e0', ','),
    arg2: e.call(rule, 'e2.e1.e1.e1.t', 'Arg'),
    rParen: e.keyword(rule, 'e2.e2', ')'),
  });
  return {
    documentImport: e.call('Document', 'e0.t', 'Import'),
    documentElement: e.call('Document', 'e1.t', 'Element'),
    importKeyword: e.keyword('Import', 'e0', 'import'),
    importPath: e.call('Import', 'e1.t', 'STRING'),
    elementDefinition: e.call('Element', 'e0', 'Definition'),
    elementLet: e.call('Element', 'e1', 'Let'),
    elementSearch: e.call('Element', 'e2', 'Search'),
    definitionKind: e.call('Definition', 'e0.t', 'DefinitionKind'),
    definitionKinds: e.keywordTable('DefinitionKind', '', 0, DEFINITION_KINDS),
    definitionName: e.call('Definition', 'e1.t', 'Name'),
    definitionLParen: e.keyword('Definition', 'e2.e0', '('),
    definitionParam1: e.call('Definition', 'e2.e1.e0.t', 'Param'),
    definitionComma: e.keyword('Definition', 'e2.e1.e1.e0', ','),
    definitionParam2: e.call('Definition', 'e2.e1.e1.e1.t', 'Param'),
    definitionRParen: e.keyword('Definition', 'e2.e2', ')'),
    definitionLBrace: e.keyword('Definition', 'e3.e0', '{'),
    definitionBody: e.call('Definition', 'e3.e1.t', 'Statement'),
    definitionRBrace: e.keyword('Definition', 'e3.e2', '}'),
    paramStar: e.keyword('Param', 'e0.t', '*'),
    paramName: e.call('Param', 'e1.t', 'Name'),
    paramColon: e.keyword('Param', 'e2.e0', ':'),
    paramType: e.call('Param', 'e2.e1.t', 'TypeName'),
    typeNames: e.keywordTable('TypeName', '', 0, TYPE_NAMES),
    paramEq: e.keyword('Param', 'e3.e0', '='),
    paramDefault: e.call('Param', 'e3.e1.t', 'Expr'),
    nameId: e.call('Name', 'e0', 'ID'),
    nameKeywords: e.keywordTable('Name', '', 1, TYPE_NAMES),
    letKeyword: e.keyword('Let', 'e0', 'let'),
    letName: e.call('Let', 'e1.t', 'Name'),
    letEq: e.keyword('Let', 'e2', '='),
    letValue: e.call('Let', 'e3.t', 'Expr'),
    statementLet: e.call('Statement', 'e0', 'Let'),
    statementInput: e.call('Statement', 'e1', 'InputStmt'),
    statementOutput: e.call('Statement', 'e2', 'OutputStmt'),
    statementFor: e.call('Statement', 'e3', 'ForStmt'),
    statementNode: e.call('Statement', 'e4', 'Node'),
    inputKeyword: e.keyword('InputStmt', 'e0', 'input'),
    inputLParen: e.keyword('InputStmt', 'e1.e0.e0', '('),
    inputDim1: e.call('InputStmt', 'e1.e0.e1.t', 'Expr'),
    inputDimComma: e.keyword('InputStmt', 'e1.e0.e2.e0', ','),
    inputDim2: e.call('InputStmt', 'e1.e0.e2.e1.t', 'Expr'),
    inputRParen: e.keyword('InputStmt', 'e1.e0.e3', ')'),
    inputName1: e.call('InputStmt', 'e1.e1.e0.t', 'InputName'),
    inputNameComma: e.keyword('InputStmt', 'e1.e1.e1.e0', ','),
    inputName2: e.call('InputStmt', 'e1.e1.e1.e1.t', 'InputName'),
    inputNameName: e.call('InputName', 't', 'Name'),
    outputKeyword: e.keyword('OutputStmt', 'e0', 'output'),
    outputValue: e.call('OutputStmt', 'e1.t', 'Expr'),
    forKeyword: e.keyword('ForStmt', 'e0', 'for'),
    forVariable: e.call('ForStmt', 'e1.t', 'LoopVar'),
    loopVarName: e.call('LoopVar', 't', 'Name'),
    forIn: e.keyword('ForStmt', 'e2', 'in'),
    forIterable: e.call('ForStmt', 'e3.t', 'Expr'),
    forLBrace: e.keyword('ForStmt', 'e4', '{'),
    forBody: e.call('ForStmt', 'e5.t', 'Statement'),
    forRBrace: e.keyword('ForStmt', 'e6', '}'),
    nodeName: e.call('Node', 'e0.e0.t', 'Name'),
    nodeEq: e.keyword('Node', 'e0.e1', '='),
    nodeValue: e.call('Node', 'e1.t', 'Expr'),
    searchKeyword: e.keyword('Search', 'e0', 'search'),
    searchName: e.call('Search', 'e1.t', 'ID'),
    searchLBrace: e.keyword('Search', 'e2', '{'),
    searchItems: e.call('Search', 'e3.t', 'SearchItem'),
    searchRBrace: e.keyword('Search', 'e4', '}'),
    itemSpace: e.call('SearchItem', 'e0', 'SpaceItem'),
    itemStrategy: e.call('SearchItem', 'e1', 'StrategyItem'),
    itemObjective: e.call('SearchItem', 'e2', 'ObjectiveItem'),
    itemConstraint: e.call('SearchItem', 'e3', 'ConstraintItem'),
    itemEvaluator: e.call('SearchItem', 'e4', 'EvaluatorItem'),
    itemBudget: e.call('SearchItem', 'e5', 'BudgetItem'),
    itemSeed: e.call('SearchItem', 'e6', 'SeedItem'),
    spaceKeyword: e.keyword('SpaceItem', 'e0', 'space'),
    spaceRef: e.at('SpaceItem', 'e1.t', 'CrossReference', 'Definition'),
    strategy: namedCall('StrategyItem', 'strategy'),
    evaluator: namedCall('EvaluatorItem', 'evaluator'),
    objectiveMaximize: e.keyword('ObjectiveItem', 'e0.t.e0', 'maximize'),
    objectiveMinimize: e.keyword('ObjectiveItem', 'e0.t.e1', 'minimize'),
    objectiveMetric: e.call('ObjectiveItem', 'e1.t', 'ID'),
    constraintKeyword: e.keyword('ConstraintItem', 'e0', 'constraint'),
    constraintMetric: e.call('ConstraintItem', 'e1.t', 'ID'),
    constraintOp: e.call('ConstraintItem', 'e2.t', 'CompareOp'),
    compareOps: e.keywordTable('CompareOp', '', 0, COMPARE_OPS),
    constraintValue: e.call('ConstraintItem', 'e3.t', 'Expr'),
    budgetKeyword: e.keyword('BudgetItem', 'e0', 'budget'),
    budgetValue: e.call('BudgetItem', 'e1.e0.t', 'Expr'),
    budgetLParen: e.keyword('BudgetItem', 'e1.e1.e0', '('),
    budgetArg1: e.call('BudgetItem', 'e1.e1.e1.t', 'Arg'),
    budgetComma: e.keyword('BudgetItem', 'e1.e1.e2.e0', ','),
    budgetArg2: e.call('BudgetItem', 'e1.e1.e2.e1.t', 'Arg'),
    budgetRParen: e.keyword('BudgetItem', 'e1.e1.e3', ')'),
    seedKeyword: e.keyword('SeedItem', 'e0', 'seed'),
    seedValue: e.call('SeedItem', 'e1.t', 'Expr'),
    exprBinary: e.call('Expr', '', 'BinaryExpr'),
    infixPart1: NO_FEATURE,
    infixOperator: NO_FEATURE,
    infixPart2: NO_FEATURE,
    postfixPrimary: e.call('Postfix', 'e0', 'Primary'),
    callAction: e.at('Postfix', 'e1.e0.e0', 'Action', 'Call.callee'),
    callLParen: e.keyword('Postfix', 'e1.e0.e1', '('),
    callArg1: e.call('Postfix', 'e1.e0.e2.e0.t', 'Arg'),
    callComma: e.keyword('Postfix', 'e1.e0.e2.e1.e0', ','),
    callArg2: e.call('Postfix', 'e1.e0.e2.e1.e1.t', 'Arg'),
    callRParen: e.keyword('Postfix', 'e1.e0.e3', ')'),
    memberAction: e.at('Postfix', 'e1.e1.e0', 'Action', 'Member.receiver'),
    memberDot: e.keyword('Postfix', 'e1.e1.e1', '.'),
    memberName: e.call('Postfix', 'e1.e1.e2.t', 'Name'),
    indexAction: e.at('Postfix', 'e1.e2.e0', 'Action', 'Index.receiver'),
    indexLBracket: e.keyword('Postfix', 'e1.e2.e1', '['),
    indexExpr: e.call('Postfix', 'e1.e2.e2.t', 'Expr'),
    indexRBracket: e.keyword('Postfix', 'e1.e2.e3', ']'),
    argName: e.call('Arg', 'e0.e0.t', 'Name'),
    argEq: e.keyword('Arg', 'e0.e1', '='),
    argValue: e.call('Arg', 'e1.t', 'Expr'),
    numberValue: e.call('Primary', 'e0.e1.t', 'NUMBER'),
    stringValue: e.call('Primary', 'e1.e1.t', 'STRING'),
    boolTrue: e.keyword('Primary', 'e2.e1.t.e0', 'true'),
    boolFalse: e.keyword('Primary', 'e2.e1.t.e1', 'false'),
    listLBracket: e.keyword('Primary', 'e3.e1', '['),
    listItem1: e.call('Primary', 'e3.e2.e0.t', 'Expr'),
    listComma: e.keyword('Primary', 'e3.e2.e1.e0', ','),
    listItem2: e.call('Primary', 'e3.e2.e1.e1.t', 'Expr'),
    listRBracket: e.keyword('Primary', 'e3.e3', ']'),
    refTarget: e.at('Primary', 'e4.e1.t', 'CrossReference', 'NamedElement'),
    parenLParen: e.keyword('Primary', 'e5.e1', '('),
    parenInner: e.call('Primary', 'e5.e2.t', 'Expr'),
    parenRParen: e.keyword('Primary', 'e5.e3', ')'),
    unaryMinus: e.keyword('Primary', 'e6.e1.t.e0', '-'),
    unaryNot: e.keyword('Primary', 'e6.e1.t.e1', 'not'),
    unaryOperand: e.call('Primary', 'e6.e2.t', 'Postfix'),
    ifKeyword: e.keyword('Primary', 'e7.e1', 'if'),
    ifCondition: e.call('Primary', 'e7.e2.t', 'Expr'),
    ifThenKeyword: e.keyword('Primary', 'e7.e3', 'then'),
    ifThen: e.call('Primary', 'e7.e4.t', 'Expr'),
    ifElseKeyword: e.keyword('Primary', 'e7.e5', 'else'),
    ifElse: e.call('Primary', 'e7.e6.t', 'Expr'),
  };
}

const parsers = new WeakMap<object, FastNasParser | null>();

/**
 * The fast parse of `text` for the language `services`, or undefined where Langium's parser
 * must parse it (errors, over-deep nesting, or a grammar this parser was not written for).
 * With `cst` false it is AST-only where it can be (`isCstPending` tells).
 */
export function parseFast(services: LangiumCoreServices, text: string, cst = true): ParseResult<Document> | undefined {
  let parser = parsers.get(services);
  if (parser === undefined) {
    try {
      parser = new FastNasParser(services);
    } catch {
      parser = null;
    }
    parsers.set(services, parser);
  }
  return parser?.parse(text, cst);
}
