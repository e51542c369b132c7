/**
 * Completion parses only the top-level chunk before the cursor (language-server/completion.ts,
 * `findFeaturesAt`), where Langium parses the whole text before it. Both must offer the same
 * items: compared here at every line of every example (start, indentation, inside, end), in
 * a file with a syntax error before the cursor, and in the 5,000-line benchmark file (its
 * latency is in `bench/lsp-bench.ts`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI, TextDocument as LangiumTextDocument, type LangiumDocument, type TextDocument } from 'langium';
import { DefaultCompletionProvider, type NextFeature } from 'langium/lsp';
import { describe, expect, it } from 'vitest';
import { NasCompletionProvider } from '../../language-server/completion.js';
import { completionPrefix } from '../../language-server/completion-context.js';
import { startLspServices } from '../helpers/lsp-services.js';
import { generateLargeFile } from '../../bench/generated-file.js';
import { yieldToEventLoop } from '../helpers/event-loop.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The same provider with Langium's own `findFeaturesAt` on the whole text before the cursor
 * (read as the provider reads its chunk: `completionPrefix`).
 */
class WholePrefixCompletion extends NasCompletionProvider {
  protected override findFeaturesAt(document: TextDocument, offset: number): NextFeature[] {
    const prefix = completionPrefix(this.lexer, document.getText().slice(0, offset));
    const whole = LangiumTextDocument.create(document.uri, document.languageId, document.version, prefix);
    return (DefaultCompletionProvider.prototype as unknown as { findFeaturesAt(d: TextDocument, o: number): NextFeature[] }).findFeaturesAt.call(
      this,
      whole,
      prefix.length,
    );
  }
}

async function start() {
  const services = await startLspServices();
  const { shared } = services;
  const open = async (text: string, name: string): Promise<LangiumDocument> => {
    const doc = shared.workspace.LangiumDocumentFactory.fromString(text, URI.file(path.join(ROOT, 'examples', name)));
    shared.workspace.LangiumDocuments.addDocument(doc);
    await shared.workspace.DocumentBuilder.build([doc], { validation: true });
    return doc;
  };
  return { services, open, whole: new WholePrefixCompletion(services.Nas) };
}

/** The lines inside a `network X = S with { ... }` block, after its header. */
function withBlockLines(text: string): Set<number> {
  const out = new Set<number>();
  let depth = -1;
  text.split('\n').forEach((l, line) => {
    if (depth < 0 && /^network\s+\w+\s*=.*\bwith\s*\{/.test(l)) depth = 0;
    else if (depth >= 0) {
      out.add(line);
      for (const ch of l) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
    }
  });
  return out;
}

function positionsOf(text: string): Array<{ line: number; character: number }> {
  const out: Array<{ line: number; character: number }> = [];
  text.split('\n').forEach((l, line) => {
    const indent = l.length - l.trimStart().length;
    for (const character of new Set([0, indent, Math.floor((indent + l.length) / 2), l.length])) out.push({ line, character });
  });
  return out;
}

describe('completion from the top-level chunk before the cursor', () => {
  it('offers what a parse of the whole text before the cursor offers, everywhere in the examples', async () => {
    const { services, open, whole } = await start();
    const mine = services.Nas.lsp.CompletionProvider!;
    let compared = 0;
    let offered = 0;
    for (const file of fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.nas'))) {
      const text = fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8');
      const doc = await open(text, `completion-${file}`);
      await yieldToEventLoop();
      const fixed = withBlockLines(text);
      for (const position of positionsOf(text)) {
        // Langium's whole-prefix computation does not finish inside a genotype of several
        // lines of (op, input) pairs (the next test compares the two on short ones).
        if (fixed.has(position.line)) continue;
        const params = { textDocument: { uri: doc.uri.toString() }, position };
        const a = await mine.getCompletion(doc, params);
        expect(a, `${file} ${position.line}:${position.character}`).toEqual(await whole.getCompletion(doc, params));
        compared++;
        offered += a?.items.length ?? 0;
      }
    }
    expect(compared).toBeGreaterThan(1500);
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
