/**
 * The examples mutated token-wise (delete, insert, swap, duplicate, truncate, and one construct
 * repeated thousands of times), checked in a headless workspace: parsing never fails (no
 * exception, including exceptions Langium would only log from a validator), every diagnostic
 * lies inside the document, and elaboration stays within its limits, which is what bounds a
 * check's work (invariant 6 of docs/architecture.md). `test/core/fuzz.test.ts` runs a few
 * hundred documents, `test/core/fuzz.slow.test.ts` thousands.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { URI } from 'langium';
import { expect, vi } from 'vitest';
import type { Definition, Document } from '../../src/core/language/syntax/generated/ast.js';
import { elaborateCached } from '../../src/core/semantics/evaluator/index.js';
import { MAX_NODES } from '../../src/core/semantics/evaluator/errors.js';
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
    token: fc.constantFrom('not ', '-', '(', '[', 'if x then ', ' -> relu', ' + 1', '{', 'x.', 'f(', ' else 1'),
    times: fc.integer({ min: 100, max: 30_000 }),
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
    }
  }
  return t.join('');
}

/** Checks `numRuns` mutated examples; returns the largest graph an elaboration made. */
export async function checkMutatedExamples(numRuns: number, seed: number): Promise<{ runs: number; largestGraph: number }> {
  const ws = new NasWorkspace();
  const logged: unknown[][] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
  let runs = 0;
  let largestGraph = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: files.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (fi, ms) => {
        const text = mutate(files[fi]!.tokens, ms);
        const uri = URI.file(path.join(EXAMPLES, `fuzz-${files[fi]!.name}`));
        const doc = await ws.addText(text, uri);
        runs++;
        expect(
          logged.map((args) => args.map((a) => (a instanceof Error ? a.stack : String(a))).join(' ')),
          `validation threw on:\n${text}`,
        ).toEqual([]);
        const lines = text.split(/\r?\n/);
        for (const d of ws.diagnostics(doc)) {
          for (const p of [d.range.start, d.range.end]) {
            expect(p.line, `${d.message}\n${text}`).toBeGreaterThanOrEqual(0);
            expect(p.line).toBeLessThan(lines.length);
            expect(p.character).toBeGreaterThanOrEqual(0);
            expect(p.character).toBeLessThanOrEqual(lines[p.line]!.length);
          }
        }
        // The work of a check is bounded by sizes: each elaboration stops at the graph limit.
        for (const e of (doc.parseResult.value as Document).elements ?? []) {
          if (e.$type !== 'Definition' || (e.kind !== 'network' && e.kind !== 'space')) continue;
          const size = elaborateCached(e as Definition).graph.size;
          expect(size, `graph of ${e.name} on:\n${text}`).toBeLessThanOrEqual(MAX_NODES);
          largestGraph = Math.max(largestGraph, size);
        }
        await yieldToEventLoop();
      }),
      { numRuns, seed, endOnFailure: true },
    );
  } finally {
    spy.mockRestore();
  }
  return { runs, largestGraph };
}
