/**
 * The examples mutated token-wise (delete, insert, swap, duplicate, truncate, one construct
 * repeated thousands of times, and the inputs of issue 20: names of up to 200,000 characters,
 * choices over huge ranges and subsets), checked in a headless workspace: parsing never fails
 * (no exception, including exceptions Langium would only log from a validator), every
 * diagnostic lies inside the document with a bounded message, and elaboration stays within its
 * limits, which is what bounds a check's work (invariant 6 of docs/architecture.md). With
 * `analyse`, every space is also analysed within a step budget: it ends with figures or a
 * SpaceAnalysisError, having spent no more than the budget and one run.
 * `test/core/fuzz.test.ts` runs a few hundred documents, `test/core/fuzz.slow.test.ts`
 * thousands, analysed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { URI } from 'langium';
import { expect, vi } from 'vitest';
import type { Definition, Document } from '../../src/core/language/syntax/generated/ast.js';
import { elaborateCached } from '../../src/core/semantics/evaluator/index.js';
import { MAX_NODES, MAX_WORK } from '../../src/core/semantics/evaluator/errors.js';
import { MAX_MESSAGE } from '../../src/core/semantics/suggest.js';
import { AnalysisBudget } from '../../src/core/semantics/analysis-budget.js';
import { computeSpaceStats, SpaceAnalysisError } from '../../src/core/semantics/space.js';
import { NasWorkspace } from '../../src/core/workspace.js';
import { yieldToEventLoop } from './event-loop.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');
const VOCAB = [
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ',',
  '=',
  '->',
  '*',
  '//',
  '..',
  'step',
  'choice',
  'cell',
  'block',
  'space',
  'network',
  'input',
  'output',
  'for',
  'in',
  'if',
  'then',
  'else',
  'conv',
  'add',
  'x',
  'C',
  '0',
  '-1',
  '3',
  '1e9',
  '600M',
  '"s"',
  '#',
  '/*',
  '*/',
  '\n',
  ' ',
  'import',
  '"std/blocks"',
  '"nope"',
  'search',
  'maximize',
  'choose',
  'repeat',
];

function tokenize(text: string): string[] {
  return text.match(/[A-Za-z_]\w*|\d+(?:\.\d+)?[kMGT]?|\s+|->|\/\/|\.\.|[^\s\w]/g) ?? [];
}

