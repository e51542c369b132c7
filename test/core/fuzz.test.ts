/**
 * Robustness: the examples mutated token-wise (delete, insert, swap, duplicate, truncate)
 * thousands of times. Parsing never fails: no exception (including exceptions that Langium
 * would only log from a validator), every document checked in under a second, and every
 * diagnostic inside the document.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { URI } from 'langium';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NasWorkspace } from '../../src/core/workspace.js';

const EXAMPLES = path.resolve(__dirname, '../../examples');
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

describe('fuzzing the examples', () => {
  const ws = new NasWorkspace();
  const logged: unknown[][] = [];
  beforeAll(() => {
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
  });
  afterAll(() => vi.restoreAllMocks());

  it('never throws, never takes a second, never reports outside the document', async () => {
    // Warm up (stdlib, JIT) on the unmutated examples: the bound is for steady-state checking.
    for (const f of files) await ws.addText(f.tokens.join(''), URI.file(path.join(EXAMPLES, `fuzz-${f.name}`)));
    let slowest = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: files.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (fi, ms) => {
        const text = mutate(files[fi]!.tokens, ms);
        const uri = URI.file(path.join(EXAMPLES, `fuzz-${files[fi]!.name}`));
        const start = performance.now();
        const doc = await ws.addText(text, uri);
        const took = performance.now() - start;
        slowest = Math.max(slowest, took);
        runs++;
        expect(took, `took ${took.toFixed(0)} ms on:\n${text}`).toBeLessThan(1000);
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
      }),
      { numRuns: 2000, seed: 20261127, endOnFailure: true },
    );
    expect(runs).toBe(2000);
    console.info(`fuzz: 2000 mutated documents, slowest ${slowest.toFixed(0)} ms`);
  }, 600_000);
});
