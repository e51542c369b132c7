/**
 * Completion parses only the top-level chunk before the cursor (language-server/completion.ts,
 * `findFeaturesAt`), where Langium parses the whole text before it. Both must offer the same
 * items: compared here at every fourth line of every example (start, indentation, inside, end;
 * every line in completion-chunk.slow.test.ts), in
 * a file with a syntax error before the cursor, and in the 5,000-line benchmark file (its
 * latency is in `bench/lsp-bench.ts`).
 */
import { describe, expect, it } from 'vitest';
import { generateLargeFile } from '../../bench/generated-file.js';
import { compareOverExamples, positionsOf, start } from './completion-compare.js';

describe('completion from the top-level chunk before the cursor', () => {
  it('offers what a parse of the whole text before the cursor offers, at every fourth line of the examples (every line in the slow tier)', async () => {
    const { compared, offered } = await compareOverExamples(4);
    expect(compared).toBeGreaterThan(1500 / 4);
    expect(offered).toBeGreaterThan(10 * compared);
  });

  it("is the same inside a fixed network's with block, where the lines before the cursor's are left out", async () => {
    const { services, open, whole } = await start();
    const mine = services.Nas.lsp.CompletionProvider!;
    // Short enough for Langium's whole-prefix computation: two genotype lines per cell, a
    // positional line, named values, a list.
    const text = [
      'import "darts_space"',
      '/** DARTS-V2 normal cell, two nodes. */',
      'network A = DARTS(C=36, N=6) with {',
      '  NormalCell {',
      '    n0 = (sep_conv_3x3, p0), (sep_conv_3x3, 1)',
      '    n1 = sep_conv_3x3, skip_connect',
      '  }',
      '  ReductionCell { n0 = [p0, p1], max_pool_3x3, max_pool_3x3',
      '    n1 = (skip_connect, n0), (max_pool_3x3, p1) }',
      '}',
      'network B = SPOS with {',
      '  shuffle_3x3, 1, k: 3',
      '  res = [608, 800]',
      '}',
      '',
    ].join('\n');
    const doc = await open(text, 'completion-fixed.nas');
    let compared = 0;
    for (const position of positionsOf(text)) {
      const params = { textDocument: { uri: doc.uri.toString() }, position };
      const a = await mine.getCompletion(doc, params);
      expect(a, `${position.line}:${position.character}`).toBeDefined();
      // After a cell's closing brace or a positional line, Langium's whole-prefix computation
      // gives up (an empty, incomplete list); where it answers, the two agree.
      const w = await whole.getCompletion(doc, params);
      if (w?.isIncomplete && w.items.length === 0) continue;
      expect(a, `${position.line}:${position.character}`).toEqual(w);
      compared++;
    }
    expect(compared).toBeGreaterThan(20);
  });

  it('is the same after a syntax error earlier in the file, and at the end of a 5,000-line file', async () => {
    const { services, open, whole } = await start();
    const mine = services.Nas.lsp.CompletionProvider!;
    const broken = 'block A(C: int) {\n  input x\n  x -> conv(C, k=3\n}\n\nnetwork N {\n  input(3, 32, 32)\n  conv(16, k=3) -> \n  gap -> fc(10)\n}\n';
    const doc = await open(broken, 'completion-broken.nas');
    for (const position of positionsOf(broken)) {
      const params = { textDocument: { uri: doc.uri.toString() }, position };
      expect(await mine.getCompletion(doc, params), `${position.line}:${position.character}`).toEqual(await whole.getCompletion(doc, params));
    }
    const text = generateLargeFile();
    const large = await open(text, 'completion-large.nas');
    const lines = text.split('\n');
    const line = lines.length - 6;
    const params = { textDocument: { uri: large.uri.toString() }, position: { line, character: lines[line]!.length } };
    const a = await mine.getCompletion(large, params);
    expect(a).toEqual(await whole.getCompletion(large, params));
    expect(a!.items.length).toBeGreaterThan(0);
  });
});