const files = fs
  .readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.nas'))
  .map((f) => ({ name: f, tokens: tokenize(fs.readFileSync(path.join(EXAMPLES, f), 'utf8')) }));

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: fc.constantFrom(...VOCAB) }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  // Pathological depth and length: one construct repeated thousands of times (each is a level
  // of recursion somewhere: the parser, the tree builder or the elaborator).
  fc.record({
    kind: fc.constant('repeat' as const),
    at: fc.nat(),
    token: fc.constantFrom('not ', '-', '(', '[', 'if x then ', ' -> relu', ' + 1', '{', 'x.', 'f(', ' else 1', ' -> conv(choice(8, 16), k=1)'),
    times: fc.integer({ min: 100, max: 30_000 }),
  }),
  // A name of up to 200,000 characters in place of a token (a "did you mean" once compared
  // it with every name in scope, unbounded, and echoed it whole).
  fc.record({ kind: fc.constant('long-name' as const), at: fc.nat(), len: fc.integer({ min: 65, max: 200_000 }) }),
  // A choice over a huge range or a huge number of subsets (each took minutes to analyse).
  fc.record({
    kind: fc.constant('huge-choice' as const),
    at: fc.nat(),
    n: fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.constantFrom(100_000, 100_001, 1_000_000)),
    k: fc.integer({ min: 1, max: 40 }),
    subsets: fc.boolean(),
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(tokens: string[], ms: Mutation[]): string {
  const t = [...tokens];
  for (const m of ms) {
    if (t.length === 0) break;
    const at = m.at % t.length;
    switch (m.kind) {
      case 'delete':
        t.splice(at, m.len);
        break;
      case 'insert':
        t.splice(at, 0, m.token);
        break;
      case 'swap': {
        const o = m.other % t.length;
        [t[at], t[o]] = [t[o]!, t[at]!];
        break;
      }
      case 'duplicate':
        t.splice(at, 0, ...t.slice(at, at + m.len));
        break;
      case 'truncate':
        t.length = at;
        break;
      case 'repeat':
        t.splice(at, 0, m.token.repeat(m.times));
        break;
      case 'long-name':
        t[at] = 'n'.repeat(m.len);
        break;
      case 'huge-choice': {
        const options = Math.min(m.n, 60);
        t.splice(at, 0, m.subsets ? `choose(${m.k}, [${Array.from({ length: options }, () => 'relu').join(', ')}])` : `choice(1..${m.n})`);
        break;
      }
    }
  }
  return t.join('');
}

/** The step budget of an analysis in the fuzz runs: small, so that thousands of them finish. */
const FUZZ_ANALYSIS_LIMIT = 2_000_000;

/** Analyses a space within the fuzz budget; returns the steps it spent and its largest run. */
function analyseWithinBudget(def: Definition, text: string): { spent: number; largestRun: number } {
  let spent = 0;
  let largestRun = 0;
  const run = AnalysisBudget.prototype.run;
  const spy = vi.spyOn(AnalysisBudget.prototype, 'run').mockImplementation(function (this: AnalysisBudget, decisions) {
    const r = run.call(this, decisions);
    spent += Math.max(1, r.work);
    largestRun = Math.max(largestRun, r.work);
    return r;
  });
  try {
    computeSpaceStats(def, { workLimit: FUZZ_ANALYSIS_LIMIT });
  } catch (e) {
    expect(e, `analysis of ${def.name} on:\n${text.slice(0, 2000)}`).toBeInstanceOf(SpaceAnalysisError);
  } finally {
    spy.mockRestore();
  }
  return { spent, largestRun };
}

/**
 * Checks `numRuns` mutated examples; returns the largest graph an elaboration made and the
 * most steps an analysis spent (with `analyse`).
 */
export async function checkMutatedExamples(
  numRuns: number,
  seed: number,
  options: { analyse?: boolean } = {},
): Promise<{ runs: number; largestGraph: number; largestAnalysis: number }> {
  const ws = new NasWorkspace();
  const logged: unknown[][] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
  let runs = 0;
  let largestGraph = 0;
  let largestAnalysis = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: files.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (fi, ms) => {
        const text = mutate(files[fi]!.tokens, ms);
        const uri = URI.file(path.join(EXAMPLES, `fuzz-${files[fi]!.name}`));
        const doc = await ws.addText(text, uri);
        runs++;
        expect(
          logged.map((args) => args.map((a) => (a instanceof Error ? a.stack : String(a))).join(' ')),
          `validation threw on:\n${text.slice(0, 2000)}`,
        ).toEqual([]);
        const lines = text.split(/\r?\n/);
        for (const d of ws.diagnostics(doc)) {
          // Bounded whatever the input: a shortened name or a cut message, never a megabyte.
          expect(d.message.length, d.message.slice(0, 200)).toBeLessThanOrEqual(MAX_MESSAGE + 30);
          for (const p of [d.range.start, d.range.end]) {
            expect(p.line, `${d.message}\n${text.slice(0, 2000)}`).toBeGreaterThanOrEqual(0);
            expect(p.line).toBeLessThan(lines.length);
            expect(p.character).toBeGreaterThanOrEqual(0);
            expect(p.character).toBeLessThanOrEqual(lines[p.line]!.length);
          }
        }
        // The work of a check is bounded by sizes: each elaboration stops at the graph limit.
        for (const e of (doc.parseResult.value as Document).elements ?? []) {
          if (e.$type !== 'Definition' || (e.kind !== 'network' && e.kind !== 'space')) continue;
          const size = elaborateCached(e as Definition).graph.size;
          expect(size, `graph of ${e.name} on:\n${text.slice(0, 2000)}`).toBeLessThanOrEqual(MAX_NODES);
          largestGraph = Math.max(largestGraph, size);
          if (options.analyse && e.kind === 'space') {
            // The budget, plus in each of its four stages the one run that crosses it.
            const { spent, largestRun } = analyseWithinBudget(e as Definition, text);
            // A run stops at MAX_WORK, or past it by one replayed instance (itself within it).
            expect(largestRun).toBeLessThanOrEqual(2 * MAX_WORK);
            expect(spent).toBeLessThanOrEqual(FUZZ_ANALYSIS_LIMIT + 4 * largestRun);
            largestAnalysis = Math.max(largestAnalysis, spent);
          }
        }
        await yieldToEventLoop();
      }),
      { numRuns, seed, endOnFailure: true },
    );
  } finally {
    spy.mockRestore();
  }
  return { runs, largestGraph, largestAnalysis };
}
